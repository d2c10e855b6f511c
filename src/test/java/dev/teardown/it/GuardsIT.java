package dev.teardown.it;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.GuardSpec;
import dev.teardown.api.v1alpha1.NotFoundPolicy;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.RecycleBinPolicy;
import dev.teardown.controller.Conditions;
import dev.teardown.controller.Controls;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.compshare.CompShareSimulator;
import dev.teardown.sim.tencent.TencentSimulator;
import dev.teardown.sim.volcengine.VolcengineSimulator;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The wrong-target guard (spec.guard) and one owner per instance, end to end: the operator on the
 * real API server against the simulators, judged by status and by the simulators' call ledgers.
 */
class GuardsIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TC_REGION = "ap-beijing";
  private static final String TC_ID = "AKIDtencentguard01";
  private static final String TC_KEY = "tc-guard-secret-key";
  private static final String VOLC_REGION = "cn-beijing";
  private static final String VOLC_AK = "AKLTguardit";
  private static final String VOLC_SK = "guard-it-secret-access-key";

  private TencentSimulator tencent;
  private VolcengineSimulator volc;
  private CompShareSimulator compshare;
  private OperatorHarness h;
  private final List<SimCloud> clouds = new java.util.ArrayList<>();

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
    clouds.forEach(SimCloud::close);
  }

  // ---- the guard
  // -------------------------------------------------------------------------------------------

  @Test
  void tencentInstanceWithTheRightNameAndTagsIsDeletedAndTheGuardIsInTheRecordedPlan() {
    startTencent(
        w -> w.instance("ins-grd00001").name("ci-runner-7").tag("team", "ci").tag("env", "test"));
    GuardSpec guard = new GuardSpec("^ci-runner-[0-9]+$", Map.of("team", "ci"));
    h.create(
        "ok",
        Provider.TENCENTCLOUD,
        TC_REGION,
        "tc",
        List.of("ins-grd00001"),
        s -> s.setGuard(guard));
    CloudInstanceDeletion r = h.awaitPhase("ok", Phase.Done, WAIT);
    assertThat(r.getStatus().getRecorded().getGuard()).isEqualTo(guard);
    ledgerOf(tencent).effectiveOnce("TerminateInstances", "ins-grd00001");
  }

  @Test
  void tencentInstanceWithAnotherNameFailsTargetMismatchWithZeroMutatingCalls() {
    startTencent(w -> w.instance("ins-grd00002").name("prod-db-1").tag("team", "data"));
    h.create(
        "wrong",
        Provider.TENCENTCLOUD,
        TC_REGION,
        "tc",
        List.of("ins-grd00002"),
        s -> s.setGuard(new GuardSpec("^ci-runner-[0-9]+$", Map.of("team", "ci"))));
    CloudInstanceDeletion r = h.awaitPhase("wrong", Phase.Failed, WAIT);
    assertThat(condition(r, Conditions.FAILED).getReason()).isEqualTo("TargetMismatch");
    assertThat(r.getStatus().getMessage())
        .contains("ins-grd00002", "'prod-db-1'", "^ci-runner-[0-9]+$", "team=data", "team=ci");
    ledgerOf(tencent).as("mutating calls").onlyDescribeCalls();
  }

  @Test
  void volcengineInstanceMissingATagFailsTargetMismatchWithZeroMutatingCalls() {
    TestWorld w = volcWorld();
    w.instance("i-grd0000001").name("ci-runner-1").tag("team", "ci");
    startVolc(w);
    h.create(
        "untagged",
        Provider.VOLCENGINE,
        VOLC_REGION,
        "volc",
        List.of("i-grd0000001"),
        s -> s.setGuard(new GuardSpec("^ci-runner-.*$", Map.of("team", "ci", "retire", "yes"))));
    CloudInstanceDeletion r = h.awaitPhase("untagged", Phase.Failed, WAIT);
    assertThat(condition(r, Conditions.FAILED).getReason()).isEqualTo("TargetMismatch");
    assertThat(r.getStatus().getMessage()).contains("i-grd0000001", "retire=yes");
    ledgerOf(volc).onlyDescribeCalls();
  }

  @Test
  void compShareReturnsNoTagsSoATagsGuardIsRefusedNotPassed() {
    TestWorld w =
        TestWorld.of(Provider.UCLOUD_COMPSHARE)
            .keys("test-public-key", "test-private-key")
            .noTimings();
    w.instance("uhost-grd00001")
        .chargeType("Dynamic")
        .name("ci-runner-3")
        .tag("team", "ci"); // the simulator ignores them, as CompShare's describe has none
    SimCloud started = w.start();
    clouds.add(started);
    compshare = started.sim();
    h = OperatorHarness.start(started.endpoints());
    h.secret("cs", w.secret());
    h.create(
        "cs",
        Provider.UCLOUD_COMPSHARE,
        w.region(),
        "cs",
        List.of("uhost-grd00001"),
        s -> {
          s.setZone(w.zone());
          s.setGuard(new GuardSpec("^ci-runner-.*$", Map.of("team", "ci")));
        });
    CloudInstanceDeletion r = h.awaitPhase("cs", Phase.Failed, WAIT);
    assertThat(condition(r, Conditions.FAILED).getReason()).isEqualTo("TargetMismatch");
    assertThat(r.getStatus().getMessage()).contains("returns no tags");
    ledgerOf(compshare).onlyDescribeCalls();
  }

  // ---- one owner per instance
  // ------------------------------------------------------------------------------

  @Test
  void volcengineTwoDeletionsOfOneInstanceSendOneDeleteInstances() {
    TestWorld w = volcWorld();
    w.instance("i-own0000001").name("ci-runner-1");
    startVolc(w);
    CloudInstanceDeletion first =
        createPausedAndWait(
            "first", Provider.VOLCENGINE, VOLC_REGION, "volc", "i-own0000001", s -> {});
    h.create(
        "second",
        Provider.VOLCENGINE,
        VOLC_REGION,
        "volc",
        List.of("i-own0000001"),
        s -> s.setIfNotFound(NotFoundPolicy.Ignore));
    awaitClaimedBy("second", first);
    assertThat(ledgerOf(volc).size()).as("one paused, one waiting: no call at all").isZero();

    h.annotate("first", Controls.PAUSED, null);
    h.awaitPhase("first", Phase.Done, WAIT);
    CloudInstanceDeletion second = h.awaitPhase("second", Phase.Done, WAIT);
    assertThat(condition(second, "InstanceClaimed").getStatus()).isEqualTo("False");
    assertThat(ledgerOf(volc).count("DeleteInstances"))
        .as("one ClientToken, one call")
        .isEqualTo(1);
    ledgerOf(volc).effectiveOnce("DeleteInstances", "i-own0000001");
  }

  @Test
  void tencentKeepAndPurgeOfOnePrepaidInstanceRunOneAfterTheOther() {
    startTencent(w -> w.instance("ins-own00001").prepaid().name("ci-runner-2"));
    CloudInstanceDeletion keep =
        createPausedAndWait(
            "keep", Provider.TENCENTCLOUD, TC_REGION, "tc", "ins-own00001", s -> {});
    h.create(
        "purge",
        Provider.TENCENTCLOUD,
        TC_REGION,
        "tc",
        List.of("ins-own00001"),
        s -> s.setRecycleBin(RecycleBinPolicy.Purge));
    awaitClaimedBy("purge", keep);
    assertThat(ledgerOf(tencent).size()).isZero();

    h.annotate("keep", Controls.PAUSED, null);
    CloudInstanceDeletion kept = h.awaitPhase("keep", Phase.Done, WAIT);
    h.awaitPhase("purge", Phase.Done, WAIT);
    List<CallLedger.Call> terminates = ledgerOf(tencent).calls("TerminateInstances");
    assertThat(terminates).as("one to the recycle bin, then the purge").hasSize(2);
    Instant keepDone = Instant.parse(kept.getStatus().getCompletedAt());
    assertThat(terminates.get(0).at()).isBefore(keepDone);
    assertThat(terminates.get(1).at())
        .as("the purge waited for the Keep deletion to finish")
        .isAfter(keepDone);
    assertThat(tencent.destroyCalls("ins-own00001"))
        .as("destroyed once, by the purge")
        .isEqualTo(1);
  }

  // ---- helpers
  // ---------------------------------------------------------------------------------------------

  /**
   * Creates a paused deletion, waits until the operator shows it paused and until its creation
   * second is over.
   */
  private CloudInstanceDeletion createPausedAndWait(
      String name,
      Provider p,
      String region,
      String secret,
      String id,
      java.util.function.Consumer<dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec> adjust) {
    h.create(name, p, region, secret, List.of(id), adjust, Map.of(Controls.PAUSED, "true"));
    await()
        .atMost(WAIT)
        .until(
            () -> {
              CloudInstanceDeletion r = h.get(name);
              Condition c =
                  r.getStatus() == null
                      ? null
                      : Conditions.get(r.getStatus().getConditions(), "Paused");
              return c != null && "True".equals(c.getStatus());
            });
    CloudInstanceDeletion r = h.get(name);
    // the owner is decided by creationTimestamp (seconds): the second deletion must be created in a
    // later second
    Instant created = Instant.parse(r.getMetadata().getCreationTimestamp());
    await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> Instant.now().isAfter(created.plusSeconds(1)));
    return r;
  }

  private void awaitClaimedBy(String name, CloudInstanceDeletion owner) {
    await()
        .atMost(WAIT)
        .until(
            () -> {
              CloudInstanceDeletion r = h.get(name);
              Condition c =
                  r.getStatus() == null
                      ? null
                      : Conditions.get(r.getStatus().getConditions(), "InstanceClaimed");
              return c != null && "True".equals(c.getStatus());
            });
    Condition c = Conditions.get(h.get(name).getStatus().getConditions(), "InstanceClaimed");
    assertThat(c.getMessage()).contains(h.ns() + "/" + owner.getMetadata().getName());
    assertThat(h.events(name))
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("InstanceClaimed"));
  }

  private static Condition condition(CloudInstanceDeletion r, String type) {
    Condition c = Conditions.get(r.getStatus().getConditions(), type);
    assertThat(c).as("condition " + type).isNotNull();
    return c;
  }

  private void startTencent(java.util.function.Consumer<TestWorld> fleet) {
    TestWorld w =
        TestWorld.of(Provider.TENCENTCLOUD)
            .region(TC_REGION)
            .keys(TC_ID, TC_KEY)
            .timing("terminate", 200)
            .timing("shutdown", 200)
            .timing("detach", 200);
    fleet.accept(w);
    SimCloud started = w.start();
    clouds.add(started);
    tencent = started.sim();
    h = OperatorHarness.start(started.endpoints());
    h.secret("tc", w.secret());
  }

  private static TestWorld volcWorld() {
    return TestWorld.of(Provider.VOLCENGINE)
        .region(VOLC_REGION)
        .keys(VOLC_AK, VOLC_SK)
        .noTimings()
        .timing("terminate", 200);
  }

  private void startVolc(TestWorld w) {
    SimCloud started = w.start();
    clouds.add(started);
    volc = started.sim();
    h = OperatorHarness.start(started.endpoints());
    h.secret("volc", w.secret());
  }
}
