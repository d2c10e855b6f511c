package dev.teardown.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.controller.DeletionReconciler;
import dev.teardown.controller.ProviderRegistry;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the operator keeps per deletion and how often it reconciles one, on the API the suite runs
 * on (a real kube-apiserver when its binaries are built): the informer's copy of a finished
 * deletion carries no managedFields, and the operator's own status writes do not come back as
 * reconciles.
 */
class InformerCacheIT {
  private static final String REGION = "ap-beijing";
  private static final String KEYS = "tencent-keys";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private SimCloud cloud;
  private OperatorHarness h;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
    if (cloud != null) {
      cloud.close();
    }
  }

  @Test
  void aFinishedDeletionIsCachedWithoutManagedFieldsAndItsStatusWritesAreNotReconciled() {
    TestWorld w =
        TestWorld.of(Provider.TENCENTCLOUD)
            .region(REGION)
            .keys("AKIDcacheit0001", "cache-it-secret")
            .timing("terminate", 200)
            .timing("detach", 200);
    String id = w.instance("ins-cache001").postpaid().id();
    w.disk("disk-cache000").on(id).postpaid().deleteWithInstance();
    w.disk("disk-cache001").on(id).postpaid();
    cloud = w.start();
    h = OperatorHarness.start(cloud.endpoints(), ProviderRegistry.discover());
    h.secret(KEYS, Map.of("secretId", "AKIDcacheit0001", "secretKey", "cache-it-secret"));

    java.util.concurrent.atomic.AtomicInteger writes =
        new java.util.concurrent.atomic.AtomicInteger();
    try (io.fabric8.kubernetes.client.Watch watch =
        h.client()
            .resources(CloudInstanceDeletion.class)
            .inNamespace(h.ns())
            .withName("cached")
            .watch(
                new io.fabric8.kubernetes.client.Watcher<>() {
                  @Override
                  public void eventReceived(Action action, CloudInstanceDeletion r) {
                    if (action == Action.MODIFIED) {
                      writes.incrementAndGet();
                    }
                  }

                  @Override
                  public void onClose(io.fabric8.kubernetes.client.WatcherException e) {}
                })) {
      h.create("cached", Provider.TENCENTCLOUD, REGION, KEYS, List.of(id), s -> {});
      h.awaitPhase("cached", Phase.Done, WAIT);
    }
    CloudInstanceDeletion stored =
        h.client()
            .resources(CloudInstanceDeletion.class)
            .inNamespace(h.ns())
            .withName("cached")
            .get();
    if (h.kube().real()) {
      // the server keeps what each manager wrote (the whole status): that is what is left out
      assertThat(stored.getMetadata().getManagedFields()).isNotEmpty();
    }
    @SuppressWarnings("unchecked")
    Controller<CloudInstanceDeletion> controller =
        (Controller<CloudInstanceDeletion>)
            h.runtime().operator().getRegisteredController(DeletionReconciler.NAME).orElseThrow();
    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              CloudInstanceDeletion cached =
                  controller
                      .getEventSourceManager()
                      .getControllerEventSource()
                      .get(ResourceID.fromResource(stored))
                      .orElseThrow();
              assertThat(cached.getMetadata().getResourceVersion())
                  .isEqualTo(stored.getMetadata().getResourceVersion());
              assertThat(cached.getStatus().getPhase()).isEqualTo(Phase.Done);
              assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
            });

    // One deletion of one instance with two disks writes at least the finalizer, an intent before
    // each of its two mutating calls and the end; each pass writes at most once besides its
    // intents. Were those writes reconciled again, every write would bring a reconcile on top of
    // the passes that made them: more reconciles than writes.
    double reconciles =
        h.runtime().meters().find("operator.sdk.reconciliations.started").counters().stream()
            .mapToDouble(c -> c.count())
            .sum();
    assertThat(writes.get()).as("writes to the deletion").isGreaterThanOrEqualTo(4);
    assertThat(reconciles).isGreaterThanOrEqualTo(1).isLessThanOrEqualTo(writes.get());
  }
}
