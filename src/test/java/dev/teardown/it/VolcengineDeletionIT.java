package dev.teardown.it;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
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
import dev.teardown.sim.volcengine.VolcengineSimulator;
import dev.teardown.testing.LedgerAssert;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  private SimCloud cloud;
  private VolcengineSimulator sim;
  private OperatorHarness h;

  /** The next start() runs on the mock API (a spec change a real server refuses). */
  private boolean onMock;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
    if (cloud != null) {
      cloud.close();
    }
  }

  // ------------------------------------------------------------------------------------------------ flows

  @Test
  void postpaidInstanceLosesItsVolumesWithItAndTheSurvivingOneIsDeletedSeparately() {
    TestWorld w = world();
    w.instance("i-post000001");
    w.disk("vol-dwi000001").on("i-post000001").deleteWithInstance();
    w.disk("vol-dwi000002").on("i-post000001").deleteWithInstance();
    w.disk("vol-keep00001").on("i-post000001");
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

    LedgerAssert l = ledgerOf(sim);
    assertThat(l.count("DeleteInstances")).isEqualTo(1);
    assertThat(l.effective("DeleteInstances", "i-post000001")).isEqualTo(1);
    assertThat(
            l.calls(c -> c.action().equals("DeleteInstances")).get(0).params().get("ClientToken"))
        .as("DeleteInstances carries the idempotency token")
        .startsWith("td-");
    assertThat(l.count("DeleteVolume", "vol-dwi000001") + l.count("DeleteVolume", "vol-dwi000002"))
        .as("volumes with DeleteWithInstance go with the instance, no call needed")
        .isZero();
    assertThat(l.effective("DeleteVolume", "vol-keep00001")).isEqualTo(1);
    assertThat(l.count("DeleteVolume")).isEqualTo(1);
    assertThat(l.count("DetachVolume"))
        .as("the surviving volume came loose with its instance, so nothing needed detaching")
        .isZero();
    assertThat(l.calls(c -> !c.ok())).isEmpty();
    List<CallLedger.Call> all = l.all();
    int delete = all.indexOf(l.calls("DeleteInstances").get(0));
    assertThat(all.subList(0, delete))
        .extracting(CallLedger.Call::action)
        .as(
            "the pass that records the volumes the instance lists deletes it: one look at the"
                + " instance and one at its volumes before DeleteInstances, none again")
        .containsExactly("DescribeInstances", "DescribeVolumes");
    assertThat(l.calls(c -> c.action().equals("DescribeVolumes")))
        .as("volumes are looked up by id, never by instance, as the instance lists them")
        .noneSatisfy(c -> assertThat(c.params()).containsKey("InstanceId"));

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
    TestWorld w = world();
    w.instance("i-norm000001");
    w.disk("vol-norm00001").on("i-norm000001").deleteWithInstance();
    w.disk("vol-norm00002").on("i-norm000001");
    w.instance("i-prep000001").prepaid();
    w.disk("vol-prep00001").on("i-prep000001");
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

    LedgerAssert l = ledgerOf(sim);
    assertThat(l.count("DeleteInstances", "i-prep000001"))
        .as("the unexpired prepaid instance is refused before any call")
        .isZero();
    assertThat(l.count("DeleteInstances", "i-gone000001")).isZero();
    assertThat(l.count("DeleteInstances", "i-norm000001")).isEqualTo(1);
    assertThat(l.effective("DeleteInstances", "i-norm000001")).isEqualTo(1);
    assertThat(l.effective("DeleteVolume", "vol-norm00002")).isEqualTo(1);
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
    TestWorld w = world();
    // the accepted deletion stays queued (instance still RUNNING) past the lost answer, so the
    // operator sees a
    // deletable instance and sends DeleteInstances again
    w.timing("terminateLag", 3500);
    w.instance("i-lost000001");
    w.disk("vol-lost00001").on("i-lost000001").deleteWithInstance();
    w.disk("vol-lost00002").on("i-lost000001");
    FaultRule lost =
        new FaultRule()
            .type(FaultRule.Type.TIMEOUT_AFTER_APPLY)
            .delayMs(2600); // > the 2 s read timeout
    lost.action = "DeleteInstances";
    w.fault(lost);
    start(w);

    h.create("lost", Provider.VOLCENGINE, REGION, "keys", List.of("i-lost000001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("lost", Phase.Done, WAIT);

    List<CallLedger.Call> deletes = ledgerOf(sim).calls("DeleteInstances");
    assertThat(deletes).as("the first answer was lost, so the operator asked again").hasSize(2);
    assertThat(deletes).allSatisfy(c -> assertThat(c.ok()).isTrue());
    assertThat(deletes.get(1).params().get("ClientToken"))
        .isNotBlank()
        .isEqualTo(deletes.get(0).params().get("ClientToken"));
    assertThat(deletes).extracting(CallLedger.Call::effective).containsExactly(true, false);
    ledgerOf(sim).effectiveOnce("DeleteInstances", "i-lost000001");

    InstanceStatus is = r.getStatus().getInstances().get(0);
    assertThat(is.getOutcome()).isEqualTo(InstanceOutcome.Gone);
    assertThat(is.getTerminateCalls()).as("only answered calls count as attempts").isEqualTo(1);
    assertThat(r.getStatus().getLastError().getCode()).isEqualTo("NetworkError");
    assertThat(r.getStatus().getLastError().getAction()).isEqualTo("DeleteInstances");
    assertThat(r.getStatus().getLastError().getKind()).isEqualTo("Retryable");
    assertThat(r.getStatus().getDisks()).isEqualTo("2/2");
    ledgerOf(sim).effectiveOnce("DeleteVolume", "vol-lost00002");
    assertThat(sim.orphanedDisks(List.of("i-lost000001"))).isEmpty();
  }

  @Test
  void aThrottlingStormSlowsTheDeletionDownButItStillEndsDone() {
    TestWorld w = world();
    w.instance("i-thro000001");
    w.disk("vol-thro00001").on("i-thro000001").deleteWithInstance();
    w.disk("vol-thro00002").on("i-thro000001");
    w.fault(throttle("DescribeInstances", 1));
    w.fault(throttle("DescribeVolumes", 1));
    w.fault(throttle("DeleteInstances", 2));
    w.fault(throttle("DeleteVolume", 2));
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

    LedgerAssert l = ledgerOf(sim);
    Map<String, Long> throttled =
        l.calls(c -> c.outcome().equals("FlowLimitExceeded")).stream()
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
    assertThat(l.calls(c -> c.outcome().equals("FlowLimitExceeded")))
        .noneMatch(CallLedger.Call::effective);
    assertThat(l.effective("DeleteInstances", "i-thro000001")).isEqualTo(1);
    assertThat(l.count("DeleteInstances")).isEqualTo(3);
    assertThat(l.effective("DeleteVolume", "vol-thro00002")).isEqualTo(1);
    assertThat(sim.orphanedDisks(List.of("i-thro000001"))).isEmpty();
    assertThat(h.events("storm"))
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("FlowLimitExceeded"));
  }

  @Test
  void wrongKeysFailWithSignatureDoesNotMatchAndTouchNothing() {
    TestWorld w = world();
    w.instance("i-keys000001");
    w.disk("vol-keys00001").on("i-keys000001");
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

    ledgerOf(sim)
        .allCalls()
        .isNotEmpty()
        .allSatisfy(
            c -> {
              assertThat(c.outcome()).isEqualTo("SignatureDoesNotMatch");
              assertThat(c.effective()).isFalse();
            });
    ledgerOf(sim).noMutatingCalls();
    assertThat(sim.instanceStatus("i-keys000001")).contains("RUNNING");
    assertThat(sim.volumeStatus("vol-keys00001")).contains("attached");
  }

  @Test
  void restartsOfTheOperatorMidFlowNeverDeleteTwice() {
    TestWorld w = world();
    w.timing("terminate", 800);
    w.timing("release", 800);
    List<String> ids = List.of("i-rest000001", "i-rest000002", "i-rest000003");
    for (String id : ids) {
      w.instance(id);
      w.disk(volume(id, "a")).on(id).deleteWithInstance();
      w.disk(volume(id, "b")).on(id);
    }
    start(w);

    h.create("restart", Provider.VOLCENGINE, REGION, "keys", ids, s -> {});
    h.awaitPhase("restart", Phase.AwaitingShutdown, WAIT);
    h.restartOperator();
    h.awaitPhase("restart", Phase.ReleasingDisks, WAIT);
    h.restartOperator();
    CloudInstanceDeletion r = h.awaitPhase("restart", Phase.Done, WAIT);

    LedgerAssert l = ledgerOf(sim);
    for (String id : ids) {
      assertThat(l.count("DeleteInstances", id)).as("DeleteInstances naming %s", id).isEqualTo(1);
      assertThat(l.effective("DeleteInstances", id)).isEqualTo(1);
      assertThat(l.count("DeleteVolume", volume(id, "b")))
          .as("DeleteVolume of %s", volume(id, "b"))
          .isEqualTo(1);
      assertThat(l.effective("DeleteVolume", volume(id, "b"))).isEqualTo(1);
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
    TestWorld w = world();
    List<String> ids = new ArrayList<>();
    for (int n = 1; n <= 20; n++) {
      String id = String.format("i-many%06d", n);
      ids.add(id);
      w.instance(id);
      w.disk(volume(id, "a")).on(id).deleteWithInstance();
      w.disk(volume(id, "b")).on(id);
    }
    start(w);

    h.create("many", Provider.VOLCENGINE, REGION, "keys", ids, s -> {});
    CloudInstanceDeletion r = h.awaitPhase("many", Phase.Done, WAIT);

    assertThat(r.getStatus().getInstances())
        .hasSize(20)
        .allSatisfy(i -> assertThat(i.getOutcome()).isEqualTo(InstanceOutcome.Gone));
    assertThat(r.getStatus().getDisks()).isEqualTo("40/40");
    LedgerAssert l = ledgerOf(sim);
    List<CallLedger.Call> accepted = l.calls(c -> c.action().equals("DeleteInstances") && c.ok());
    assertThat(accepted)
        .as("one batch call for all 20 (the limit is 100)")
        .singleElement()
        .satisfies(c -> assertThat(c.ids()).containsExactlyInAnyOrderElementsOf(ids));
    for (String id : ids) {
      assertThat(l.effective("DeleteInstances", id)).isEqualTo(1);
      assertThat(l.effective("DeleteVolume", volume(id, "b"))).isEqualTo(1);
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
    TestWorld w = world();
    w.instance("i-retn000001");
    w.disk("vol-retn00001").on("i-retn000001");
    w.disk("vol-retn00002").on("i-retn000001");
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
    LedgerAssert l = ledgerOf(sim);
    assertThat(l.effective("DeleteInstances", "i-retn000001")).isEqualTo(1);
    assertThat(l.count("DeleteVolume")).isZero();
    assertThat(l.count("DetachVolume")).isZero();
    assertThat(sim.instanceStatus("i-retn000001")).isEmpty();
    assertThat(sim.volumeStatus("vol-retn00001")).contains("available");
    assertThat(sim.volumeStatus("vol-retn00002")).contains("available");
  }

  @Test
  void retainWithAVolumeThatDiesWithItsInstanceFailsBeforeAnyMutatingCall() {
    TestWorld w = world();
    w.instance("i-rdwi000001");
    w.disk("vol-rdwi00001").on("i-rdwi000001");
    w.disk("vol-rdwi00002").on("i-rdwi000001").deleteWithInstance();
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
    ledgerOf(sim).noMutatingCalls();
    assertThat(sim.instanceStatus("i-rdwi000001")).contains("RUNNING");
    assertThat(sim.volumeStatus("vol-rdwi00001")).contains("attached");
    assertThat(sim.volumeStatus("vol-rdwi00002")).contains("attached");
  }

  // ------------------------------------------------------------------------------------------------ "Done" means gone

  @Test
  void aMistypedIdEndsFailedInstancesNotFoundAndTouchesNothing() {
    TestWorld w = world();
    w.instance("i-real000001");
    w.disk("vol-real00001").on("i-real000001");
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
    ledgerOf(sim).noMutatingCalls();
    assertThat(sim.instanceStatus("i-real000001")).isPresent();
  }

  @Test
  void keysRefusedAfterDeleteInstancesWaitWithCredentialsValidFalseAndResumeWhenTheSecretIsFixed() {
    TestWorld w = world();
    w.timing("terminate", 2000);
    w.instance("i-rota000001");
    w.disk("vol-rota00001").on("i-rota000001");
    start(w);
    h.create("rotated", Provider.VOLCENGINE, REGION, "keys", List.of("i-rota000001"), s -> {});
    await()
        .atMost(WAIT)
        .until(() -> ledgerOf(sim).effective("DeleteInstances", "i-rota000001") == 1);
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
    ledgerOf(sim).effectiveOnce("DeleteInstances", "i-rota000001");
    assertThat(r.getStatus().getIntent().getAction()).isEqualTo("ReleaseDisks");
    assertThat(r.getStatus().getIntent().getResult()).isEqualTo("Accepted");
    assertThat(ledgerOf(sim).calls("DeleteVolume"))
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
    TestWorld w = world();
    w.timing("terminate", 2000);
    w.instance("i-chg0000001");
    w.instance("i-chg0000002");
    start(w);
    h.create("changed", Provider.VOLCENGINE, REGION, "keys", List.of("i-chg0000001"), s -> {});
    await()
        .atMost(WAIT)
        .until(() -> ledgerOf(sim).effective("DeleteInstances", "i-chg0000001") == 1);
    h.patchSpec("changed", "{\"instanceIds\":[\"i-chg0000002\"]}");
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
    assertThat(ledgerOf(sim).count("DeleteInstances", "i-chg0000002"))
        .as("the new id is never touched")
        .isZero();
    assertThat(sim.instanceStatus("i-chg0000002")).isPresent();
  }

  @Test
  void aRecordedVolumeSomeoneDetachesBeforeDeleteInstancesIsKeptNeverDeleted() throws Exception {
    TestWorld w = world();
    w.instance("i-take000001");
    w.disk("vol-take00001").on("i-take000001");
    w.disk("vol-take00002").on("i-take000001");
    w.fault(FaultRule.error("DeleteInstances", "InternalError", 6).message("try again"));
    start(w);
    h.create("taken", Provider.VOLCENGINE, REGION, "keys", List.of("i-take000001"), s -> {});
    await().atMost(WAIT).until(() -> ledgerOf(sim).count("DeleteInstances") >= 1);
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
    ledgerOf(sim).neverEffective("DeleteInstances", "i-take000001");

    CloudInstanceDeletion r = h.awaitPhase("taken", Phase.Done, WAIT);
    assertThat(byId(r).get("i-take000001").getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction)
        .containsExactly(
            tuple("vol-take00001", DiskAction.Release), tuple("vol-take00002", DiskAction.Retain));
    ledgerOf(sim).never("DeleteVolume", "vol-take00002");
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
    TestWorld w = world();
    w.instance("i-join000001");
    w.disk("vol-join00001").on("i-join000001");
    w.fault(FaultRule.error("DeleteInstances", "InternalError", 6).message("try again"));
    start(w);
    h.create("joined", Provider.VOLCENGINE, REGION, "keys", List.of("i-join000001"), s -> {});
    await().atMost(WAIT).until(() -> ledgerOf(sim).count("DeleteInstances") >= 1);
    CloudInstanceDeletion planned = h.get("joined");
    assertThat(planned.getStatus().getPhase()).isEqualTo(Phase.Terminating);
    assertThat(byId(planned).get("i-join000001").getDataDisks())
        .extracting(DiskStatus::getId)
        .containsExactly("vol-join00001");
    sim.attachNewDisk(cloud.world().newDisk("vol-join00002", "i-join000001", true));
    assertThat(ledgerOf(sim).effective("DeleteInstances", "i-join000001"))
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
    ledgerOf(sim).effectiveOnce("DeleteInstances", "i-join000001");
    assertThat(ledgerOf(sim).count("DeleteVolume", "vol-join00002"))
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

  private static TestWorld world() {
    return TestWorld.of(Provider.VOLCENGINE)
        .region(REGION)
        .keys(AK, SK)
        .timing("terminate", 200)
        .timing("detach", 150)
        .timing("release", 150);
  }

  private static String volume(String instanceId, String suffix) {
    return "vol-" + instanceId.substring(2) + "-" + suffix;
  }

  private static FaultRule throttle(String action, int times) {
    return FaultRule.error(action, "FlowLimitExceeded", times)
        .message("Request was denied due to request throttling.");
  }

  private void start(TestWorld w) {
    cloud = w.start();
    sim = cloud.sim();
    h =
        onMock
            ? OperatorHarness.startOnMock(cloud.endpoints(), ProviderRegistry.discover())
            : OperatorHarness.start(cloud.endpoints());
    h.secret("keys", w.secret());
  }

  @SuppressWarnings("unchecked")
  private Map<String, String> deletedDisks() {
    return (Map<String, String>) cloud.state().get("deletedDisks");
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
