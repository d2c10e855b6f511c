package dev.teardown.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.controller.ProviderRegistry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the real server guarantees to a status writer, and the mock does not: a status write
 * carrying a stale resourceVersion is refused with 409 and leaves the newer status in place. Two
 * independent clients play two writers (e.g. a stopping reconcile and a fresh one).
 */
class StatusConflictIT {
  private OperatorHarness h;
  private KubernetesClient other;

  @BeforeEach
  void start() {
    TestKube.real();
    h = OperatorHarness.withoutOperator(Map.of(), ProviderRegistry.discover());
    other = TestKube.newClient();
  }

  @AfterEach
  void stop() {
    if (other != null) {
      other.close();
    }
    if (h != null) {
      h.close();
    }
  }

  @Test
  void aStaleStatusWriteIsRefusedAndNeverRegressesNewerProgress() {
    h.create("race", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-race0001"), s -> {});
    CloudInstanceDeletion seenByBoth = h.get("race");

    CloudInstanceDeletion newer = copyWithPhase(seenByBoth, Phase.Done);
    h.client()
        .resources(CloudInstanceDeletion.class)
        .inNamespace(h.ns())
        .resource(newer)
        .updateStatus();

    CloudInstanceDeletion stale = copyWithPhase(seenByBoth, Phase.Terminating);
    assertThatThrownBy(
            () ->
                other
                    .resources(CloudInstanceDeletion.class)
                    .inNamespace(h.ns())
                    .resource(stale)
                    .updateStatus())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(h.phase("race")).isEqualTo(Phase.Done);
  }

  private static CloudInstanceDeletion copyWithPhase(CloudInstanceDeletion r, Phase phase) {
    CloudInstanceDeletion c = io.fabric8.kubernetes.client.utils.Serialization.clone(r);
    CloudInstanceDeletionStatus st = new CloudInstanceDeletionStatus();
    st.setPhase(phase);
    c.setStatus(st);
    return c;
  }
}
