package dev.teardown.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.SecretReference;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A Secret read well is used again for a few seconds; anything else is read again. */
class CredentialsReaderTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final CredentialsReader reader = new CredentialsReader(nanos::get);
  private final FakeCloud factory = new FakeCloud();
  private final AtomicInteger gets = new AtomicInteger();
  private volatile Secret secret = secret("AKIDone", "one");

  private final CredentialsReader.SecretSource source =
      (ns, name) -> {
        gets.incrementAndGet();
        return secret;
      };

  private static Secret secret(String id, String key) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName("keys")
        .withNamespace("ns")
        .endMetadata()
        .withStringData(
            id == null ? Map.of("secretKey", key) : Map.of("secretId", id, "secretKey", key))
        .build();
  }

  private static CloudInstanceDeletion deletion(String name) {
    CloudInstanceDeletion r = new CloudInstanceDeletion();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").build());
    CloudInstanceDeletionSpec s = new CloudInstanceDeletionSpec();
    s.setProvider(Provider.TENCENTCLOUD);
    s.setCredentialsSecretRef(new SecretReference("keys"));
    r.setSpec(s);
    return r;
  }

  @Test
  void oneGetServesEveryDeletionOfTheSecretUntilItIsNoLongerFresh() throws Exception {
    assertThat(reader.read(source, deletion("a"), factory)).containsEntry("secretId", "AKIDone");
    assertThat(reader.read(source, deletion("b"), factory)).containsEntry("secretId", "AKIDone");
    assertThat(gets).hasValue(1);

    secret = secret("AKIDtwo", "two"); // rotated in the cluster
    nanos.addAndGet(CredentialsReader.FRESH.toNanos() - 1);
    assertThat(reader.read(source, deletion("a"), factory)).containsEntry("secretId", "AKIDone");
    nanos.addAndGet(1);
    assertThat(reader.read(source, deletion("a"), factory)).containsEntry("secretId", "AKIDtwo");
    assertThat(gets).hasValue(2);
  }

  @Test
  void keysTheCloudRefusedAreReadAgainAtTheNextPass() throws Exception {
    reader.read(source, deletion("a"), factory);
    secret = secret("AKIDfixed", "fixed");
    reader.forget(deletion("b")); // same Secret, another deletion's refusal
    assertThat(reader.read(source, deletion("a"), factory)).containsEntry("secretId", "AKIDfixed");
    assertThat(gets).hasValue(2);
  }

  @Test
  void aMissingOrIncompleteSecretIsNeverRemembered() throws Exception {
    secret = null;
    assertThatThrownBy(() -> reader.read(source, deletion("a"), factory))
        .hasMessageContaining("not found");
    secret = secret(null, "only-the-key");
    assertThatThrownBy(() -> reader.read(source, deletion("a"), factory))
        .hasMessageContaining("secretId");
    secret = secret("AKIDnow", "now");
    assertThat(reader.read(source, deletion("a"), factory)).containsEntry("secretId", "AKIDnow");
    assertThat(gets).hasValue(3);

    // a Secret that went bad after it was read well is seen bad once it is read again
    secret = null;
    nanos.addAndGet(CredentialsReader.FRESH.toNanos());
    assertThatThrownBy(() -> reader.read(source, deletion("a"), factory))
        .hasMessageContaining("not found");
    assertThatThrownBy(() -> reader.read(source, deletion("a"), factory))
        .hasMessageContaining("not found");
    assertThat(gets).hasValue(5);
  }
}
