package dev.teardown.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a reconcile gets must not let the framework's metadata changes reach the cache. */
class DeletionClonerTest {
  private final KubernetesSerialization serialization = new KubernetesSerialization();
  private final DeletionCloner cloner = new DeletionCloner(serialization::clone);

  @Test
  void metadataIsCopiedSpecAndStatusAreShared() {
    CloudInstanceDeletion cached = new CloudInstanceDeletion();
    cached.setMetadata(
        new ObjectMetaBuilder()
            .withName("d")
            .withNamespace("ns")
            .withResourceVersion("5")
            .withFinalizers(new ArrayList<>(List.of("other/finalizer")))
            .withAnnotations(new HashMap<>(Map.of("teardown.dev/paused", "true")))
            .build());
    cached.setSpec(new CloudInstanceDeletionSpec());
    cached.setStatus(new CloudInstanceDeletionStatus());

    CloudInstanceDeletion copy = cloner.clone(cached);
    copy.addFinalizer("cloudinstancedeletions.teardown.dev/finalizer");
    copy.getMetadata().getAnnotations().remove("teardown.dev/paused");
    copy.getMetadata().setResourceVersion("6");

    assertThat(cached.getMetadata().getFinalizers()).containsExactly("other/finalizer");
    assertThat(cached.getMetadata().getAnnotations()).containsKey("teardown.dev/paused");
    assertThat(cached.getMetadata().getResourceVersion()).isEqualTo("5");
    assertThat(copy.getSpec()).isSameAs(cached.getSpec());
    assertThat(copy.getStatus()).isSameAs(cached.getStatus());
    assertThat(copy.getMetadata().getName()).isEqualTo("d");
  }

  @Test
  void anythingElseIsCopiedWhole() {
    Secret s =
        new SecretBuilder()
            .withNewMetadata()
            .withName("k")
            .endMetadata()
            .addToStringData("a", "b")
            .build();
    Secret copy = cloner.clone(s);
    assertThat(copy).isNotSameAs(s).isEqualTo(s);
    assertThat(copy.getStringData()).isNotSameAs(s.getStringData());
  }
}
