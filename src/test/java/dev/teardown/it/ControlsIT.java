package dev.teardown.it;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.controller.Conditions;
import dev.teardown.controller.Controls;
import dev.teardown.sim.tencent.TencentSimulator;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A person's controls as annotations, end to end: the operator on the real API server against the
 * Tencent simulator. Annotations do not bump the generation, so each test also proves that an
 * annotation change reaches the reconciler.
 */
class ControlsIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String REGION = "ap-beijing";
  private static final String SECRET_ID = "AKIDcontrolsit0001";
  private static final String SECRET_KEY = "tc-controls-secret-key";

  private SimCloud cloud;
  private TencentSimulator sim;
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
  void pausedStopsEveryCloudCallAndRemovingItResumes() {
    start(3_000L); // a shutdown long enough to pause in the middle of it
    h.create("p", Provider.TENCENTCLOUD, REGION, "tc", List.of("ins-ctl00001"), s -> {});
    await().atMost(WAIT).until(() -> h.phase("p") == Phase.AwaitingShutdown);

    h.annotate("p", Controls.PAUSED, "true");
    await().atMost(WAIT).until(() -> isTrue(h.get("p"), Conditions.PAUSED));
    CloudInstanceDeletion paused = h.get("p");
    assertThat(
            Conditions.get(paused.getStatus().getConditions(), Conditions.RECONCILING).getStatus())
        .isEqualTo("False");
    assertThat(
            Conditions.get(paused.getStatus().getConditions(), Conditions.RECONCILING).getReason())
        .isEqualTo("Paused");
    int calls = ledgerOf(sim).size();
    // while paused, no call at all (describes included) for well over the 100 ms poll interval of
    // the tests
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> ledgerOf(sim).size() == calls);
    assertThat(h.phase("p")).isEqualTo(Phase.AwaitingShutdown);

    h.annotate("p", Controls.PAUSED, null);
    CloudInstanceDeletion done = h.awaitPhase("p", Phase.Done, WAIT);
    assertThat(Conditions.get(done.getStatus().getConditions(), Conditions.PAUSED).getStatus())
        .isEqualTo("False");
    assertThat(ledgerOf(sim).size()).isGreaterThan(calls);
    ledgerOf(sim).effectiveOnce("TerminateInstances", "ins-ctl00001");
  }

  @Test
  void abandonLetsTheFinalizerGoWhenTheSecretIsGoneAndSaysWhatIsLeft() {
    start(60_000L); // the instance stays in shutdown for the whole test
    h.create("a", Provider.TENCENTCLOUD, REGION, "tc", List.of("ins-ctl00001"), s -> {});
    await().atMost(WAIT).until(() -> h.phase("a") == Phase.AwaitingShutdown);
    h.client().secrets().inNamespace(h.ns()).withName("tc").delete();
    h.delete("a");
    await()
        .atMost(WAIT)
        .until(
            () ->
                h.get("a").getStatus().getConditions().stream()
                    .anyMatch(
                        c ->
                            c.getType().equals(Conditions.CREDENTIALS)
                                && "False".equals(c.getStatus())));
    assertThat(h.get("a")).as("the finalizer holds a deletion that cannot finish").isNotNull();

    h.annotate("a", Controls.ABANDON, "true");
    await().atMost(WAIT).until(() -> h.get("a") == null);
    Event abandoned =
        h.events("a").stream()
            .filter(e -> "Abandoned".equals(e.getReason()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no Abandoned event"));
    assertThat(abandoned.getType()).isEqualTo("Warning");
    assertThat(abandoned.getMessage())
        .contains("ins-ctl00001", "disk-ctl00001", "AwaitingShutdown");
  }

  @Test
  void retryRerunsAFailedDeletionFromItsPlanOnceTheCauseIsFixed() {
    start(200L);
    h.client()
        .secrets()
        .inNamespace(h.ns())
        .withName("tc")
        .edit(
            s -> {
              s.setData(null);
              s.setStringData(Map.of("secretId", SECRET_ID, "secretKey", "a-wrong-key"));
              return s;
            });
    h.create("r", Provider.TENCENTCLOUD, REGION, "tc", List.of("ins-ctl00001"), s -> {});
    h.awaitPhase("r", Phase.Failed, WAIT);
    ledgerOf(sim).onlyDescribeCalls();

    // the same value again after a failed retry does not re-run it
    h.annotate("r", Controls.RETRY, "1");
    await()
        .atMost(WAIT)
        .until(
            () ->
                "1".equals(h.get("r").getStatus().getLastRetry()) && h.phase("r") == Phase.Failed);

    h.client()
        .secrets()
        .inNamespace(h.ns())
        .withName("tc")
        .edit(
            s -> {
              s.setData(null);
              s.setStringData(Map.of("secretId", SECRET_ID, "secretKey", SECRET_KEY));
              return s;
            });
    h.annotate("r", "example.com/unrelated", "touch"); // not a control: nothing happens
    h.annotate("r", Controls.RETRY, "2");
    await().atMost(WAIT).until(() -> "2".equals(h.get("r").getStatus().getLastRetry()));
    CloudInstanceDeletion done = h.awaitPhase("r", Phase.Done, WAIT);
    assertThat(done.getStatus().getLastRetry()).isEqualTo("2");
    ledgerOf(sim).effectiveOnce("TerminateInstances", "ins-ctl00001");
    assertThat(h.events("r")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Retrying"));
  }

  // ---- helpers
  // ---------------------------------------------------------------------------------------------

  private static boolean isTrue(CloudInstanceDeletion r, String type) {
    Condition c =
        r.getStatus() == null ? null : Conditions.get(r.getStatus().getConditions(), type);
    return c != null && "True".equals(c.getStatus());
  }

  private void start(long shutdownMs) {
    TestWorld w =
        TestWorld.of(Provider.TENCENTCLOUD)
            .region(REGION)
            .keys(SECRET_ID, SECRET_KEY)
            .timing("terminate", shutdownMs)
            .timing("shutdown", shutdownMs)
            .timing("detach", 200);
    w.instance("ins-ctl00001").withDisks("disk-ctl00001");
    cloud = w.start();
    sim = cloud.sim();
    h = OperatorHarness.start(cloud.endpoints());
    h.secret("tc", w.secret());
  }
}
