package dev.teardown.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.it.OperatorHarness;
import dev.teardown.it.TestKube;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two status writers racing on the real API server: a reconcile is held in flight after it read the
 * resource, another writer (a newer reconcile, another replica) records newer progress, then the
 * held reconcile finishes its pass. Its write carries the stale resourceVersion, is refused with
 * 409, and the deletion is observed again; the stale payload is never re-applied on top of the
 * newer object, so the newer phase stays and the held pass makes no mutating call. JOSDK's
 * PrimaryUpdateAndCacheUtils (re-read, re-apply the same status) fails this test: the deletion goes
 * back from Done to Detaching and the disk is detached.
 *
 * <p>The same precondition guards the pass that records the plan and goes straight on to the
 * terminate: a person's pause or a deletion of the resource that lands while that pass is in flight
 * makes its intent write (the write before the first mutating call) stale, so it is refused and the
 * terminate is never sent.
 */
class StaleStatusWriteIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private FakeCloud cloud;
  private OperatorHarness h;
  private KubernetesClient newer;

  @BeforeEach
  void start() {
    TestKube.real(); // the mock does not enforce resourceVersion on status writes
    cloud = new FakeCloud();
    h = OperatorHarness.start(Map.of(), new ProviderRegistry(List.of(cloud)));
    h.secret("keys", Map.of("secretId", "AKIDfake", "secretKey", "fake"));
    newer = TestKube.newClient();
  }

  @AfterEach
  void stop() {
    FakeCloud.Hold hold = cloud.holdNextDescribe;
    if (hold != null) {
      hold.release().countDown();
    }
    if (newer != null) {
      newer.close();
    }
    h.close();
  }

  @Test
  void aReconcileThatReadAnOlderVersionNeverOverwritesNewerProgress() throws Exception {
    cloud.instance("ins-race0001", false);
    cloud.disk("disk-race01", "ins-race0001", false, false); // released by Teardown after a detach
    cloud.dropTerminate.add(
        "ins-race0001"); // the terminate is accepted but the instance stays: AwaitingShutdown
    h.create("race", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-race0001"), s -> {});
    h.awaitPhase("race", Phase.AwaitingShutdown, WAIT);

    FakeCloud.Hold hold = FakeCloud.Hold.next();
    cloud.holdNextDescribe = hold;
    assertThat(hold.entered().await(20, TimeUnit.SECONDS)).as("a reconcile is in flight").isTrue();

    // Newer progress, written by another writer while the held reconcile still works from its older
    // read.
    CloudInstanceDeletion fresh = h.get("race");
    CloudInstanceDeletion progressed = Serialization.clone(fresh);
    progressed.getStatus().setPhase(Phase.Done);
    progressed.getStatus().setMessage("written by a newer reconcile");
    newer
        .resources(CloudInstanceDeletion.class)
        .inNamespace(h.ns())
        .resource(progressed)
        .updateStatus();

    // The held pass now observes the instance gone, so it would move on to detach the disk.
    cloud.instances.remove("ins-race0001");
    long detachesBefore = cloud.mutations("detach");
    hold.release().countDown();

    await()
        .during(Duration.ofSeconds(2))
        .atMost(WAIT)
        .until(
            () -> {
              CloudInstanceDeletion r = h.get("race");
              return r.getStatus().getPhase() == Phase.Done
                  && "written by a newer reconcile".equals(r.getStatus().getMessage());
            });
    assertThat(cloud.mutations("detach"))
        .as("the stale pass made no mutating call")
        .isEqualTo(detachesBefore);
    assertThat(cloud.describeInstanceCalls.get()).as("the held describe was answered").isPositive();
  }

  @Test
  void aPauseThatLandsWhileThePlanIsBeingRecordedStopsThatPassBeforeItsTerminate()
      throws Exception {
    cloud.instance("ins-paus0001", false);
    FakeCloud.Hold hold = FakeCloud.Hold.next();
    cloud.holdNextDescribe = hold;
    h.create(
        "paused", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-paus0001"), s -> {});
    assertThat(hold.entered().await(20, TimeUnit.SECONDS))
        .as("the pass that records the plan is in flight")
        .isTrue();
    h.annotate("paused", Controls.PAUSED, "true");
    hold.release().countDown();

    await()
        .atMost(WAIT)
        .until(
            () -> {
              CloudInstanceDeletion r = h.get("paused");
              return r.getStatus() != null
                  && Conditions.get(r.getStatus().getConditions(), Conditions.PAUSED) != null
                  && "True"
                      .equals(
                          Conditions.get(r.getStatus().getConditions(), Conditions.PAUSED)
                              .getStatus());
            });
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> cloud.calls.isEmpty());
    assertThat(cloud.describeInstanceCalls.get()).as("the held describe was answered").isPositive();
    assertThat(h.get("paused").getStatus().getIntent()).isNull();

    h.annotate("paused", Controls.PAUSED, null); // removed: it goes on
    h.awaitPhase("paused", Phase.Done, WAIT);
    assertThat(cloud.mutations("terminate [")).isEqualTo(1);
  }

  @Test
  void aDeletionOfTheResourceWhileThePlanIsBeingRecordedSendsNoTerminate() throws Exception {
    cloud.instance("ins-gone0001", false);
    FakeCloud.Hold hold = FakeCloud.Hold.next();
    cloud.holdNextDescribe = hold;
    h.create(
        "dropped", Provider.TENCENTCLOUD, "ap-beijing", "keys", List.of("ins-gone0001"), s -> {});
    assertThat(hold.entered().await(20, TimeUnit.SECONDS))
        .as("the pass that records the plan is in flight")
        .isTrue();
    h.delete("dropped");
    hold.release().countDown();

    await().atMost(WAIT).until(() -> h.get("dropped") == null);
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> cloud.calls.isEmpty());
    assertThat(cloud.describeInstanceCalls.get()).as("the held describe was answered").isPositive();
    assertThat(cloud.instances).containsKey("ins-gone0001");
  }
}
