package dev.teardown.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.DataDiskPolicy;
import dev.teardown.api.v1alpha1.DiskAction;
import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.controller.ProviderRegistry;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.FaultRule;
import dev.teardown.sim.WorldSpec;
import dev.teardown.sim.volcengine.VolcengineSimulator;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator on the embedded Kubernetes API against the Volcengine simulator, through the real
 * SDK and the Volcengine adapter: the deletion flows of ECS instances and their EBS volumes, judged
 * by the resource's status and by the simulator's call ledger and world.
 */
class VolcengineDeletionIT {
  private static final String REGION = "cn-beijing";
  private static final String AK = "AKLTteardownit";
  private static final String SK = "it-secret-access-key";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Set<String> MUTATING =
      Set.of("DeleteInstances", "DetachVolume", "DeleteVolume");

  private VolcengineSimulator sim;
  private OperatorHarness h;

  /** The next start() runs on the mock API (a spec change a real server refuses). */
  private boolean onMock;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  // ------------------------------------------------------------------------------------------------ flows

  @Test
  void postpaidInstanceLosesItsVolumesWithItAndTheSurvivingOneIsDeletedSeparately() {
    WorldSpec.CloudWorld w = world();
    instance(w, "i-post000001", "PostPaid", false);
    disk(w, "vol-dwi000001", "i-post000001", true);
    disk(w, "vol-dwi000002", "i-post000001", true);
    disk(w, "vol-keep00001", "i-post000001", false);
    start(w);

    h.create("post", Provider.VOLCENGINE, REGION, "keys", List.of("i-post000001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("post", Phase.Done, WAIT);

    InstanceStatus is = r.getStatus().getInstances().get(0);
    assertThat(is.getOutcome()).isEqualTo(InstanceOutcome.Gone);
    assertThat(is.getTerminateCalls()).isEqualTo(1);
    assertThat(is.getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction, DiskStatus::isReleased)
        .containsExactlyInAnyOrder(
            tuple("vol-dwi000001", DiskAction.ReleaseWithInstance, true),
            tuple("vol-dwi000002", DiskAction.ReleaseWithInstance, true),
            tuple("vol-keep00001", DiskAction.Release, true));
    assertThat(r.getStatus().getDisks()).isEqualTo("3/3");
    assertThat(r.getStatus().getLastError()).isNull();
    assertCondition(r, "Ready", "True", "Deleted");
    assertCondition(r, "Failed", "False", "NoError");

    CallLedger l = sim.ledger();
    assertThat(l.count("DeleteInstances")).isEqualTo(1);
    assertThat(l.effectiveCount("DeleteInstances", "i-post000001")).isEqualTo(1);
    assertThat(
            l.matching(c -> c.action().equals("DeleteInstances"))
                .get(0)
                .params()
                .get("ClientToken"))
        .as("DeleteInstances carries the idempotency token")
        .startsWith("td-");
    assertThat(l.count("DeleteVolume", "vol-dwi000001") + l.count("DeleteVolume", "vol-dwi000002"))
        .as("volumes with DeleteWithInstance go with the instance, no call needed")
        .isZero();
    assertThat(l.effectiveCount("DeleteVolume", "vol-keep00001")).isEqualTo(1);
    assertThat(l.count("DeleteVolume")).isEqualTo(1);
    assertThat(l.count("DetachVolume"))
        .as("the surviving volume came loose with its instance, so nothing needed detaching")
        .isZero();
    assertThat(l.matching(c -> !c.ok())).isEmpty();

    assertThat(sim.instanceStatus("i-post000001")).isEmpty();
    assertThat(deletedDisks())
        .containsEntry("vol-dwi000001", "with-instance")
        .containsEntry("vol-dwi000002", "with-instance")
        .containsEntry("vol-keep00001", "DeleteVolume");
    assertThat(sim.volumeStatus(VolcengineSimulator.systemVolumeId("i-post000001"))).isEmpty();
    assertThat(sim.orphanedDisks(List.of("i-post000001"))).isEmpty();
  }

  @Test
  void mixedBatchDeletesTheNormalInstanceAndFailsNamingThePrepaidOne() {
    WorldSpec.CloudWorld w = world();
    instance(w, "i-norm000001", "PostPaid", false);
    disk(w, "vol-norm00001", "i-norm000001", true);
    disk(w, "vol-norm00002", "i-norm000001", false);
    instance(w, "i-prep000001", "PrePaid", false);
    disk(w, "vol-prep00001", "i-prep000001", false);
    start(w);

    h.create(
        "mixed",
        Provider.VOLCENGINE,
        REGION,
        "keys",
        List.of("i-norm000001", "i-prep000001", "i-gone000001"),
        s -> {});
    CloudInstanceDeletion r = h.awaitPhase("mixed", Phase.Failed, WAIT);

    Map<String, InstanceStatus> byId = byId(r);
    assertThat(byId.get("i-norm000001").getOutcome()).isEqualTo(InstanceOutcome.Gone);
    assertThat(byId.get("i-norm000001").getDataDisks())
        .allSatisfy(d -> assertThat(d.isReleased()).isTrue());
    assertThat(byId.get("i-gone000001").getOutcome())
        .as("not found is never counted as deleted")
        .isEqualTo(InstanceOutcome.NotFound);
    InstanceStatus prepaid = byId.get("i-prep000001");
    assertThat(prepaid.getOutcome()).isEqualTo(InstanceOutcome.Failed);
    assertThat(prepaid.getError().getKind()).isEqualTo("Terminal");
    assertThat(prepaid.getError().getMessage())
        .contains(
            "i-prep000001",
            "prepaid",
            "convert it to pay-as-you-go",
            "re-create this CloudInstanceDeletion");
    assertThat(prepaid.getDataDisks())
        .singleElement()
        .satisfies(d -> assertThat(d.isReleased()).isFalse());
    assertThat(r.getStatus().getMessage())
        .contains("i-prep000001", "prepaid")
        .contains("1 instance deleted")
        .contains("1 already gone")
        .contains("i-gone000001");
    assertThat(r.getStatus().getDisks()).isEqualTo("2/3");
    assertCondition(r, "Failed", "True", "PartiallyFailed");
    assertThat(condition(r, "Failed").getMessage()).contains("i-prep000001");
    assertCondition(r, "Ready", "False", "Failed");
    assertCondition(r, "Progressing", "False", "Failed");

    CallLedger l = sim.ledger();
    assertThat(l.count("DeleteInstances", "i-prep000001"))
        .as("the unexpired prepaid instance is refused before any call")
        .isZero();
    assertThat(l.count("DeleteInstances", "i-gone000001")).isZero();
    assertThat(l.count("DeleteInstances", "i-norm000001")).isEqualTo(1);
    assertThat(l.effectiveCount("DeleteInstances", "i-norm000001")).isEqualTo(1);
    assertThat(l.effectiveCount("DeleteVolume", "vol-norm00002")).isEqualTo(1);
    assertThat(l.count("DeleteVolume", "vol-prep00001") + l.count("DetachVolume", "vol-prep00001"))
        .isZero();

    assertThat(sim.instanceStatus("i-norm000001")).isEmpty();
    assertThat(sim.instanceStatus("i-prep000001")).contains("RUNNING");
    assertThat(sim.volumeStatus("vol-prep00001")).contains("attached");
    assertThat(sim.orphanedDisks(List.of("i-norm000001"))).isEmpty();
    assertThat(h.events("mixed"))
        .anySatisfy(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getReason()).isEqualTo("Failed");
              assertThat(e.getMessage()).contains("i-prep000001");
            });
  }

