package dev.teardown.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.GuardSpec;
import dev.teardown.api.v1alpha1.NotFoundPolicy;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.RecycleBinPolicy;
import dev.teardown.cloud.compshare.CompShareProviderFactory;
import dev.teardown.controller.Conditions;
import dev.teardown.controller.Controls;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.WorldSpec;
import dev.teardown.sim.compshare.CompShareSimulator;
import dev.teardown.sim.compshare.CompShareTestWorlds;
import dev.teardown.sim.tencent.TencentSimulator;
import dev.teardown.sim.volcengine.VolcengineSimulator;
import io.fabric8.kubernetes.api.model.Condition;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {tencent, volc, compshare}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          // closing a simulator that failed to start
        }
      }
    }
  }

  // ---- the guard
  // -------------------------------------------------------------------------------------------

  @Test
  void tencentInstanceWithTheRightNameAndTagsIsDeletedAndTheGuardIsInTheRecordedPlan() {
    startTencent(
        w ->
            w.instances.add(
                tencentInstance(
                    "ins-grd00001",
                    "POSTPAID_BY_HOUR",
                    "ci-runner-7",
                    Map.of("team", "ci", "env", "test"))));
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
    assertThat(tencent.ledger().effectiveCount("TerminateInstances", "ins-grd00001")).isEqualTo(1);
  }

  @Test
  void tencentInstanceWithAnotherNameFailsTargetMismatchWithZeroMutatingCalls() {
    startTencent(
        w ->
            w.instances.add(
                tencentInstance(
                    "ins-grd00002", "POSTPAID_BY_HOUR", "prod-db-1", Map.of("team", "data"))));
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
    assertThat(mutating(tencent.ledger())).as("mutating calls").isEmpty();
  }

  @Test
  void volcengineInstanceMissingATagFailsTargetMismatchWithZeroMutatingCalls() {
    WorldSpec.CloudWorld w = volcWorld();
    w.instances.add(volcInstance("i-grd0000001", "ci-runner-1", Map.of("team", "ci")));
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
    assertThat(mutating(volc.ledger())).isEmpty();
  }

  @Test
  void compShareReturnsNoTagsSoATagsGuardIsRefusedNotPassed() {
    WorldSpec.CloudWorld w = new WorldSpec.CloudWorld();
    w.region = CompShareTestWorlds.REGION;
    w.credentials.add(
        new WorldSpec.KeyPair(CompShareTestWorlds.PUBLIC_KEY, CompShareTestWorlds.PRIVATE_KEY));
    WorldSpec.Instance i =
        CompShareTestWorlds.instance("uhost-grd00001", "Running", "Dynamic", false);
    i.name = "ci-runner-3";
    i.tags = Map.of("team", "ci"); // the simulator ignores them, as CompShare's describe has none
    w.instances.add(i);
    compshare = new CompShareSimulator(w, Clock.systemUTC(), 7, "127.0.0.1", 0);
    h = OperatorHarness.start(Map.of(CompShareSimulator.PROVIDER, compshare.endpoint()));
    h.secret(
        "cs",
        Map.of(
            CompShareProviderFactory.PUBLIC_KEY,
            CompShareTestWorlds.PUBLIC_KEY,
            CompShareProviderFactory.PRIVATE_KEY,
            CompShareTestWorlds.PRIVATE_KEY));
    h.create(
        "cs",
        Provider.UCLOUD_COMPSHARE,
        CompShareTestWorlds.REGION,
        "cs",
        List.of("uhost-grd00001"),
        s -> {
          s.setZone(CompShareTestWorlds.ZONE);
          s.setGuard(new GuardSpec("^ci-runner-.*$", Map.of("team", "ci")));
        });
    CloudInstanceDeletion r = h.awaitPhase("cs", Phase.Failed, WAIT);
    assertThat(condition(r, Conditions.FAILED).getReason()).isEqualTo("TargetMismatch");
    assertThat(r.getStatus().getMessage()).contains("returns no tags");
    assertThat(mutating(compshare.ledger())).isEmpty();
  }

  // ---- one owner per instance
  // ------------------------------------------------------------------------------

  @Test
  void volcengineTwoDeletionsOfOneInstanceSendOneDeleteInstances() {
    WorldSpec.CloudWorld w = volcWorld();
    w.instances.add(volcInstance("i-own0000001", "ci-runner-1", Map.of()));
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
    assertThat(volc.ledger().size()).as("one paused, one waiting: no call at all").isZero();

    h.annotate("first", Controls.PAUSED, null);
    h.awaitPhase("first", Phase.Done, WAIT);
    CloudInstanceDeletion second = h.awaitPhase("second", Phase.Done, WAIT);
    assertThat(condition(second, "InstanceClaimed").getStatus()).isEqualTo("False");
    assertThat(volc.ledger().count("DeleteInstances")).as("one ClientToken, one call").isEqualTo(1);
    assertThat(volc.ledger().effectiveCount("DeleteInstances", "i-own0000001")).isEqualTo(1);
  }

  @Test
  void tencentKeepAndPurgeOfOnePrepaidInstanceRunOneAfterTheOther() {
    startTencent(
        w -> w.instances.add(tencentInstance("ins-own00001", "PREPAID", "ci-runner-2", Map.of())));
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
    assertThat(tencent.ledger().size()).isZero();

    h.annotate("keep", Controls.PAUSED, null);
    CloudInstanceDeletion kept = h.awaitPhase("keep", Phase.Done, WAIT);
    h.awaitPhase("purge", Phase.Done, WAIT);
    List<CallLedger.Call> terminates =
        tencent.ledger().matching(c -> c.action().equals("TerminateInstances"));
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

  private static List<CallLedger.Call> mutating(CallLedger l) {
    return l.matching(c -> !c.action().startsWith("Describe"));
  }

  private static Condition condition(CloudInstanceDeletion r, String type) {
    Condition c = Conditions.get(r.getStatus().getConditions(), type);
    assertThat(c).as("condition " + type).isNotNull();
    return c;
  }

  private void startTencent(java.util.function.Consumer<WorldSpec.CloudWorld> fleet) {
    WorldSpec.CloudWorld w = new WorldSpec.CloudWorld();
    w.region = TC_REGION;
    w.credentials.add(new WorldSpec.KeyPair(TC_ID, TC_KEY));
    w.timingsMs.put("terminate", 200L);
    w.timingsMs.put("shutdown", 200L);
    w.timingsMs.put("detach", 200L);
    fleet.accept(w);
    tencent = new TencentSimulator(w, Clock.systemUTC(), 7, "127.0.0.1", 0);
    h = OperatorHarness.start(Map.of(TencentSimulator.PROVIDER, tencent.endpoint()));
    h.secret("tc", Map.of("secretId", TC_ID, "secretKey", TC_KEY));
  }

  private static WorldSpec.Instance tencentInstance(
      String id, String chargeType, String name, Map<String, String> tags) {
    WorldSpec.Instance i = new WorldSpec.Instance();
    i.id = id;
    i.chargeType = chargeType;
    i.zone = TC_REGION + "-7";
    i.name = name;
    i.tags = new HashMap<>(tags);
    return i;
  }

  private static WorldSpec.CloudWorld volcWorld() {
    WorldSpec.CloudWorld w = new WorldSpec.CloudWorld();
    w.region = VOLC_REGION;
    w.credentials.add(new WorldSpec.KeyPair(VOLC_AK, VOLC_SK));
    w.timingsMs.put("terminate", 200L);
    return w;
  }

  private static WorldSpec.Instance volcInstance(String id, String name, Map<String, String> tags) {
    WorldSpec.Instance i = new WorldSpec.Instance();
    i.id = id;
    i.state = "RUNNING";
    i.chargeType = "PostPaid";
    i.name = name;
    i.tags = new HashMap<>(tags);
    return i;
  }

  private void startVolc(WorldSpec.CloudWorld w) {
    volc = new VolcengineSimulator(w, Clock.systemUTC(), 7, "127.0.0.1", 0);
    Map<String, URI> endpoints = Map.of(VolcengineSimulator.PROVIDER, volc.endpoint());
    h = OperatorHarness.start(endpoints);
    h.secret("volc", Map.of("accessKeyId", VOLC_AK, "secretAccessKey", VOLC_SK));
  }
}
