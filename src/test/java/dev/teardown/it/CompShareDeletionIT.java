package dev.teardown.it;

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
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.cloud.Credentials;
import dev.teardown.cloud.compshare.CompShareProviderFactory;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.FaultRule;
import dev.teardown.sim.WorldSpec;
import dev.teardown.sim.compshare.CompShareSimulator;
import dev.teardown.sim.compshare.CompShareTestWorlds;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
  private static final String REGION = CompShareTestWorlds.REGION;
  private static final String ZONE = CompShareTestWorlds.ZONE;
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
  private final List<CloudProvider> outsiders = new ArrayList<>();

  @AfterEach
  void stop() {
    outsiders.forEach(CloudProvider::close);
    if (h != null) {
      h.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  // ---- the flow
  // ---------------------------------------------------------------------------------------------

  @Test
  void runningInstanceWithTwoDataDisksIsStoppedThenTerminatedWithItsDisks() {
    WorldSpec.CloudWorld w = world();
    instance(w, "uhost-run00001", "Running", "Postpay", false, "bsm-r1a", "bsm-r1b");
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

    List<CallLedger.Call> mutating = mutatingCalls("uhost-run00001");
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
      assertThat(
              sim.ledger().matching(c -> c.action().equals(DELETE_DISK) && c.ids().contains(disk)))
          .extracting(CallLedger.Call::outcome, CallLedger.Call::effective)
          .containsExactly(tuple("OK", false));
      assertThat(simDisk(disk)).containsEntry("state", "Deleted");
    }
    assertThat(sim.ledger().count(DETACH)).isZero();
    assertThat(simInstance("uhost-run00001")).containsEntry("state", "Deleted");
    assertThat(sim.orphanedDisks(List.of("uhost-run00001"))).isEmpty();
  }

  @Test
  void alreadyStoppedInstanceIsTerminatedWithoutAStop() {
    WorldSpec.CloudWorld w = world();
    instance(w, "uhost-stp00001", "Stopped", "Postpay", false, "bsm-s1a");
    start(w);

    create("stopped", List.of("uhost-stp00001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("stopped", Phase.Done, WAIT);

    assertThat(r.getStatus().getInstances().get(0).getOutcome()).isEqualTo(InstanceOutcome.Gone);
    assertThat(r.getStatus().getDisks()).isEqualTo("1/1");
    assertThat(sim.ledger().count(STOP)).as("no stop call for a stopped instance").isZero();
    assertThat(sim.ledger().count(TERMINATE, "uhost-stp00001")).isEqualTo(1);
    assertThat(sim.ledger().effectiveCount(TERMINATE, "uhost-stp00001")).isEqualTo(1);
    assertThat(sim.orphanedDisks(List.of("uhost-stp00001"))).isEmpty();
  }

  @Test
  void retainTerminatesWithoutTheDisksAndTouchesNoDisk() {
    WorldSpec.CloudWorld w = world();
    instance(w, "uhost-ret00001", "Running", "Postpay", false, "bsm-k1a", "bsm-k1b");
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
    assertThat(sim.ledger().matching(c -> c.action().equals(TERMINATE)))
        .singleElement()
        .satisfies(c -> assertThat(c.params()).containsEntry("ReleaseUDisk", "false"));
    assertThat(sim.ledger().count(DELETE_DISK)).as("no disk delete call").isZero();
    assertThat(sim.ledger().count(DETACH)).as("no detach call").isZero();
    for (String disk : List.of("bsm-k1a", "bsm-k1b")) {
      assertThat(simDisk(disk))
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
    WorldSpec.CloudWorld w = world();
    w.timingsMs.put("detach", 2000L);
    w.timingsMs.put("lock", 2000L);
    instance(w, "uhost-lck00001", "Stopped", "Postpay", false, "bsm-l1a", "bsm-l1b");
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
    List<CallLedger.Call> terminates = sim.ledger().matching(c -> c.action().equals(TERMINATE));
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
    assertThat(sim.ledger().matching(c -> LOCKED.equals(c.outcome()))).hasSameSizeAs(refused);
    assertThat(sim.ledger().count(DETACH)).as("only the other client detached").isEqualTo(1);
    // bsm-l1a went with the instance; bsm-l1b had been detached by someone else before the
    // terminate: kept.
    assertThat(sim.ledger().count(DELETE_DISK, "bsm-l1b")).isZero();
    assertThat(sim.ledger().effectiveCount(DELETE_DISK, "bsm-l1a")).isZero();
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
    WorldSpec.CloudWorld w = world();
    w.timingsMs.put("stop", 3000L);
    instance(w, "uhost-joi00001", "Running", "Postpay", false, "bsm-j1a");
    start(w);

    create("joined", List.of("uhost-joi00001"), s -> {});
    await().atMost(WAIT).until(() -> sim.ledger().effectiveCount(STOP, "uhost-joi00001") == 1);
    CloudInstanceDeletion planned = h.get("joined");
    assertThat(planned.getStatus().getPhase()).isEqualTo(Phase.Terminating);
    assertThat(planned.getStatus().getInstances().get(0).getDataDisks())
        .extracting(DiskStatus::getId)
        .containsExactly("bsm-j1a");
    sim.attachNewDisk(CompShareTestWorlds.disk("bsm-j1b", "uhost-joi00001"));
    assertThat(sim.ledger().count(TERMINATE)).as("the attach came before the terminate").isZero();

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
    assertThat(mutatingCalls("uhost-joi00001"))
        .extracting(CallLedger.Call::action, CallLedger.Call::effective)
        .containsExactly(tuple(STOP, true), tuple(TERMINATE, true));
    assertThat(sim.ledger().matching(c -> c.action().equals(TERMINATE)))
        .singleElement()
        .satisfies(c -> assertThat(c.params()).containsEntry("ReleaseUDisk", "true"));
    // It went with the instance: the delete that confirms it changes nothing.
    assertThat(sim.ledger().effectiveCount(DELETE_DISK, "bsm-j1b")).isZero();
    assertThat(simDisk("bsm-j1b")).containsEntry("state", "Deleted");
    assertThat(sim.orphanedDisks(List.of("uhost-joi00001"))).isEmpty();
  }

  @Test
  void wrongKeysFailWithTheSignatureRetCodeAndChangeNothing() {
    WorldSpec.CloudWorld w = world();
    instance(w, "uhost-key00001", "Running", "Postpay", false, "bsm-w1a");
    start(w);
    h.secret(
        "wrong",
        Map.of(
            CompShareProviderFactory.PUBLIC_KEY,
            CompShareTestWorlds.PUBLIC_KEY,
            CompShareProviderFactory.PRIVATE_KEY,
            "not-the-private-key"));

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

    assertThat(sim.ledger().all())
        .as("one refused describe, never retried")
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.action()).isEqualTo(DESCRIBE);
              assertThat(c.outcome()).isEqualTo(BAD_SIGNATURE);
              assertThat(c.effective()).isFalse();
            });
    assertThat(simInstance("uhost-key00001")).containsEntry("state", "Running");
    assertThat(simDisk("bsm-w1a")).containsEntry("state", "InUse");
  }

  @Test
  void instanceAlreadyGoneIsDoneWithoutAnyMutatingCall() {
    WorldSpec.CloudWorld w = world();
    instance(w, "uhost-oth00001", "Running", "Postpay", false, "bsm-o1a");
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
    assertThat(sim.ledger().countAny(MUTATING)).isZero();
    assertThat(sim.ledger().all())
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.action()).isEqualTo(DESCRIBE));
    assertThat(simInstance("uhost-oth00001")).containsEntry("state", "Running");
    assertThat(simDisk("bsm-o1a")).containsEntry("state", "InUse");
  }

  // ---- crashes and scale
  // ------------------------------------------------------------------------------------

  @Test
  void operatorRestartedAfterTheStopAndAfterTheTerminateTerminatesEachInstanceOnce() {
    WorldSpec.CloudWorld w = world();
    w.timingsMs.put("stop", 600L);
    w.timingsMs.put("terminate", 800L);
    instance(w, "uhost-rst00001", "Running", "Postpay", false, "bsm-x1a", "bsm-x1b");
    instance(w, "uhost-rst00002", "Running", "Postpay", false, "bsm-x2a", "bsm-x2b");
    List<String> ids = List.of("uhost-rst00001", "uhost-rst00002");
    start(w);

    create("restart", ids, s -> {});
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> !sim.ledger().matching(c -> c.action().equals(STOP) && c.effective()).isEmpty());
    h.restartOperator();
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(10))
        .until(
            () ->
                !sim.ledger()
                    .matching(c -> c.action().equals(TERMINATE) && c.effective())
                    .isEmpty());
    h.stopOperator();
    int callsWhileDown = sim.ledger().size();
    h.startOperator();
    CloudInstanceDeletion r = h.awaitPhase("restart", Phase.Done, WAIT);

    assertThat(sim.ledger().size())
        .as("the restarted operator carried on")
        .isGreaterThan(callsWhileDown);
    for (String id : ids) {
      assertThat(sim.ledger().effectiveCount(STOP, id)).as("effective stops of " + id).isEqualTo(1);
      assertThat(sim.ledger().effectiveCount(TERMINATE, id))
          .as("effective terminates of " + id)
          .isEqualTo(1);
      assertThat(simInstance(id)).containsEntry("state", "Deleted");
    }
    assertThat(r.getStatus().getInstances())
        .extracting(InstanceStatus::getOutcome)
        .containsOnly(InstanceOutcome.Gone);
    assertThat(r.getStatus().getDisks()).isEqualTo("4/4");
    assertThat(sim.ledger().matching(c -> MUTATING.contains(c.action()) && c.effective()))
        .extracting(CallLedger.Call::action)
        .containsOnly(STOP, TERMINATE);
    assertThat(sim.orphanedDisks(ids)).isEmpty();
  }

  @Test
  void twentyInstancesInFourDeletionsAreAllDoneWithNoOrphanedDisk() {
    WorldSpec.CloudWorld w = world();
    List<String> all = new ArrayList<>();
    for (int n = 0; n < 20; n++) {
      String id = String.format("uhost-bulk%04d", n);
      String state = n % 4 == 3 ? "Stopped" : "Running";
      instance(
          w,
          id,
          state,
          n % 2 == 0 ? "Postpay" : "Dynamic",
          false,
          "bsm-b" + n + "a",
          "bsm-b" + n + "b");
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
      assertThat(sim.ledger().effectiveCount(STOP, id))
          .as("stops of " + id)
          .isEqualTo(n % 4 == 3 ? 0 : 1);
      assertThat(sim.ledger().effectiveCount(TERMINATE, id)).as("terminates of " + id).isEqualTo(1);
      assertThat(
              sim.ledger()
                  .matching(c -> c.action().equals(TERMINATE) && c.ids().contains(id))
                  .get(0)
                  .params())
          .containsEntry("ReleaseUDisk", "true");
    }
    assertThat(sim.ledger().count(STOP))
        .as("stops only for the 15 running instances")
        .isEqualTo(15);
    assertThat(sim.ledger().matching(c -> MUTATING.contains(c.action()) && !c.ok()))
        .as("no mutating call refused")
        .isEmpty();
    assertThat(sim.orphanedDisks(all)).isEmpty();
    assertThat(Stream.of("bsm-b0a", "bsm-b7b", "bsm-b19a").map(this::simDisk))
        .allSatisfy(d -> assertThat(d).containsEntry("state", "Deleted"));
  }

  @Test
  void spotInstanceIsStoppedWithForce() {
    WorldSpec.CloudWorld w = world();
    instance(w, "uhost-spt00001", "Running", null, true, "bsm-p1a");
    start(w);

    create("spot", List.of("uhost-spt00001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("spot", Phase.Done, WAIT);

    assertThat(r.getStatus().getInstances().get(0).getChargeType()).isEqualTo("Spot");
    assertThat(r.getStatus().getInstances().get(0).getOutcome()).isEqualTo(InstanceOutcome.Gone);
    assertThat(sim.ledger().matching(c -> c.action().equals(STOP)))
        .as("one stop, with Force=true, accepted the first time")
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.params()).containsEntry("Force", "true");
              assertThat(c.outcome()).isEqualTo("OK");
              assertThat(c.effective()).isTrue();
            });
    assertThat(sim.ledger().effectiveCount(TERMINATE, "uhost-spt00001")).isEqualTo(1);
    assertThat(sim.orphanedDisks(List.of("uhost-spt00001"))).isEmpty();
  }

  // ---- "Done" means gone
  // ------------------------------------------------------------------------------------

  @Test
  void aMistypedIdEndsFailedInstancesNotFoundAndTouchesNothing() {
    WorldSpec.CloudWorld w = world();
    instance(w, "uhost-real0001", "Running", "Postpay", false, "bsm-real1");
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
    assertThat(sim.ledger().countAny(MUTATING)).isZero();
    assertThat(simInstance("uhost-real0001")).containsEntry("state", "Running");
  }

  /**
   * The case: a stop refused once with 8039 "state [Stopping] does not allow ..." once led
   * to Done.
   */
  @Test
  void aStopRefusedForItsStateIsNotSuccessTheInstanceIsStoppedAndTerminatedForReal() {
    WorldSpec.CloudWorld w = world();
    instance(w, "uhost-wst00001", "Running", "Postpay", false, "bsm-ws1");
    w.faults.add(
        FaultRule.error(STOP, "8039", 1)
            .message("state [Stopping] does not allow StopCompShareInstance"));
    start(w);
    create("wrongstate", List.of("uhost-wst00001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("wrongstate", Phase.Done, WAIT);
    assertThat(sim.ledger().matching(c -> c.action().equals(STOP)))
        .extracting(CallLedger.Call::outcome)
        .containsExactly("8039", "OK");
    assertThat(sim.ledger().effectiveCount(TERMINATE, "uhost-wst00001")).isEqualTo(1);
    assertThat(simInstance("uhost-wst00001")).containsEntry("state", "Deleted");
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
    WorldSpec.CloudWorld w = world();
    instance(w, "uhost-thr00001", "Stopped", "Postpay", false, "bsm-th1");
    w.faults.add(FaultRule.error(DESCRIBE, "150", 2).message("Request too frequent"));
    start(w);
    create("throttled", List.of("uhost-thr00001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("throttled", Phase.Done, WAIT);
    assertThat(r.getStatus().getLastError().getKind()).isEqualTo("Throttled");
    assertThat(sim.ledger().effectiveCount(TERMINATE, "uhost-thr00001")).isEqualTo(1);
  }

  /**
   * A terminate that takes longer than the poll-based grace: the host shows Stopped meanwhile,
   * holding its lock.
   */
  @Test
  void aSlowTerminateIsNotSentAgainWhileTheHostStillShowsStopped() {
    WorldSpec.CloudWorld w = world();
    w.timingsMs.put("terminate", 4000L);
    w.timingsMs.put("lock", 4000L);
    instance(w, "uhost-slw00001", "Stopped", "Postpay", false, "bsm-sl1");
    start(w);
    create("slow", List.of("uhost-slw00001"), s -> {});
    h.awaitPhase("slow", Phase.Done, WAIT);
    assertThat(sim.ledger().matching(c -> c.action().equals(TERMINATE)))
        .as("one terminate, none refused by the lock")
        .singleElement()
        .satisfies(c -> assertThat(c.outcome()).isEqualTo("OK"));
    assertThat(sim.orphanedDisks(List.of("uhost-slw00001"))).isEmpty();
  }

  @Test
  void aRecycledHostStillListedAsStoppedIsNeverTerminatedAgain() {
    WorldSpec.CloudWorld w = world();
    w.timingsMs.put("recycleListed", 20_000L);
    instance(w, "uhost-rcy00001", "Stopped", "Month", false, "bsm-rc1");
    start(w);
    create("recycled", List.of("uhost-rcy00001"), s -> {});
    CloudInstanceDeletion r = h.awaitPhase("recycled", Phase.Done, WAIT);
    assertThat(r.getStatus().getInstances().get(0).getOutcome())
        .isEqualTo(InstanceOutcome.Recycled);
    assertThat(simInstance("uhost-rcy00001"))
        .as("listed as Stopped in the recycle bin")
        .containsEntry("state", "Stopped");
    // bounded look past several poll intervals and grace windows: still one terminate
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(6))
        .until(() -> sim.ledger().count(TERMINATE) == 1);
    assertThat(sim.ledger().count(DETACH)).isZero();
    assertThat(r.getStatus().getMessage()).contains("1 in the recycle bin");
  }

  @Test
  void keysRefusedAfterTheStopWaitWithCredentialsValidFalseAndResumeWhenTheSecretIsFixed() {
    WorldSpec.CloudWorld w = world();
    w.timingsMs.put("stop", 2000L);
    instance(w, "uhost-key00002", "Running", "Postpay", false, "bsm-k2a");
    start(w);
    create("rotated", List.of("uhost-key00002"), s -> {});
    await().atMost(WAIT).until(() -> sim.ledger().effectiveCount(STOP, "uhost-key00002") == 1);
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
    setPrivateKey(CompShareTestWorlds.PRIVATE_KEY);
    h.awaitPhase("rotated", Phase.Done, WAIT);
    assertThat(sim.ledger().effectiveCount(TERMINATE, "uhost-key00002")).isEqualTo(1);
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
              s.setStringData(
                  Map.of(
                      CompShareProviderFactory.PUBLIC_KEY,
                      CompShareTestWorlds.PUBLIC_KEY,
                      CompShareProviderFactory.PRIVATE_KEY,
                      key));
              return s;
            });
  }

  // ---- helpers
  // ----------------------------------------------------------------------------------------------

  /** Fast transitions; the lock lasts as long as the operation holding it (at most 1.5 s). */
  private static WorldSpec.CloudWorld world() {
    WorldSpec.CloudWorld w = new WorldSpec.CloudWorld();
    w.region = REGION;
    w.credentials.add(
        new WorldSpec.KeyPair(CompShareTestWorlds.PUBLIC_KEY, CompShareTestWorlds.PRIVATE_KEY));
    w.timingsMs.put("stop", 200L);
    w.timingsMs.put("terminate", 200L);
    w.timingsMs.put("detach", 100L);
    w.timingsMs.put("lock", 1500L);
    return w;
  }

  private static void instance(
      WorldSpec.CloudWorld w,
      String id,
      String state,
      String chargeType,
      boolean spot,
      String... disks) {
    w.instances.add(CompShareTestWorlds.instance(id, state, chargeType, spot));
    for (String d : disks) {
      w.disks.add(CompShareTestWorlds.disk(d, id));
    }
  }

  private void start(WorldSpec.CloudWorld w) {
    sim = new CompShareSimulator(w, Clock.systemUTC(), 7, "127.0.0.1", 0);
    h = OperatorHarness.start(Map.of(CompShareSimulator.PROVIDER, sim.endpoint()));
    h.secret(
        "keys",
        Map.of(
            CompShareProviderFactory.PUBLIC_KEY,
            CompShareTestWorlds.PUBLIC_KEY,
            CompShareProviderFactory.PRIVATE_KEY,
            CompShareTestWorlds.PRIVATE_KEY));
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
    CloudProvider p =
        new CompShareProviderFactory()
            .connect(
                new ConnectionSpec(
                    REGION,
                    ZONE,
                    new Credentials(
                        Map.of(
                            CompShareProviderFactory.PUBLIC_KEY,
                            CompShareTestWorlds.PUBLIC_KEY,
                            CompShareProviderFactory.PRIVATE_KEY,
                            CompShareTestWorlds.PRIVATE_KEY)),
                    sim.endpoint(),
                    Duration.ofSeconds(3)));
    outsiders.add(p);
    return p;
  }

  private List<CallLedger.Call> mutatingCalls(String id) {
    return sim.ledger().matching(c -> MUTATING.contains(c.action()) && c.ids().contains(id));
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

  private Map<String, Object> simInstance(String id) {
    return simEntry("instances", id);
  }

  private Map<String, Object> simDisk(String id) {
    return simEntry("disks", id);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> simEntry(String kind, String id) {
    Map<String, Object> world =
        (Map<String, Object>) ((Map<String, Object>) sim.state()).get("world");
    return ((List<Map<String, Object>>) world.get(kind))
        .stream()
            .filter(m -> id.equals(m.get("id")))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("no " + kind + " " + id + " in the simulated world"));
  }
}