  @Test
  void aLostAnswerToAnAcceptedDeleteIsRetriedWithTheSameClientTokenAndDeletesOnce() {
    WorldSpec.CloudWorld w = world();
    // the accepted deletion stays queued (instance still RUNNING) past the lost answer, so the
    // operator sees a
    // deletable instance and sends DeleteInstances again
    w.timingsMs.put("terminateLag", 3500L);
    instance(w, "i-lost000001", "PostPaid", false);
    disk(w, "vol-lost00001", "i-lost000001", true);
    disk(w, "vol-lost00002", "i-lost000001", false);
    FaultRule lost =
        new FaultRule()
            .type(FaultRule.Type.TIMEOUT_AFTER_APPLY)
            .delayMs(2600); // > the 2 s read timeout
    lost.action = "DeleteInstances";
    w.faults.add(lost);
    start(w);

    h.create("lost", Provider.VOLCENGINE, REGION, "keys", List.of("i-lost000001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("lost", Phase.Done, WAIT);

    List<CallLedger.Call> deletes =
        sim.ledger().matching(c -> c.action().equals("DeleteInstances"));
    assertThat(deletes).as("the first answer was lost, so the operator asked again").hasSize(2);
    assertThat(deletes).allSatisfy(c -> assertThat(c.ok()).isTrue());
    assertThat(deletes.get(1).params().get("ClientToken"))
        .isNotBlank()
        .isEqualTo(deletes.get(0).params().get("ClientToken"));
    assertThat(deletes).extracting(CallLedger.Call::effective).containsExactly(true, false);
    assertThat(sim.ledger().effectiveCount("DeleteInstances", "i-lost000001")).isEqualTo(1);

    InstanceStatus is = r.getStatus().getInstances().get(0);
    assertThat(is.getOutcome()).isEqualTo(InstanceOutcome.Gone);
    assertThat(is.getTerminateCalls()).as("only answered calls count as attempts").isEqualTo(1);
    assertThat(r.getStatus().getLastError().getCode()).isEqualTo("NetworkError");
    assertThat(r.getStatus().getLastError().getAction()).isEqualTo("DeleteInstances");
    assertThat(r.getStatus().getLastError().getKind()).isEqualTo("Retryable");
    assertThat(r.getStatus().getDisks()).isEqualTo("2/2");
    assertThat(sim.ledger().effectiveCount("DeleteVolume", "vol-lost00002")).isEqualTo(1);
    assertThat(sim.orphanedDisks(List.of("i-lost000001"))).isEmpty();
  }

  @Test
  void aThrottlingStormSlowsTheDeletionDownButItStillEndsDone() {
    WorldSpec.CloudWorld w = world();
    instance(w, "i-thro000001", "PostPaid", false);
    disk(w, "vol-thro00001", "i-thro000001", true);
    disk(w, "vol-thro00002", "i-thro000001", false);
    w.faults.add(throttle("DescribeInstances", 1));
    w.faults.add(throttle("DescribeVolumes", 1));
    w.faults.add(throttle("DeleteInstances", 2));
    w.faults.add(throttle("DeleteVolume", 2));
    start(w);

    h.create("storm", Provider.VOLCENGINE, REGION, "keys", List.of("i-thro000001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("storm", Phase.Done, WAIT);

    assertThat(r.getStatus().getLastError().getCode()).isEqualTo("FlowLimitExceeded");
    assertThat(r.getStatus().getLastError().getKind()).isEqualTo("Throttled");
    assertThat(r.getStatus().getLastError().getAction()).isEqualTo("DeleteVolume");
    assertThat(r.getStatus().getRetries())
        .as("a successful pass clears the retry counter")
        .isNull();
    assertThat(r.getStatus().getDisks()).isEqualTo("2/2");
    assertCondition(r, "Ready", "True", "Deleted");

    CallLedger l = sim.ledger();
    Map<String, Long> throttled =
        l.matching(c -> c.outcome().equals("FlowLimitExceeded")).stream()
            .collect(Collectors.groupingBy(CallLedger.Call::action, Collectors.counting()));
    assertThat(throttled)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "DescribeInstances",
                1L,
                "DescribeVolumes",
                1L,
                "DeleteInstances",
                2L,
                "DeleteVolume",
                2L));
    assertThat(l.matching(c -> c.outcome().equals("FlowLimitExceeded")))
        .noneMatch(CallLedger.Call::effective);
    assertThat(l.effectiveCount("DeleteInstances", "i-thro000001")).isEqualTo(1);
    assertThat(l.count("DeleteInstances")).isEqualTo(3);
    assertThat(l.effectiveCount("DeleteVolume", "vol-thro00002")).isEqualTo(1);
    assertThat(sim.orphanedDisks(List.of("i-thro000001"))).isEmpty();
    assertThat(h.events("storm"))
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("FlowLimitExceeded"));
  }

  @Test
  void wrongKeysFailWithSignatureDoesNotMatchAndTouchNothing() {
    WorldSpec.CloudWorld w = world();
    instance(w, "i-keys000001", "PostPaid", false);
    disk(w, "vol-keys00001", "i-keys000001", false);
    start(w);
    h.secret("wrong", Map.of("accessKeyId", AK, "secretAccessKey", "not-the-secret"));

    h.create("badkeys", Provider.VOLCENGINE, REGION, "wrong", List.of("i-keys000001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("badkeys", Phase.Failed, WAIT);

    assertThat(r.getStatus().getLastError().getCode()).isEqualTo("SignatureDoesNotMatch");
    assertThat(r.getStatus().getLastError().getKind())
        .as("refused keys before any mutating call")
        .isEqualTo("Credentials");
    assertCondition(r, "CredentialsValid", "False", "SignatureDoesNotMatch");
    assertThat(r.getStatus().getLastError().getRequestId()).isNotBlank();
    assertThat(r.getStatus().getMessage())
        .startsWith("SignatureDoesNotMatch")
        .contains("secretAccessKey")
        .doesNotContain("not-the-secret");
    assertCondition(r, "Failed", "True", "SignatureDoesNotMatch");
    assertCondition(r, "Ready", "False", "Failed");
    assertThat(r.getStatus().getInstances()).as("nothing was recorded, nothing was done").isEmpty();

    assertThat(sim.ledger().all())
        .isNotEmpty()
        .allSatisfy(
            c -> {
              assertThat(c.outcome()).isEqualTo("SignatureDoesNotMatch");
              assertThat(c.effective()).isFalse();
            });
    assertThat(sim.ledger().countAny(MUTATING)).isZero();
    assertThat(sim.instanceStatus("i-keys000001")).contains("RUNNING");
    assertThat(sim.volumeStatus("vol-keys00001")).contains("attached");
  }

  @Test
  void restartsOfTheOperatorMidFlowNeverDeleteTwice() {
    WorldSpec.CloudWorld w = world();
    w.timingsMs.put("terminate", 800L);
    w.timingsMs.put("release", 800L);
    List<String> ids = List.of("i-rest000001", "i-rest000002", "i-rest000003");
    for (String id : ids) {
      instance(w, id, "PostPaid", false);
      disk(w, volume(id, "a"), id, true);
      disk(w, volume(id, "b"), id, false);
    }
    start(w);

    h.create("restart", Provider.VOLCENGINE, REGION, "keys", ids, s -> {});
    h.awaitPhase("restart", Phase.AwaitingShutdown, WAIT);
    h.restartOperator();
    h.awaitPhase("restart", Phase.ReleasingDisks, WAIT);
    h.restartOperator();
    CloudInstanceDeletion r = h.awaitPhase("restart", Phase.Done, WAIT);

    CallLedger l = sim.ledger();
    for (String id : ids) {
      assertThat(l.count("DeleteInstances", id)).as("DeleteInstances naming %s", id).isEqualTo(1);
      assertThat(l.effectiveCount("DeleteInstances", id)).isEqualTo(1);
      assertThat(l.count("DeleteVolume", volume(id, "b")))
          .as("DeleteVolume of %s", volume(id, "b"))
          .isEqualTo(1);
      assertThat(l.effectiveCount("DeleteVolume", volume(id, "b"))).isEqualTo(1);
      assertThat(l.count("DeleteVolume", volume(id, "a"))).isZero();
    }
    assertThat(r.getStatus().getInstances())
        .allSatisfy(
            i -> {
              assertThat(i.getOutcome()).isEqualTo(InstanceOutcome.Gone);
              assertThat(i.getTerminateCalls()).isEqualTo(1);
            });
    assertThat(r.getStatus().getDisks()).isEqualTo("6/6");
    assertThat(sim.orphanedDisks(ids)).isEmpty();
  }

  @Test
  void twentyInstancesAtOnceAllEndDoneWithoutOrphanedVolumes() {
    WorldSpec.CloudWorld w = world();
    List<String> ids = new ArrayList<>();
    for (int n = 1; n <= 20; n++) {
      String id = String.format("i-many%06d", n);
      ids.add(id);
      instance(w, id, "PostPaid", false);
      disk(w, volume(id, "a"), id, true);
      disk(w, volume(id, "b"), id, false);
    }
    start(w);

    h.create("many", Provider.VOLCENGINE, REGION, "keys", ids, s -> {});
    CloudInstanceDeletion r = h.awaitPhase("many", Phase.Done, WAIT);

    assertThat(r.getStatus().getInstances())
        .hasSize(20)
        .allSatisfy(i -> assertThat(i.getOutcome()).isEqualTo(InstanceOutcome.Gone));
    assertThat(r.getStatus().getDisks()).isEqualTo("40/40");
    CallLedger l = sim.ledger();
    List<CallLedger.Call> accepted =
        l.matching(c -> c.action().equals("DeleteInstances") && c.ok());
    assertThat(accepted)
        .as("one batch call for all 20 (the limit is 100)")
        .singleElement()
        .satisfies(c -> assertThat(c.ids()).containsExactlyInAnyOrderElementsOf(ids));
    for (String id : ids) {
      assertThat(l.effectiveCount("DeleteInstances", id)).isEqualTo(1);
      assertThat(l.effectiveCount("DeleteVolume", volume(id, "b"))).isEqualTo(1);
      assertThat(l.count("DeleteVolume", volume(id, "a"))).isZero();
      assertThat(sim.instanceStatus(id)).isEmpty();
    }
    assertThat(sim.orphanedDisks(ids)).isEmpty();
    assertThat(deletedDisks())
        .as("20 system volumes and 40 data volumes")
        .hasSize(60)
        .allSatisfy(
            (id, how) ->
                assertThat(how).isEqualTo(id.endsWith("-b") ? "DeleteVolume" : "with-instance"));
  }

  @Test
  void retainKeepsVolumesThatOutliveTheirInstance() {
    WorldSpec.CloudWorld w = world();
    instance(w, "i-retn000001", "PostPaid", false);
    disk(w, "vol-retn00001", "i-retn000001", false);
    disk(w, "vol-retn00002", "i-retn000001", false);
    start(w);

    h.create(
        "retain",
        Provider.VOLCENGINE,
        REGION,
        "keys",
        List.of("i-retn000001"),
        s -> s.setDataDisks(DataDiskPolicy.Retain));
    CloudInstanceDeletion r = h.awaitPhase("retain", Phase.Done, WAIT);

    assertThat(r.getStatus().getInstances().get(0).getOutcome()).isEqualTo(InstanceOutcome.Gone);
    assertThat(r.getStatus().getInstances().get(0).getDataDisks())
        .extracting(DiskStatus::getAction)
        .containsExactly(DiskAction.Retain, DiskAction.Retain);
    assertThat(r.getStatus().getMessage()).contains("2 retained");
    CallLedger l = sim.ledger();
    assertThat(l.effectiveCount("DeleteInstances", "i-retn000001")).isEqualTo(1);
    assertThat(l.count("DeleteVolume")).isZero();
    assertThat(l.count("DetachVolume")).isZero();
    assertThat(sim.instanceStatus("i-retn000001")).isEmpty();
    assertThat(sim.volumeStatus("vol-retn00001")).contains("available");
    assertThat(sim.volumeStatus("vol-retn00002")).contains("available");
  }

  @Test
  void retainWithAVolumeThatDiesWithItsInstanceFailsBeforeAnyMutatingCall() {
    WorldSpec.CloudWorld w = world();
    instance(w, "i-rdwi000001", "PostPaid", false);
    disk(w, "vol-rdwi00001", "i-rdwi000001", false);
    disk(w, "vol-rdwi00002", "i-rdwi000001", true);
    start(w);

    h.create(
        "retain-dwi",
        Provider.VOLCENGINE,
        REGION,
        "keys",
        List.of("i-rdwi000001"),
        s -> s.setDataDisks(DataDiskPolicy.Retain));
    CloudInstanceDeletion r = h.awaitPhase("retain-dwi", Phase.Failed, WAIT);

    assertCondition(r, "Failed", "True", "DiskReleasedWithInstance");
    assertThat(r.getStatus().getMessage())
        .contains("vol-rdwi00002", "Nothing was changed")
        .doesNotContain("vol-rdwi00001");
    assertThat(sim.ledger().countAny(MUTATING)).isZero();
    assertThat(sim.instanceStatus("i-rdwi000001")).contains("RUNNING");
    assertThat(sim.volumeStatus("vol-rdwi00001")).contains("attached");
    assertThat(sim.volumeStatus("vol-rdwi00002")).contains("attached");
  }

  // ------------------------------------------------------------------------------------------------ "Done" means gone

  @Test
  void aMistypedIdEndsFailedInstancesNotFoundAndTouchesNothing() {
    WorldSpec.CloudWorld w = world();
    instance(w, "i-real000001", "PostPaid", false);
    disk(w, "vol-real00001", "i-real000001", false);
    start(w);
    h.create("typo", Provider.VOLCENGINE, REGION, "keys", List.of("i-typo000001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("typo", Phase.Failed, WAIT);
    assertThat(byId(r).get("i-typo000001").getOutcome()).isEqualTo(InstanceOutcome.NotFound);
    assertCondition(r, "Failed", "True", "InstancesNotFound");
    assertThat(h.events("typo"))
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo("InstancesNotFound");
              assertThat(e.getMessage()).contains("i-typo000001", REGION);
            });
    assertThat(sim.ledger().matching(c -> MUTATING.contains(c.action()))).isEmpty();
    assertThat(sim.instanceStatus("i-real000001")).isPresent();
  }

  @Test
  void keysRefusedAfterDeleteInstancesWaitWithCredentialsValidFalseAndResumeWhenTheSecretIsFixed() {
    WorldSpec.CloudWorld w = world();
    w.timingsMs.put("terminate", 2000L);
    instance(w, "i-rota000001", "PostPaid", false);
    disk(w, "vol-rota00001", "i-rota000001", false);
    start(w);
    h.create("rotated", Provider.VOLCENGINE, REGION, "keys", List.of("i-rota000001"), s -> {});
    await()
        .atMost(WAIT)
        .until(() -> sim.ledger().effectiveCount("DeleteInstances", "i-rota000001") == 1);
    setSecretKey("rotated-away-51c0");
    await()
        .atMost(WAIT)
        .until(
            () ->
                h.get("rotated").getStatus().getConditions().stream()
                    .anyMatch(
                        c ->
                            c.getType().equals("CredentialsValid")
                                && c.getStatus().equals("False")));
    CloudInstanceDeletion waiting = h.get("rotated");
    assertThat(waiting.getStatus().getPhase()).isNotIn(Phase.Failed, Phase.Done);
    assertThat(condition(waiting, "CredentialsValid").getMessage())
        .contains("Secret " + h.ns() + "/keys", "accessKeyId")
        .doesNotContain("rotated-away-51c0");
    setSecretKey(SK);
    CloudInstanceDeletion r = h.awaitPhase("rotated", Phase.Done, WAIT);
    assertCondition(r, "CredentialsValid", "True", "Accepted");
    assertThat(sim.ledger().effectiveCount("DeleteInstances", "i-rota000001")).isEqualTo(1);
    assertThat(r.getStatus().getIntent().getAction()).isEqualTo("ReleaseDisks");
    assertThat(r.getStatus().getIntent().getResult()).isEqualTo("Accepted");
    assertThat(sim.ledger().matching(c -> c.action().equals("DeleteVolume")))
        .allSatisfy(
            c ->
                assertThat(c.params().get("ClientToken"))
                    .as("the volume's token comes from the written intent")
                    .startsWith(r.getStatus().getIntent().getToken().substring(0, 8)));
    assertThat(sim.orphanedDisks(List.of("i-rota000001"))).isEmpty();
  }

  @Test
  void changedInstanceIdsStopWithSpecChangedInsteadOfLoopingOnAnUnobservedInstance() {
    onMock =
        true; // a real server refuses the change (CEL self == oldSelf); the mock lets it through
    // like a server without CEL
    WorldSpec.CloudWorld w = world();
    w.timingsMs.put("terminate", 2000L);
    instance(w, "i-chg0000001", "PostPaid", false);
    instance(w, "i-chg0000002", "PostPaid", false);
    start(w);
    h.create("changed", Provider.VOLCENGINE, REGION, "keys", List.of("i-chg0000001"), s -> {});
    await()
        .atMost(WAIT)
        .until(() -> sim.ledger().effectiveCount("DeleteInstances", "i-chg0000001") == 1);
    h.client()
        .resources(CloudInstanceDeletion.class)
        .inNamespace(h.ns())
        .withName("changed")
        // a merge patch carries no resourceVersion, so it cannot lose a race with the operator's
        // status writes
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"spec\":{\"instanceIds\":[\"i-chg0000002\"]}}");
    await()
        .atMost(WAIT)
        .until(
            () ->
                h.get("changed").getStatus().getConditions().stream()
                    .anyMatch(
                        c -> c.getType().equals("SpecChanged") && c.getStatus().equals("True")));
    CloudInstanceDeletion r = h.get("changed");
    assertThat(condition(r, "SpecChanged").getMessage())
        .contains("spec.instanceIds", "Delete this CloudInstanceDeletion");
    assertCondition(r, "Stalled", "True", "SpecChanged");
    assertThat(sim.ledger().count("DeleteInstances", "i-chg0000002"))
        .as("the new id is never touched")
        .isZero();
    assertThat(sim.instanceStatus("i-chg0000002")).isPresent();
  }

  @Test
  void aRecordedVolumeSomeoneDetachesBeforeDeleteInstancesIsKeptNeverDeleted() throws Exception {
    WorldSpec.CloudWorld w = world();
    instance(w, "i-take000001", "PostPaid", false);
    disk(w, "vol-take00001", "i-take000001", false);
    disk(w, "vol-take00002", "i-take000001", false);
    w.faults.add(FaultRule.error("DeleteInstances", "InternalError", 6).message("try again"));
    start(w);
    h.create("taken", Provider.VOLCENGINE, REGION, "keys", List.of("i-take000001"), s -> {});
    await().atMost(WAIT).until(() -> sim.ledger().count("DeleteInstances") >= 1);
    try (dev.teardown.cloud.CloudProvider someone =
        new dev.teardown.cloud.volcengine.VolcengineProviderFactory()
            .connect(
                new dev.teardown.cloud.ConnectionSpec(
                    REGION,
                    null,
                    new dev.teardown.cloud.Credentials(
                        Map.of("accessKeyId", AK, "secretAccessKey", SK)),
                    sim.endpoint(),
                    Duration.ofSeconds(3)))) {
      assertThat(someone.detachDisks("i-take000001", List.of("vol-take00002")).failures())
          .isEmpty();
    }
    await()
        .atMost(WAIT)
        .until(
            () ->
                sim.volumeStatus("vol-take00002").filter(st -> st.equals("available")).isPresent());
    assertThat(sim.ledger().effectiveCount("DeleteInstances", "i-take000001")).isZero();

    CloudInstanceDeletion r = h.awaitPhase("taken", Phase.Done, WAIT);
    assertThat(byId(r).get("i-take000001").getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction)
        .containsExactly(
            tuple("vol-take00001", DiskAction.Release), tuple("vol-take00002", DiskAction.Retain));
    assertThat(sim.ledger().count("DeleteVolume", "vol-take00002")).isZero();
    assertThat(sim.volumeStatus("vol-take00002")).contains("available");
    assertThat(h.events("taken"))
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo("DiskTaken");
              assertThat(e.getMessage()).contains("vol-take00002");
            });
  }

