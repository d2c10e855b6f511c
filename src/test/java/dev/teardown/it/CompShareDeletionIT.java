package dev.teardown.it;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.DataDiskPolicy;
import dev.teardown.api.v1alpha1.DiskAction;
import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.api.v1alpha1.NotFoundPolicy;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.BatchResult;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.FaultRule;
import dev.teardown.sim.compshare.CompShareSimulator;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator on the embedded API against the CompShare simulator, through the real UCloud SDK and
 * the CompShare adapter. Every test checks the final status, the simulator's call ledger (effective
 * mutating calls per id) and the simulated world (no billed disk left behind).
 */
class CompShareDeletionIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String REGION = "cn-wlcb";
  private static final String ZONE = "cn-wlcb-01";
  private static final String DESCRIBE = "DescribeCompShareInstance";
  private static final String STOP = "StopCompShareInstance";
  private static final String TERMINATE = "TerminateCompShareInstance";
  private static final String DETACH = "DetachCompshareDisk";
  private static final String DELETE_DISK = "DeleteCompshareDisk";
  private static final Set<String> MUTATING = Set.of(STOP, TERMINATE, DETACH, DELETE_DISK);

  /** InstanceOperationInProgress (the per-instance operation lock) and Signature VerifyAC Error. */
  private static final String LOCKED = "8010";

  private static final String BAD_SIGNATURE = "171";

  private CompShareSimulator sim;
  private OperatorHarness h;
  private SimCloud cloud;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
    if (cloud != null) {
      cloud.close();
    }
  }

  // ---- the flow
  // ---------------------------------------------------------------------------------------------

  @Test
  void runningInstanceWithTwoDataDisksIsStoppedThenTerminatedWithItsDisks() {
    TestWorld w = world();
    w.instance("uhost-run00001").withDisks("bsm-r1a", "bsm-r1b");
    start(w);

    create("running", List.of("uhost-run00001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("running", Phase.Done, WAIT);

    CloudInstanceDeletionStatus st = r.getStatus();
    InstanceStatus is = st.getInstances().get(0);
    assertThat(is.getOutcome()).isEqualTo(InstanceOutcome.Gone);
    assertThat(is.getTerminateCalls()).isEqualTo(1);
    assertThat(is.getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction, DiskStatus::isReleased)
        .containsExactly(
            tuple("bsm-r1a", DiskAction.ReleaseWithInstance, true),
            tuple("bsm-r1b", DiskAction.ReleaseWithInstance, true));
    assertThat(st.getDisks()).isEqualTo("2/2");
    assertThat(st.getCompletedAt()).isNotNull();
    assertReady(st);

    List<CallLedger.Call> mutating = ledgerOf(sim).mutatingFor("uhost-run00001");
    assertThat(mutating)
        .extracting(CallLedger.Call::action, CallLedger.Call::outcome, CallLedger.Call::effective)
        .as("one stop, then one terminate, both accepted and effective")
        .containsExactly(tuple(STOP, "OK", true), tuple(TERMINATE, "OK", true));
    assertThat(mutating.get(0).params()).doesNotContainKey("Force");
    assertThat(mutating.get(1).params())
        .containsEntry("ReleaseUDisk", "true")
        .containsEntry("Zone", ZONE);
    // CompShare cannot show an unattached disk, so each disk reported gone is deleted once more
    // (idempotently):
    // the disks already went with the instance, so these calls change nothing.
    for (String disk : List.of("bsm-r1a", "bsm-r1b")) {
      assertThat(ledgerOf(sim).calls(c -> c.action().equals(DELETE_DISK) && c.ids().contains(disk)))
          .extracting(CallLedger.Call::outcome, CallLedger.Call::effective)
          .containsExactly(tuple("OK", false));
      assertThat(cloud.disk(disk)).containsEntry("state", "Deleted");
    }
    ledgerOf(sim).never(DETACH);
    List<CallLedger.Call> all = ledgerOf(sim).all();
    assertThat(all.subList(0, all.indexOf(mutating.get(0))))
        .as("the disks are recorded from the answer that shows the instance: one describe a pass")
        .hasSizeLessThanOrEqualTo(2)
        .allSatisfy(c -> assertThat(c.action()).isEqualTo("DescribeCompShareInstance"));
    assertThat(all.get(all.size() - 1).action())
        .as("a disk seen attached to nothing whose delete was accepted is released: no look after")
        .isEqualTo(DELETE_DISK);
    assertThat(cloud.instance("uhost-run00001")).containsEntry("state", "Deleted");
    assertThat(sim.orphanedDisks(List.of("uhost-run00001"))).isEmpty();
  }

  @Test
  void alreadyStoppedInstanceIsTerminatedWithoutAStop() {
    TestWorld w = world();
    w.instance("uhost-stp00001").stopped().withDisks("bsm-s1a");
    start(w);

    create("stopped", List.of("uhost-stp00001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("stopped", Phase.Done, WAIT);

    assertThat(r.getStatus().getInstances().get(0).getOutcome()).isEqualTo(InstanceOutcome.Gone);
    assertThat(r.getStatus().getDisks()).isEqualTo("1/1");
    assertThat(ledgerOf(sim).count(STOP)).as("no stop call for a stopped instance").isZero();
    assertThat(ledgerOf(sim).count(TERMINATE, "uhost-stp00001")).isEqualTo(1);
    ledgerOf(sim).effectiveOnce(TERMINATE, "uhost-stp00001");
    assertThat(sim.orphanedDisks(List.of("uhost-stp00001"))).isEmpty();
  }

  @Test
  void retainTerminatesWithoutTheDisksAndTouchesNoDisk() {
    TestWorld w = world();
    w.instance("uhost-ret00001").withDisks("bsm-k1a", "bsm-k1b");
    start(w);

    create("retain", List.of("uhost-ret00001"), s -> s.setDataDisks(DataDiskPolicy.Retain));
    CloudInstanceDeletion r = h.awaitPhase("retain", Phase.Done, WAIT);

    InstanceStatus is = r.getStatus().getInstances().get(0);
    assertThat(is.getOutcome()).isEqualTo(InstanceOutcome.Gone);
    assertThat(is.getDataDisks()).extracting(DiskStatus::getAction).containsOnly(DiskAction.Retain);
    assertThat(is.getDataDisks())
        .extracting(DiskStatus::getState)
        .as("kept, Available and billed: never shown Gone")
        .containsOnly("Unattached");
    assertThat(r.getStatus().getDisks()).isEqualTo("0/0, 2 kept");
    assertThat(ledgerOf(sim).calls(TERMINATE))
        .singleElement()
        .satisfies(c -> assertThat(c.params()).containsEntry("ReleaseUDisk", "false"));
    assertThat(ledgerOf(sim).count(DELETE_DISK)).as("no disk delete call").isZero();
    assertThat(ledgerOf(sim).count(DETACH)).as("no detach call").isZero();
    for (String disk : List.of("bsm-k1a", "bsm-k1b")) {
      assertThat(cloud.disk(disk))
          .containsEntry("state", "Available")
          .containsEntry("instanceId", null);
    }
    // The simulator counts every data disk of a deleted instance that still exists: both are, as
    // asked.
    assertThat(sim.orphanedDisks(List.of("uhost-ret00001")))
        .containsExactlyInAnyOrder("bsm-k1a", "bsm-k1b");
  }

  // ---- the cloud pushing back
  // ---------------------------------------------------------------------------------

  /**
   * Another client detaches a disk (2 s) just before the deletion starts: the instance is Stopped,
   * so the operator terminates and meets the operation lock. It must record the error and the time
   * of the next attempt, honour the lock's "retry after" instead of hammering, then finish. The
   * disk the other client detached before Teardown's terminate was taken on purpose: it is kept
   * (Retain, Warning event DiskTaken), never released.
   */
  @Test
  void operationLockHeldByAnotherClientIsWaitedOutWithoutACallStorm() throws Exception {
    TestWorld w = world();
    w.timing("detach", 2000);
    w.timing("lock", 2000);
    w.instance("uhost-lck00001").stopped().withDisks("bsm-l1a", "bsm-l1b");
    start(w);
    BatchResult other = outsider().detachDisks("uhost-lck00001", List.of("bsm-l1b"));
    assertThat(other.failures()).isEmpty();

    create("locked", List.of("uhost-lck00001"), s -> {});
    AtomicReference<CloudInstanceDeletionStatus> seen = new AtomicReference<>();
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(25))
        .until(
            () -> {
              CloudInstanceDeletionStatus st = h.get("locked").getStatus();
              if (st != null
                  && st.getLastError() != null
                  && LOCKED.equals(st.getLastError().getCode())
                  && st.getNextAttemptAt() != null) {
                seen.set(st);
                return true;
              }
              return false;
            });
    CloudInstanceDeletionStatus during = seen.get();
    assertThat(during.getPhase()).isEqualTo(Phase.Terminating);
    assertThat(during.getLastError().getAction()).isEqualTo(TERMINATE);
    assertThat(during.getLastError().getKind()).isEqualTo("Retryable");
    assertThat(during.getLastError().getMessage())
        .contains("InstanceOperationInProgress")
        .contains(DETACH);
    assertThat(during.getLastError().getRequestId()).isNotBlank();
    assertThat(during.getMessage()).contains("Retrying");
    Instant errorAt = Instant.parse(during.getLastError().getTime());
    Instant next = Instant.parse(during.getNextAttemptAt());
    assertThat(Duration.between(errorAt, next))
        .as("the lock's retry-after is honoured")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));

    CloudInstanceDeletion r = h.awaitPhase("locked", Phase.Done, WAIT);

    assertThat(r.getStatus().getNextAttemptAt()).isNull();
    assertThat(r.getStatus().getLastError().getCode())
        .as("the last error stays for the record")
        .isEqualTo(LOCKED);
    List<CallLedger.Call> terminates = ledgerOf(sim).calls(TERMINATE);
    List<CallLedger.Call> refused =
        terminates.stream().filter(c -> LOCKED.equals(c.outcome())).toList();
    assertThat(refused).as("refused while locked: no call storm").hasSizeBetween(1, 2);
    assertThat(terminates)
        .filteredOn(CallLedger.Call::effective)
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.at())
                    .as("not before the recorded next attempt")
                    .isAfterOrEqualTo(next));
    assertThat(ledgerOf(sim).calls(c -> LOCKED.equals(c.outcome()))).hasSameSizeAs(refused);
    assertThat(ledgerOf(sim).count(DETACH)).as("only the other client detached").isEqualTo(1);
    // bsm-l1a went with the instance; bsm-l1b had been detached by someone else before the
    // terminate: kept.
    ledgerOf(sim).never(DELETE_DISK, "bsm-l1b");
    ledgerOf(sim).neverEffective(DELETE_DISK, "bsm-l1a");
    assertThat(r.getStatus().getDisks()).isEqualTo("1/1, 1 kept");
    assertThat(r.getStatus().getInstances().get(0).getDataDisks())
        .filteredOn(d -> d.getId().equals("bsm-l1b"))
        .singleElement()
        .satisfies(d -> assertThat(d.getAction()).isEqualTo(DiskAction.Retain));
    assertThat(h.events("locked"))
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo("DiskTaken");
              assertThat(e.getMessage()).contains("bsm-l1b");
            });
    assertThat(sim.orphanedDisks(List.of("uhost-lck00001")))
        .as("only the disk someone took")
        .containsExactly("bsm-l1b");
    assertThat(h.events("locked"))
        .anySatisfy(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage()).contains("InstanceOperationInProgress");
            });
  }

  /**
   * Someone attaches a new disk while the instance is still stopping (3 s), after the plan was
   * recorded: right before Teardown's terminate its disks are listed again, so the new one joins
   * the plan (Warning event DiskJoined) and goes with the instance (ReleaseUDisk=true).
   */
  @Test
  void aDiskSomeoneAttachesWhileTheInstanceStopsJoinsThePlanAndGoesWithTheInstance() {
    TestWorld w = world();
    w.timing("stop", 3000);
    w.instance("uhost-joi00001").withDisks("bsm-j1a");
    start(w);

    create("joined", List.of("uhost-joi00001"), s -> {});
    await().atMost(WAIT).until(() -> ledgerOf(sim).effective(STOP, "uhost-joi00001") == 1);
    CloudInstanceDeletion planned = h.get("joined");
    assertThat(planned.getStatus().getPhase()).isEqualTo(Phase.Terminating);
    assertThat(planned.getStatus().getInstances().get(0).getDataDisks())
        .extracting(DiskStatus::getId)
        .containsExactly("bsm-j1a");
    sim.attachNewDisk(cloud.world().newDisk("bsm-j1b", "uhost-joi00001", false));
    assertThat(ledgerOf(sim).count(TERMINATE)).as("the attach came before the terminate").isZero();

    CloudInstanceDeletion r = h.awaitPhase("joined", Phase.Done, WAIT);
    assertThat(r.getStatus().getInstances().get(0).getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction, DiskStatus::isReleased)
        .containsExactly(
            tuple("bsm-j1a", DiskAction.ReleaseWithInstance, true),
            tuple("bsm-j1b", DiskAction.ReleaseWithInstance, true));
    assertThat(r.getStatus().getDisks()).isEqualTo("2/2");
    assertThat(h.events("joined"))
        .as("one event for the disk")
        .filteredOn(e -> "DiskJoined".equals(e.getReason()))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage()).contains("bsm-j1b");
            });
    assertThat(ledgerOf(sim).mutatingFor("uhost-joi00001"))
        .extracting(CallLedger.Call::action, CallLedger.Call::effective)
        .containsExactly(tuple(STOP, true), tuple(TERMINATE, true));
    assertThat(ledgerOf(sim).calls(TERMINATE))
        .singleElement()
        .satisfies(c -> assertThat(c.params()).containsEntry("ReleaseUDisk", "true"));
    // It went with the instance: the delete that confirms it changes nothing.
    ledgerOf(sim).neverEffective(DELETE_DISK, "bsm-j1b");
    assertThat(cloud.disk("bsm-j1b")).containsEntry("state", "Deleted");
    assertThat(sim.orphanedDisks(List.of("uhost-joi00001"))).isEmpty();
  }

  @Test
  void wrongKeysFailWithTheSignatureRetCodeAndChangeNothing() {
    TestWorld w = world();
    w.instance("uhost-key00001").withDisks("bsm-w1a");
    start(w);
    h.secret("wrong", w.secret(w.keyId(), "not-the-private-key"));

    h.create(
        "wrongkeys",
        Provider.UCLOUD_COMPSHARE,
        REGION,
        "wrong",
        List.of("uhost-key00001"),
        s -> s.setZone(ZONE));
    CloudInstanceDeletion r = h.awaitPhase("wrongkeys", Phase.Failed, WAIT);

    CloudInstanceDeletionStatus st = r.getStatus();
    assertThat(st.getLastError().getCode()).isEqualTo(BAD_SIGNATURE);
    assertThat(st.getLastError().getKind())
        .as("refused keys before any mutating call")
        .isEqualTo("Credentials");
    assertThat(condition(st, "CredentialsValid").getStatus()).isEqualTo("False");
    assertThat(st.getLastError().getMessage())
        .contains("Signature VerifyAC Error")
        .contains("privateKey");
    assertThat(st.getMessage()).startsWith(BAD_SIGNATURE + ":");
    Condition failed = condition(st, "Failed");
    assertThat(failed.getStatus()).isEqualTo("True");
    assertThat(failed.getReason()).contains(BAD_SIGNATURE);
    assertThat(failed.getMessage()).contains("Signature VerifyAC Error");
    assertThat(condition(st, "Ready").getStatus()).isEqualTo("False");
    assertThat(st.getNextAttemptAt()).isNull();

    ledgerOf(sim)
        .allCalls()
        .as("one refused describe, never retried")
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.action()).isEqualTo(DESCRIBE);
              assertThat(c.outcome()).isEqualTo(BAD_SIGNATURE);
              assertThat(c.effective()).isFalse();
            });
    assertThat(cloud.instance("uhost-key00001")).containsEntry("state", "Running");
    assertThat(cloud.disk("bsm-w1a")).containsEntry("state", "InUse");
  }

  @Test
  void instanceAlreadyGoneIsDoneWithoutAnyMutatingCall() {
    TestWorld w = world();
    w.instance("uhost-oth00001").withDisks("bsm-o1a");
    start(w);

    create("gone", List.of("uhost-gone0001"), s -> s.setIfNotFound(NotFoundPolicy.Ignore));
    CloudInstanceDeletion r = h.awaitPhase("gone", Phase.Done, WAIT);

    InstanceStatus is = r.getStatus().getInstances().get(0);
    assertThat(is.getOutcome()).isEqualTo(InstanceOutcome.NotFound);
    assertThat(r.getStatus().getMessage()).startsWith("0 instances deleted, 1 already gone");
    assertThat(is.getDataDisks()).isEmpty();
    assertThat(is.getTerminateCalls()).isNull();
    assertThat(r.getStatus().getDisks()).isEqualTo("0/0");
    assertReady(r.getStatus());
    ledgerOf(sim).noMutatingCalls();
    ledgerOf(sim)
        .allCalls()
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.action()).isEqualTo(DESCRIBE));
    assertThat(cloud.instance("uhost-oth00001")).containsEntry("state", "Running");
    assertThat(cloud.disk("bsm-o1a")).containsEntry("state", "InUse");
  }

  // ---- crashes and scale
  // ------------------------------------------------------------------------------------

  @Test
  void operatorRestartedAfterTheStopAndAfterTheTerminateTerminatesEachInstanceOnce() {
    TestWorld w = world();
    w.timing("stop", 600);
    w.timing("terminate", 800);
    w.instance("uhost-rst00001").withDisks("bsm-x1a", "bsm-x1b");
    w.instance("uhost-rst00002").withDisks("bsm-x2a", "bsm-x2b");
    List<String> ids = List.of("uhost-rst00001", "uhost-rst00002");
    start(w);

    create("restart", ids, s -> {});
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> !ledgerOf(sim).calls(c -> c.action().equals(STOP) && c.effective()).isEmpty());
    h.restartOperator();
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(10))
        .until(
            () ->
                !ledgerOf(sim).calls(c -> c.action().equals(TERMINATE) && c.effective()).isEmpty());
    h.stopOperator();
    int callsWhileDown = ledgerOf(sim).size();
    h.startOperator();
    CloudInstanceDeletion r = h.awaitPhase("restart", Phase.Done, WAIT);

    assertThat(ledgerOf(sim).size())
        .as("the restarted operator carried on")
        .isGreaterThan(callsWhileDown);
    for (String id : ids) {
      assertThat(ledgerOf(sim).effective(STOP, id)).as("effective stops of " + id).isEqualTo(1);
      assertThat(ledgerOf(sim).effective(TERMINATE, id))
          .as("effective terminates of " + id)
          .isEqualTo(1);
      assertThat(cloud.instance(id)).containsEntry("state", "Deleted");
    }
    assertThat(r.getStatus().getInstances())
        .extracting(InstanceStatus::getOutcome)
        .containsOnly(InstanceOutcome.Gone);
    assertThat(r.getStatus().getDisks()).isEqualTo("4/4");
    assertThat(ledgerOf(sim).calls(c -> MUTATING.contains(c.action()) && c.effective()))
        .extracting(CallLedger.Call::action)
        .containsOnly(STOP, TERMINATE);
    assertThat(sim.orphanedDisks(ids)).isEmpty();
  }

  @Test
  void twentyInstancesInFourDeletionsAreAllDoneWithNoOrphanedDisk() {
    TestWorld w = world();
    List<String> all = new ArrayList<>();
    for (int n = 0; n < 20; n++) {
      String id = String.format("uhost-bulk%04d", n);
      String state = n % 4 == 3 ? "Stopped" : "Running";
      w.instance(id)
          .state(state)
          .chargeType(n % 2 == 0 ? "Postpay" : "Dynamic")
          .withDisks("bsm-b" + n + "a", "bsm-b" + n + "b");
      all.add(id);
    }
    start(w);

    for (int g = 0; g < 4; g++) {
      create("bulk-" + g, all.subList(g * 5, g * 5 + 5), s -> {});
    }
    for (int g = 0; g < 4; g++) {
      CloudInstanceDeletion r = h.awaitPhase("bulk-" + g, Phase.Done, Duration.ofSeconds(60));
      assertThat(r.getStatus().getInstances())
          .hasSize(5)
          .extracting(InstanceStatus::getOutcome)
          .containsOnly(InstanceOutcome.Gone);
      assertThat(r.getStatus().getDisks()).isEqualTo("10/10");
    }

    for (int n = 0; n < 20; n++) {
      String id = all.get(n);
      assertThat(ledgerOf(sim).effective(STOP, id))
          .as("stops of " + id)
          .isEqualTo(n % 4 == 3 ? 0 : 1);
      assertThat(ledgerOf(sim).effective(TERMINATE, id)).as("terminates of " + id).isEqualTo(1);
      assertThat(
              ledgerOf(sim)
                  .calls(c -> c.action().equals(TERMINATE) && c.ids().contains(id))
                  .get(0)
                  .params())
          .containsEntry("ReleaseUDisk", "true");
    }
    assertThat(ledgerOf(sim).count(STOP))
        .as("stops only for the 15 running instances")
        .isEqualTo(15);
    assertThat(ledgerOf(sim).calls(c -> MUTATING.contains(c.action()) && !c.ok()))
        .as("no mutating call refused")
        .isEmpty();
    assertThat(sim.orphanedDisks(all)).isEmpty();
    assertThat(Stream.of("bsm-b0a", "bsm-b7b", "bsm-b19a").map(cloud::disk))
        .allSatisfy(d -> assertThat(d).containsEntry("state", "Deleted"));
  }

  @Test
  void spotInstanceIsStoppedWithForce() {
    TestWorld w = world();
    w.instance("uhost-spt00001").chargeType(null).spot().withDisks("bsm-p1a");
    start(w);

    create("spot", List.of("uhost-spt00001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("spot", Phase.Done, WAIT);

    assertThat(r.getStatus().getInstances().get(0).getChargeType()).isEqualTo("Spot");
    assertThat(r.getStatus().getInstances().get(0).getOutcome()).isEqualTo(InstanceOutcome.Gone);
    assertThat(ledgerOf(sim).calls(STOP))
        .as("one stop, with Force=true, accepted the first time")
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.params()).containsEntry("Force", "true");
              assertThat(c.outcome()).isEqualTo("OK");
              assertThat(c.effective()).isTrue();
            });
    ledgerOf(sim).effectiveOnce(TERMINATE, "uhost-spt00001");
    assertThat(sim.orphanedDisks(List.of("uhost-spt00001"))).isEmpty();
  }

  // ---- "Done" means gone
  // ------------------------------------------------------------------------------------

  @Test
  void aMistypedIdEndsFailedInstancesNotFoundAndTouchesNothing() {
    TestWorld w = world();
    w.instance("uhost-real0001").withDisks("bsm-real1");
    start(w);
    create("typo", List.of("uhost-typo0001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("typo", Phase.Failed, WAIT);
    assertThat(r.getStatus().getInstances().get(0).getOutcome())
        .isEqualTo(InstanceOutcome.NotFound);
    assertThat(condition(r.getStatus(), "Failed").getReason()).isEqualTo("InstancesNotFound");
    assertThat(h.events("typo"))
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo("InstancesNotFound");
              assertThat(e.getMessage()).contains("uhost-typo0001", REGION, ZONE);
            });
    ledgerOf(sim).noMutatingCalls();
    assertThat(cloud.instance("uhost-real0001")).containsEntry("state", "Running");
  }

  /**
   * The case: a stop refused once with 8039 "state [Stopping] does not allow ..." once led
   * to Done.
   */
  @Test
  void aStopRefusedForItsStateIsNotSuccessTheInstanceIsStoppedAndTerminatedForReal() {
    TestWorld w = world();
    w.instance("uhost-wst00001").withDisks("bsm-ws1");
    w.fault(
        FaultRule.error(STOP, "8039", 1)
            .message("state [Stopping] does not allow StopCompShareInstance"));
    start(w);
    create("wrongstate", List.of("uhost-wst00001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("wrongstate", Phase.Done, WAIT);
    assertThat(ledgerOf(sim).calls(STOP))
        .extracting(CallLedger.Call::outcome)
        .containsExactly("8039", "OK");
    ledgerOf(sim).effectiveOnce(TERMINATE, "uhost-wst00001");
    assertThat(cloud.instance("uhost-wst00001")).containsEntry("state", "Deleted");
    assertThat(r.getStatus().getInstances().get(0).getOutcome()).isEqualTo(InstanceOutcome.Gone);
    assertThat(sim.orphanedDisks(List.of("uhost-wst00001"))).isEmpty();
    assertThat(r.getStatus().getIntent())
        .as("the last mutating call was written before it was made")
        .satisfies(
            i -> {
              assertThat(i.getAction()).isEqualTo("ReleaseDisks");
              assertThat(i.getIds()).containsExactly("bsm-ws1");
              assertThat(i.getResult()).isEqualTo("Accepted");
            });
  }

  @Test
  void aThrottledDescribeIsRetriedNeverTerminal() {
    TestWorld w = world();
    w.instance("uhost-thr00001").stopped().withDisks("bsm-th1");
    w.fault(FaultRule.error(DESCRIBE, "150", 2).message("Request too frequent"));
    start(w);
    create("throttled", List.of("uhost-thr00001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("throttled", Phase.Done, WAIT);
    assertThat(r.getStatus().getLastError().getKind()).isEqualTo("Throttled");
    ledgerOf(sim).effectiveOnce(TERMINATE, "uhost-thr00001");
  }

  /**
   * A terminate that takes longer than the poll-based grace: the host shows Stopped meanwhile,
   * holding its lock.
   */
  @Test
  void aSlowTerminateIsNotSentAgainWhileTheHostStillShowsStopped() {
    TestWorld w = world();
    w.timing("terminate", 4000);
    w.timing("lock", 4000);
    w.instance("uhost-slw00001").stopped().withDisks("bsm-sl1");
    start(w);
    create("slow", List.of("uhost-slw00001"), s -> {});
    h.awaitPhase("slow", Phase.Done, WAIT);
    assertThat(ledgerOf(sim).calls(TERMINATE))
        .as("one terminate, none refused by the lock")
        .singleElement()
        .satisfies(c -> assertThat(c.outcome()).isEqualTo("OK"));
    assertThat(sim.orphanedDisks(List.of("uhost-slw00001"))).isEmpty();
  }

  @Test
  void aRecycledHostStillListedAsStoppedIsNeverTerminatedAgain() {
    TestWorld w = world();
    w.timing("recycleListed", 20_000);
    w.instance("uhost-rcy00001").stopped().prepaid().withDisks("bsm-rc1");
    start(w);
    create("recycled", List.of("uhost-rcy00001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("recycled", Phase.Done, WAIT);
    assertThat(r.getStatus().getInstances().get(0).getOutcome())
        .isEqualTo(InstanceOutcome.Recycled);
    assertThat(cloud.instance("uhost-rcy00001"))
        .as("listed as Stopped in the recycle bin")
        .containsEntry("state", "Stopped");
    // bounded look past several poll intervals and grace windows: still one terminate
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(6))
        .until(() -> ledgerOf(sim).count(TERMINATE) == 1);
    ledgerOf(sim).never(DETACH);
    assertThat(r.getStatus().getMessage()).contains("1 in the recycle bin");
  }

  @Test
  void keysRefusedAfterTheStopWaitWithCredentialsValidFalseAndResumeWhenTheSecretIsFixed() {
    TestWorld w = world();
    w.timing("stop", 2000);
    w.instance("uhost-key00002").withDisks("bsm-k2a");
    start(w);
    create("rotated", List.of("uhost-key00002"), s -> {});
    await().atMost(WAIT).until(() -> ledgerOf(sim).effective(STOP, "uhost-key00002") == 1);
    setPrivateKey("rotated-away-9d2e");
    await()
        .atMost(WAIT)
        .until(
            () -> {
              Condition c = condition(h.get("rotated").getStatus(), "CredentialsValid");
              return c != null && "False".equals(c.getStatus());
            });
    CloudInstanceDeletionStatus waiting = h.get("rotated").getStatus();
    assertThat(waiting.getPhase()).isNotIn(Phase.Failed, Phase.Done);
    assertThat(condition(waiting, "CredentialsValid").getMessage())
        .contains("Secret " + h.ns() + "/keys", "publicKey")
        .doesNotContain("rotated-away-9d2e");
    setPrivateKey(cloud.world().secretKey());
    h.awaitPhase("rotated", Phase.Done, WAIT);
    ledgerOf(sim).effectiveOnce(TERMINATE, "uhost-key00002");
    assertThat(sim.orphanedDisks(List.of("uhost-key00002"))).isEmpty();
  }

  private void setPrivateKey(String key) {
    h.client()
        .secrets()
        .inNamespace(h.ns())
        .withName("keys")
        .edit(
            s -> {
              s.setData(null);
              s.setStringData(cloud.world().secret(cloud.world().keyId(), key));
              return s;
            });
  }

  // ---- helpers
  // ----------------------------------------------------------------------------------------------

  /** Fast transitions; the lock lasts as long as the operation holding it (at most 1.5 s). */
  private static TestWorld world() {
    return TestWorld.of(Provider.UCLOUD_COMPSHARE)
        .keys("test-public-key", "test-private-key")
        .timing("stop", 200)
        .timing("terminate", 200)
        .timing("detach", 100)
        .timing("lock", 1500);
  }

  private void start(TestWorld w) {
    cloud = w.start();
    sim = cloud.sim();
    h = OperatorHarness.start(cloud.endpoints());
    h.secret("keys", w.secret());
  }

  private void create(String name, List<String> ids, Consumer<CloudInstanceDeletionSpec> adjust) {
    h.create(
        name,
        Provider.UCLOUD_COMPSHARE,
        REGION,
        "keys",
        ids,
        s -> {
          s.setZone(ZONE);
          adjust.accept(s);
        });
  }

  /** Another client of the same account, acting on the cloud behind the operator's back. */
  private CloudProvider outsider() throws Exception {
    return cloud.connect();
  }

  private static void assertReady(CloudInstanceDeletionStatus st) {
    Condition ready = condition(st, "Ready");
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getReason()).isEqualTo("Deleted");
    assertThat(condition(st, "Failed").getStatus()).isEqualTo("False");
    assertThat(condition(st, "Progressing").getStatus()).isEqualTo("False");
  }

  private static Condition condition(CloudInstanceDeletionStatus st, String type) {
    return st.getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no condition " + type + " in " + st.getConditions()));
  }
}