  @Test
  void aVolumeSomeoneAttachesBeforeDeleteInstancesJoinsThePlanAndGoesWithTheInstance()
      throws Exception {
    WorldSpec.CloudWorld w = world();
    instance(w, "i-join000001", "PostPaid", false);
    disk(w, "vol-join00001", "i-join000001", false);
    w.faults.add(FaultRule.error("DeleteInstances", "InternalError", 6).message("try again"));
    start(w);
    h.create("joined", Provider.VOLCENGINE, REGION, "keys", List.of("i-join000001"), s -> {});
    await().atMost(WAIT).until(() -> sim.ledger().count("DeleteInstances") >= 1);
    CloudInstanceDeletion planned = h.get("joined");
    assertThat(planned.getStatus().getPhase()).isEqualTo(Phase.Terminating);
    assertThat(byId(planned).get("i-join000001").getDataDisks())
        .extracting(DiskStatus::getId)
        .containsExactly("vol-join00001");
    WorldSpec.Disk added = new WorldSpec.Disk();
    added.id = "vol-join00002";
    added.instanceId = "i-join000001";
    added.chargeType = "PostPaid";
    added.deleteWithInstance = true;
    sim.attachNewDisk(added);
    assertThat(sim.ledger().effectiveCount("DeleteInstances", "i-join000001"))
        .as("the attach came before the delete")
        .isZero();

    CloudInstanceDeletion r = h.awaitPhase("joined", Phase.Done, WAIT);
    assertThat(byId(r).get("i-join000001").getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction, DiskStatus::isReleased)
        .containsExactly(
            tuple("vol-join00001", DiskAction.Release, true),
            tuple("vol-join00002", DiskAction.ReleaseWithInstance, true));
    assertThat(r.getStatus().getDisks()).isEqualTo("2/2");
    assertThat(h.events("joined"))
        .as("one event, though the terminate was retried")
        .filteredOn(e -> "DiskJoined".equals(e.getReason()))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage()).contains("vol-join00002");
            });
    assertThat(sim.ledger().effectiveCount("DeleteInstances", "i-join000001")).isEqualTo(1);
    assertThat(sim.ledger().count("DeleteVolume", "vol-join00002"))
        .as("it went with the instance")
        .isZero();
    assertThat(deletedDisks())
        .containsEntry("vol-join00002", "with-instance")
        .containsEntry("vol-join00001", "DeleteVolume");
    assertThat(sim.volumeStatus("vol-join00002")).isEmpty();
    assertThat(sim.orphanedDisks(List.of("i-join000001"))).isEmpty();
  }

  private void setSecretKey(String sk) {
    h.client()
        .secrets()
        .inNamespace(h.ns())
        .withName("keys")
        .edit(
            s -> {
              s.setData(null);
              s.setStringData(Map.of("accessKeyId", AK, "secretAccessKey", sk));
              return s;
            });
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private static WorldSpec.CloudWorld world() {
    WorldSpec.CloudWorld w = new WorldSpec.CloudWorld();
    w.region = REGION;
    w.credentials.add(new WorldSpec.KeyPair(AK, SK));
    w.timingsMs.put("terminate", 200L);
    w.timingsMs.put("detach", 150L);
    w.timingsMs.put("release", 150L);
    return w;
  }

  private static void instance(
      WorldSpec.CloudWorld w, String id, String chargeType, boolean expired) {
    WorldSpec.Instance i = new WorldSpec.Instance();
    i.id = id;
    i.state = "RUNNING";
    i.chargeType = chargeType;
    i.expired = expired;
    w.instances.add(i);
  }

  private static void disk(
      WorldSpec.CloudWorld w, String id, String instanceId, boolean deleteWithInstance) {
    WorldSpec.Disk d = new WorldSpec.Disk();
    d.id = id;
    d.instanceId = instanceId;
    d.chargeType = "PostPaid";
    d.deleteWithInstance = deleteWithInstance;
    w.disks.add(d);
  }

  private static String volume(String instanceId, String suffix) {
    return "vol-" + instanceId.substring(2) + "-" + suffix;
  }

  private static FaultRule throttle(String action, int times) {
    return FaultRule.error(action, "FlowLimitExceeded", times)
        .message("Request was denied due to request throttling.");
  }

  private void start(WorldSpec.CloudWorld w) {
    sim = new VolcengineSimulator(w, Clock.systemUTC(), 7, "127.0.0.1", 0);
    h =
        onMock
            ? OperatorHarness.startOnMock(
                Map.of(VolcengineSimulator.PROVIDER, sim.endpoint()), ProviderRegistry.discover())
            : OperatorHarness.start(Map.of(VolcengineSimulator.PROVIDER, sim.endpoint()));
    h.secret("keys", Map.of("accessKeyId", AK, "secretAccessKey", SK));
  }

  @SuppressWarnings("unchecked")
  private Map<String, String> deletedDisks() {
    Map<String, Object> state = (Map<String, Object>) sim.state();
    Map<String, Object> world = (Map<String, Object>) state.get("world");
    return (Map<String, String>) world.get("deletedDisks");
  }

  private static Map<String, InstanceStatus> byId(CloudInstanceDeletion r) {
    return r.getStatus().getInstances().stream()
        .collect(Collectors.toMap(InstanceStatus::getId, Function.identity()));
  }

  private static Condition condition(CloudInstanceDeletion r, String type) {
    return r.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type));
  }

  private static void assertCondition(
      CloudInstanceDeletion r, String type, String status, String reason) {
    Condition c = condition(r, type);
    assertThat(c.getStatus()).as("condition %s", type).isEqualTo(status);
    assertThat(c.getReason()).as("reason of condition %s", type).isEqualTo(reason);
  }
}
