package dev.teardown.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.api.v1alpha1.DiskAction;
import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.NotFoundPolicy;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.RecycleBinPolicy;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.DiskPhase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every transition of the phase machine, as pure unit tests on DeletionContext and the fake cloud.
 */
class StepsTest {
  private static final Duration TICK = Duration.ofMillis(100);
  private static final Duration PAST_GRACE = Duration.ofSeconds(3);

  private final FakeCloud cloud = new FakeCloud();

  private StepDriver driver(List<String> ids) {
    return new StepDriver(cloud, ids, s -> {});
  }

  /**
   * The next terminate is refused with an answer (retryable): the pass that records the plan ends
   * with it, and the terminate is sent again in a later pass.
   */
  private void refuseTheFirstTerminate() {
    cloud.refuseNextTerminate();
  }

  // ---- honest outcomes
  // ------------------------------------------------------------------------------------------

  @Test
  void anInstanceNotFoundAtTheFirstLookIsNeverDeletedAndFailsByDefault() throws Exception {
    StepDriver d = driver(List.of("ins-missing1"));
    d.pass();
    assertThat(d.status.getPhase()).isEqualTo(Phase.Failed);
    assertThat(d.last.reason()).isEqualTo("InstancesNotFound");
    assertThat(d.instance("ins-missing1").getOutcome()).isEqualTo(InstanceOutcome.NotFound);
    assertThat(d.status.getMessage())
        .contains("ins-missing1", "region ap-beijing", "Nothing was deleted");
    assertThat(d.warnings)
        .anySatisfy(
            w -> {
              assertThat(w.reason()).isEqualTo("InstancesNotFound");
              assertThat(w.message()).contains("ins-missing1", "ap-beijing");
            });
    assertThat(cloud.calls).isEmpty();
  }

  @Test
  void theFoundInstancesFinishFirstThenTheDeletionFailsNamingTheMissingOne() throws Exception {
    cloud.instance("ins-aaaaaaaa", false);
    cloud.disk("disk-a1", "ins-aaaaaaaa", false, false);
    StepDriver d = driver(List.of("ins-aaaaaaaa", "ins-missing1"));
    assertThat(d.runToEnd(TICK, 50)).isEqualTo(Phase.Failed);
    assertThat(d.last.reason()).isEqualTo("InstancesNotFound");
    assertThat(cloud.instances).isEmpty();
    assertThat(cloud.disks).as("the found instance's disk was released before the end").isEmpty();
    assertThat(d.status.getMessage())
        .startsWith("1 instance deleted, 1 already gone")
        .contains("ins-missing1");
  }

  @Test
  void ignoreCountsAMissingInstanceAsAlreadyGoneNotAsDeleted() throws Exception {
    cloud.instance("ins-aaaaaaaa", false);
    StepDriver d =
        new StepDriver(
            cloud,
            List.of("ins-aaaaaaaa", "ins-missing1"),
            s -> s.setIfNotFound(NotFoundPolicy.Ignore));
    assertThat(d.runToEnd(TICK, 50)).isEqualTo(Phase.Done);
    assertThat(d.status.getMessage()).startsWith("1 instance deleted, 1 already gone");
  }

  @Test
  void aNotFoundAnswerToATerminateIsNotSuccessTheNextObservationDecides() throws Exception {
    cloud.instance("ins-aaaaaaaa", false);
    cloud.terminateSaysNotFound.add("ins-aaaaaaaa");
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    d.pass(); // record and terminate: answered not found
    assertThat(d.instance("ins-aaaaaaaa").getOutcome()).isEqualTo(InstanceOutcome.Terminating);
    d.clock.advance(TICK);
    d.pass();
    assertThat(d.instance("ins-aaaaaaaa").getOutcome())
        .as("still there: never Gone")
        .isNotEqualTo(InstanceOutcome.Gone);
    assertThat(d.runToEnd(PAST_GRACE, 40)).isEqualTo(Phase.Failed);
    assertThat(d.instance("ins-aaaaaaaa").getError().getCode()).isEqualTo("TerminateIneffective");
    assertThat(cloud.instances).containsKey("ins-aaaaaaaa");
    assertThat(cloud.mutations("terminate [")).isEqualTo(d.config.maxTerminateAttempts());
  }

  @Test
  void recycledInTheAnswerIsNeverTerminatedAgainEvenIfListedAsStopped() throws Exception {
    cloud.instance("ins-aaaaaaaa", true);
    cloud.stopped("ins-aaaaaaaa");
    cloud.recycleButStayListed.add("ins-aaaaaaaa");
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    assertThat(d.runToEnd(PAST_GRACE, 20)).isEqualTo(Phase.Done);
    assertThat(d.instance("ins-aaaaaaaa").getOutcome()).isEqualTo(InstanceOutcome.Recycled);
    assertThat(cloud.mutations("terminate")).isEqualTo(1);
    assertThat(d.status.getMessage()).contains("1 in the recycle bin");
  }

  @Test
  void aNonElasticDiskOfARecycledPrepaidInstanceGoesWithItAndIsNeverDetached() throws Exception {
    cloud.instance("ins-bbbbbbbb", true);
    cloud.nonPortableDisk("disk-np1", "ins-bbbbbbbb", true);
    StepDriver d = driver(List.of("ins-bbbbbbbb"));
    assertThat(d.runToEnd(TICK, 30)).isEqualTo(Phase.Done);
    assertThat(cloud.mutations("detach")).isZero();
    DiskStatus disk = d.instance("ins-bbbbbbbb").getDataDisks().get(0);
    assertThat(disk.getAction()).isEqualTo(DiskAction.ReleaseWithInstance);
    assertThat(disk.isReleased()).isTrue();
    assertThat(disk.getState()).contains("recycled with ins-bbbbbbbb");
  }

  @Test
  void theDryRunPlanSaysANonElasticDiskGoesWithItsInstance() throws Exception {
    cloud.instance("ins-bbbbbbbb", true);
    cloud.nonPortableDisk("disk-np1", "ins-bbbbbbbb", true);
    StepDriver d = new StepDriver(cloud, List.of("ins-bbbbbbbb"), s -> s.setDryRun(true));
    d.pass();
    assertThat(d.status.getPlan())
        .anyMatch(p -> p.contains("disk-np1 is not elastic") && p.contains("no detach"));
  }

  @Test
  void theDryRunPlanOfACloudBlindToUnattachedDisksListsTheReleaseTheRealRunMakes()
      throws Exception {
    cloud.canObserveUnattached = false;
    cloud.instance("ins-cccccccc", false);
    cloud.disk("disk-c1", "ins-cccccccc", false, true);
    StepDriver d = new StepDriver(cloud, List.of("ins-cccccccc"), s -> s.setDryRun(true));
    d.pass();
    assertThat(d.status.getPlan())
        .anyMatch(p -> p.contains("disk-c1") && p.contains("release it once more"));
  }

  @Test
  void aDiskTheCloudCannotSeeIsShownUnattachedNotGone() throws Exception {
    cloud.canObserveUnattached = false;
    cloud.instance("ins-cccccccc", false);
    cloud.disk("disk-keep", "ins-cccccccc", false, false);
    StepDriver d =
        new StepDriver(
            cloud,
            List.of("ins-cccccccc"),
            s -> s.setDataDisks(dev.teardown.api.v1alpha1.DataDiskPolicy.Retain));
    assertThat(d.runToEnd(TICK, 30)).isEqualTo(Phase.Done);
    assertThat(cloud.disks.get("disk-keep").phase()).isEqualTo(DiskPhase.AVAILABLE);
    assertThat(d.instance("ins-cccccccc").getDataDisks().get(0).getState()).isEqualTo("Unattached");
  }

  // ---- item-scoped failure
  // --------------------------------------------------------------------------------------

  @Test
  void aBatchRefusedForOneInstanceIsSplitAndOnlyThatInstanceFails() throws Exception {
    for (String id : List.of("ins-aaaaaaa1", "ins-aaaaaaa2", "ins-aaaaaaa3", "ins-aaaaaaa4")) {
      cloud.instance(id, false);
      cloud.disk("disk-" + id, id, false, false);
    }
    cloud.refuseTerminate.add("ins-aaaaaaa3");
    StepDriver d = driver(List.of("ins-aaaaaaa1", "ins-aaaaaaa2", "ins-aaaaaaa3", "ins-aaaaaaa4"));
    assertThat(d.runToEnd(TICK, 50)).isEqualTo(Phase.Failed);
    assertThat(cloud.instances).containsOnlyKeys("ins-aaaaaaa3");
    assertThat(cloud.disks)
        .as("the innocent ones' disks are released")
        .containsOnlyKeys("disk-ins-aaaaaaa3");
    assertThat(d.instance("ins-aaaaaaa3").getOutcome()).isEqualTo(InstanceOutcome.Failed);
    assertThat(d.instance("ins-aaaaaaa3").getError().getCode())
        .isEqualTo("FailedOperation.Unreturnable");
    assertThat(d.last.reason()).isEqualTo("PartiallyFailed");
    assertThat(d.status.getLeftInCloud())
        .anyMatch(l -> l.startsWith("instance ins-aaaaaaa3"))
        .anyMatch(l -> l.startsWith("disk disk-ins-aaaaaaa3"));
    assertThat(cloud.calls)
        .filteredOn(c -> c.startsWith("terminate! "))
        .as("bisected down to the one")
        .contains("terminate! [ins-aaaaaaa3]");
  }

  // ---- transitions
  // ------------------------------------------------------------------------------------------------

  @Test
  void awaitingShutdownSendsAnInstanceTheCloudDroppedBackToTerminatingAfterTheGrace()
      throws Exception {
    cloud.instance("ins-aaaaaaaa", false);
    cloud.dropTerminate.add("ins-aaaaaaaa");
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    d.pass(); // record and terminate
    assertThat(d.status.getPhase()).isEqualTo(Phase.AwaitingShutdown);
    d.clock.advance(TICK);
    d.pass();
    assertThat(d.status.getPhase())
        .as("within the grace it waits")
        .isEqualTo(Phase.AwaitingShutdown);
    cloud.dropTerminate.clear();
    d.clock.advance(PAST_GRACE);
    d.pass();
    assertThat(cloud.mutations("terminate [")).isEqualTo(2);
    assertThat(d.runToEnd(TICK, 20)).isEqualTo(Phase.Done);
  }

  @Test
  void aCloudThatShowsATerminatingInstanceAsStoppedGetsNoSecondTerminateBeforeItSettles()
      throws Exception {
    cloud.instance("ins-aaaaaaaa", false);
    cloud.stopped("ins-aaaaaaaa");
    cloud.dropTerminate.add("ins-aaaaaaaa"); // still listed as STOPPED after the accepted terminate
    cloud.terminateSettles = Duration.ofSeconds(30);
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    d.pass(); // record and terminate
    for (int i = 0; i < 5; i++) {
      d.clock.advance(PAST_GRACE);
      d.pass();
    }
    assertThat(cloud.mutations("terminate [")).as("15 s later, still one terminate").isEqualTo(1);
    d.clock.advance(Duration.ofSeconds(20));
    d.pass();
    assertThat(cloud.mutations("terminate ["))
        .as("after it should have settled, once more")
        .isEqualTo(2);
  }

  @Test
  void terminateIneffectiveAfterTheAttemptBudget() throws Exception {
    cloud.instance("ins-aaaaaaaa", false);
    cloud.dropTerminate.add("ins-aaaaaaaa");
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    assertThat(d.runToEnd(PAST_GRACE, 60)).isEqualTo(Phase.Failed);
    assertThat(d.instance("ins-aaaaaaaa").getError().getCode()).isEqualTo("TerminateIneffective");
    assertThat(cloud.mutations("terminate [")).isEqualTo(d.config.maxTerminateAttempts());
  }

  @Test
  void releasingDisksGoesBackToDetachingWhenADiskIsAttachedAgain() throws Exception {
    cloud.instance("ins-aaaaaaaa", false);
    cloud.disk("disk-a1", "ins-aaaaaaaa", false, false);
    cloud.releasesBusy = true;
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    for (int i = 0; i < 20 && d.status.getPhase() != Phase.ReleasingDisks; i++) {
      d.passIgnoringErrors();
      d.clock.advance(TICK);
    }
    assertThat(d.status.getPhase()).isEqualTo(Phase.ReleasingDisks);
    cloud.disks.put(
        "disk-a1",
        new CloudDisk(
            "disk-a1",
            "ins-aaaaaaaa",
            "ATTACHED",
            DiskPhase.ATTACHED,
            "POSTPAID_BY_HOUR",
            false,
            false,
            true));
    d.clock.advance(PAST_GRACE);
    d.passIgnoringErrors();
    assertThat(d.status.getPhase()).isEqualTo(Phase.Detaching);
  }

  @Test
  void aDiskAttachedElsewhereIsLeftAloneAndReported() throws Exception {
    cloud.instance("ins-aaaaaaaa", false);
    cloud.instance("ins-other001", false);
    cloud.disk("disk-a1", "ins-aaaaaaaa", false, false);
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    d.pass(); // record and terminate
    cloud.disks.put(
        "disk-a1",
        new CloudDisk(
            "disk-a1",
            "ins-other001",
            "ATTACHED",
            DiskPhase.ATTACHED,
            "POSTPAID_BY_HOUR",
            false,
            false,
            true));
    assertThat(d.runToEnd(TICK, 30)).isEqualTo(Phase.Failed);
    assertThat(d.instance("ins-aaaaaaaa").getDataDisks().get(0).getError().getCode())
        .isEqualTo("AttachedElsewhere");
    assertThat(cloud.mutations("detach")).isZero();
    assertThat(cloud.mutations("release")).isZero();
    assertThat(d.warnings).anySatisfy(w -> assertThat(w.message()).contains("ins-other001"));
  }

  // ---- disks re-checked before the instance goes
  // ------------------------------------------------------------------

  @Test
  void aDiskAttachedAfterPendingJoinsThePlanAndADiskSomeoneDetachedIsKept() throws Exception {
    cloud.instance("ins-aaaaaaaa", false);
    cloud.disk("disk-old", "ins-aaaaaaaa", false, false);
    cloud.disk("disk-taken", "ins-aaaaaaaa", false, false);
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    refuseTheFirstTerminate();
    assertThat(d.passIgnoringErrors()).as("record; the terminate is refused").isNotNull();
    assertThat(d.status.getRecorded()).isNotNull();
    cloud.disk("disk-new", "ins-aaaaaaaa", false, false);
    cloud.detached("disk-taken");
    assertThat(d.runToEnd(TICK, 40)).isEqualTo(Phase.Done);
    assertThat(cloud.disks).containsOnlyKeys("disk-taken");
    assertThat(d.instance("ins-aaaaaaaa").getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction)
        .contains(
            org.assertj.core.groups.Tuple.tuple("disk-new", DiskAction.Release),
            org.assertj.core.groups.Tuple.tuple("disk-taken", DiskAction.Retain));
    assertThat(d.warnings)
        .extracting(DeletionContext.Warning::reason)
        .contains("DiskJoined", "DiskTaken");
  }

  // ---- disks found from the instance's own listing (Tencent DataDisks)
  // ---------------------------------------------------------

  @Test
  void withInstancesListingTheirDisksNoLookUpByInstanceIsMadeAndTheOutcomeIsTheSame()
      throws Exception {
    cloud.listsDataDisks = true;
    cloud.instance("ins-aaaaaaaa", false);
    cloud.instance("ins-bbbbbbbb", false);
    cloud.disk("disk-a1", "ins-aaaaaaaa", false, false);
    cloud.disk("disk-a2", "ins-aaaaaaaa", false, true);
    cloud.disk("disk-b1", "ins-bbbbbbbb", false, false);
    StepDriver d = driver(List.of("ins-aaaaaaaa", "ins-bbbbbbbb"));
    d.pass(); // record and terminate
    assertThat(d.instance("ins-aaaaaaaa").getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("disk-a1", DiskAction.Release),
            org.assertj.core.groups.Tuple.tuple("disk-a2", DiskAction.ReleaseWithInstance));
    assertThat(d.instance("ins-bbbbbbbb").getDataDisks())
        .extracting(DiskStatus::getId)
        .containsExactly("disk-b1");
    assertThat(cloud.describeDiskCalls.get()).as("one look-up by id for both").isEqualTo(1);
    assertThat(cloud.calls).containsExactly("terminate [ins-aaaaaaaa, ins-bbbbbbbb]");
    assertThat(d.runToEnd(TICK, 40)).isEqualTo(Phase.Done);
    assertThat(cloud.disks).isEmpty();
    assertThat(cloud.describeDataDiskCalls.get()).isZero();
  }

  @Test
  void aListedDiskCountsOnlyWhereItsOwnObservationPutsIt() throws Exception {
    // The instance's listing is stale: it still names a disk now attached to another machine. Only
    // the disk's own observation says where it is, so it is not recorded and never released.
    cloud.listsDataDisks = true;
    cloud.instance("ins-aaaaaaaa", false);
    cloud.instance("ins-other001", false);
    cloud.disk("disk-a1", "ins-aaaaaaaa", false, false);
    cloud.disk("disk-moved", "ins-other001", false, false);
    cloud.staleListed.put("ins-aaaaaaaa", List.of("disk-moved"));
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    assertThat(d.runToEnd(TICK, 40)).isEqualTo(Phase.Done);
    assertThat(d.instance("ins-aaaaaaaa").getDataDisks())
        .extracting(DiskStatus::getId)
        .containsExactly("disk-a1");
    assertThat(cloud.disks).containsOnlyKeys("disk-moved");
    assertThat(cloud.calls).noneMatch(c -> c.contains("disk-moved"));
  }

  @Test
  void aRecordedDiskTheListingLeavesOutIsTakenOnlyWhenItsOwnObservationSaysItLeft()
      throws Exception {
    cloud.listsDataDisks = true;
    cloud.instance("ins-aaaaaaaa", false);
    cloud.disk("disk-still", "ins-aaaaaaaa", false, false);
    cloud.disk("disk-taken", "ins-aaaaaaaa", false, false);
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    refuseTheFirstTerminate();
    assertThat(d.passIgnoringErrors()).as("record both; the terminate is refused").isNotNull();
    assertThat(d.instance("ins-aaaaaaaa").getDataDisks()).hasSize(2);
    // the listing leaves out a disk that is still attached (a lagging listing) ...
    cloud.unlisted.add("disk-still");
    // ... and one that someone really detached
    cloud.detached("disk-taken");
    cloud.disk("disk-new", "ins-aaaaaaaa", false, false); // attached since the plan was recorded
    assertThat(d.runToEnd(TICK, 40)).isEqualTo(Phase.Done);
    assertThat(d.instance("ins-aaaaaaaa").getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("disk-still", DiskAction.Release),
            org.assertj.core.groups.Tuple.tuple("disk-taken", DiskAction.Retain),
            org.assertj.core.groups.Tuple.tuple("disk-new", DiskAction.Release));
    assertThat(cloud.disks).as("only the taken disk is left").containsOnlyKeys("disk-taken");
    assertThat(d.warnings)
        .extracting(DeletionContext.Warning::reason)
        .contains("DiskJoined", "DiskTaken");
    assertThat(d.warnings)
        .filteredOn(w -> w.reason().equals("DiskTaken"))
        .allSatisfy(w -> assertThat(w.message()).contains("disk-taken").doesNotContain("still"));
    assertThat(cloud.describeDataDiskCalls.get()).isZero();
  }

  // ---- disks observed in the instance's own answer (CompShare DiskSet)
  // ---------------------------------------------------------

  @Test
  void withCompleteDiskObservationsInTheInstancesAnswerNoDiskIsLookedUpToRecordOrTerminate()
      throws Exception {
    cloud.canObserveUnattached = false;
    cloud.carriesDataDisks = true;
    cloud.instance("ins-aaaaaaaa", false);
    cloud.disk("disk-a1", "ins-aaaaaaaa", false, false);
    cloud.disk("disk-a2", "ins-aaaaaaaa", false, true);
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    d.pass(); // record and terminate
    assertThat(d.instance("ins-aaaaaaaa").getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("disk-a1", DiskAction.Release),
            org.assertj.core.groups.Tuple.tuple("disk-a2", DiskAction.ReleaseWithInstance));
    assertThat(cloud.calls).containsExactly("terminate [ins-aaaaaaaa]");
    assertThat(cloud.describeInstanceCalls.get()).as("one describe per pass").isEqualTo(1);
    assertThat(cloud.describeDataDiskCalls.get()).isZero();
    assertThat(cloud.describeDiskCalls.get()).isZero();
    assertThat(d.runToEnd(TICK, 40)).isEqualTo(Phase.Done);
    assertThat(cloud.disks).isEmpty();
  }

  @Test
  void withCompleteDiskObservationsADiskAttachedAfterPendingJoinsAndADiskSomeoneDetachedIsKept()
      throws Exception {
    cloud.canObserveUnattached = false;
    cloud.carriesDataDisks = true;
    cloud.instance("ins-aaaaaaaa", false);
    cloud.disk("disk-old", "ins-aaaaaaaa", false, false);
    cloud.disk("disk-taken", "ins-aaaaaaaa", false, false);
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    refuseTheFirstTerminate();
    assertThat(d.passIgnoringErrors()).isNotNull(); // record; the terminate is refused
    cloud.disk("disk-new", "ins-aaaaaaaa", false, false);
    cloud.detached("disk-taken");
    assertThat(d.runToEnd(TICK, 40)).isEqualTo(Phase.Done);
    assertThat(cloud.disks).containsOnlyKeys("disk-taken");
    assertThat(d.instance("ins-aaaaaaaa").getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction, DiskStatus::isReleased)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("disk-old", DiskAction.Release, true),
            org.assertj.core.groups.Tuple.tuple("disk-new", DiskAction.Release, true),
            org.assertj.core.groups.Tuple.tuple("disk-taken", DiskAction.Retain, false));
    assertThat(cloud.calls).noneMatch(c -> c.contains("disk-taken"));
    assertThat(d.warnings)
        .extracting(DeletionContext.Warning::reason)
        .contains("DiskJoined", "DiskTaken");
    assertThat(cloud.describeDataDiskCalls.get()).isZero();
  }

  // ---- a cloud that cannot observe an unattached disk (CompShare)
  // -----------------------------------------------------

  @Test
  void anAcceptedReleaseOfADiskSeenAttachedToNothingEndsTheDeletionWithoutAnotherLook()
      throws Exception {
    cloud.canObserveUnattached = false;
    cloud.instance("ins-aaaaaaaa", false);
    cloud.disk("disk-a1", "ins-aaaaaaaa", false, false);
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    d.pass(); // record and terminate
    int diskLooks = cloud.describeDiskCalls.get();
    d.pass(); // gone; the disk is attached to nothing; released; nothing more could be seen
    assertThat(cloud.calls).containsExactly("terminate [ins-aaaaaaaa]", "release [disk-a1]");
    assertThat(d.status.getPhase()).isEqualTo(Phase.Done);
    assertThat(d.last.mutated()).isTrue();
    assertThat(cloud.describeDiskCalls.get())
        .as("one look, before the release")
        .isEqualTo(diskLooks + 1);
    assertThat(d.instance("ins-aaaaaaaa").getDataDisks().get(0).isReleased()).isTrue();
    assertThat(d.status.getDisks()).isEqualTo("1/1");
  }

  @Test
  void aReleaseAnsweredNotFoundOnACloudBlindToUnattachedDisksIsNotEnoughUntilTheNextLook()
      throws Exception {
    cloud.canObserveUnattached = false;
    cloud.instance("ins-aaaaaaaa", false);
    cloud.disk("disk-a2", "ins-aaaaaaaa", false, true); // goes with the instance
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    d.pass(); // record and terminate
    d.pass(); // gone; the release of the disk is answered "not found"
    assertThat(cloud.calls).containsExactly("terminate [ins-aaaaaaaa]", "release [disk-a2]");
    assertThat(d.status.getPhase()).isEqualTo(Phase.ReleasingDisks);
    assertThat(d.instance("ins-aaaaaaaa").getDataDisks().get(0).isReleased()).isFalse();
    int diskLooks = cloud.describeDiskCalls.get();
    d.clock.advance(TICK);
    d.pass();
    assertThat(d.status.getPhase()).isEqualTo(Phase.Done);
    assertThat(cloud.describeDiskCalls.get()).isEqualTo(diskLooks + 1);
  }

  // ---- a pass carries its observation to the call
  // ---------------------------------------------------------------

  @Test
  void terminateAndReleaseCarryThisPassesObservationOfEveryId() throws Exception {
    cloud.instance("ins-aaaaaaaa", false);
    cloud.disk("disk-a1", "ins-aaaaaaaa", false, false);
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    assertThat(d.runToEnd(TICK, 40)).isEqualTo(Phase.Done);
    assertThat(cloud.terminateRequests).hasSize(1);
    dev.teardown.cloud.TerminateRequest t = cloud.terminateRequests.get(0);
    assertThat(t.observedAll(t.instanceIds())).isNotNull();
    assertThat(t.observed().get("ins-aaaaaaaa").state()).isEqualTo("RUNNING");
    assertThat(t.observed().get("ins-aaaaaaaa").chargeType()).isEqualTo("POSTPAID_BY_HOUR");
    assertThat(cloud.releaseRequests).hasSize(1);
    dev.teardown.cloud.ReleaseDisksRequest r = cloud.releaseRequests.get(0);
    assertThat(r.observedAll(r.diskIds())).isNotNull();
    assertThat(r.observed().get("disk-a1").phase()).isEqualTo(DiskPhase.AVAILABLE);
  }

  @Test
  void aPassAfterEveryInstanceIsGoneDescribesNoInstanceButStillObservesTheDisks() throws Exception {
    cloud.instance("ins-aaaaaaaa", false);
    cloud.disk("disk-a1", "ins-aaaaaaaa", false, false);
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    d.pass(); // record and terminate
    cloud.releasesBusy = true; // the release is refused for now: the deletion must wait
    d.passIgnoringErrors(); // observes the instance gone, tries the release
    assertThat(d.instance("ins-aaaaaaaa").getOutcome()).isEqualTo(InstanceOutcome.Gone);
    int instanceLooks = cloud.describeInstanceCalls.get();
    int diskLooks = cloud.describeDiskCalls.get();
    cloud.releasesBusy = false;
    d.clock.advance(PAST_GRACE);
    d.pass(); // release
    d.clock.advance(TICK);
    d.pass(); // verify
    assertThat(d.status.getPhase()).isEqualTo(Phase.Done);
    assertThat(cloud.describeInstanceCalls.get())
        .as("an instance observed gone is not described again")
        .isEqualTo(instanceLooks);
    assertThat(cloud.describeDiskCalls.get())
        .as("the disks are still observed before the release and before Done")
        .isEqualTo(diskLooks + 2);
    assertThat(d.instance("ins-aaaaaaaa").getState()).isEqualTo("Gone");
  }

  // ---- intent before action
  // ----------------------------------------------------------------------------------------

  @Test
  void everyMutatingCallIsWrittenAsAnIntentBeforeItIsMade() throws Exception {
    cloud.instance("ins-aaaaaaaa", false);
    cloud.disk("disk-a1", "ins-aaaaaaaa", false, false);
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    assertThat(d.runToEnd(TICK, 30)).isEqualTo(Phase.Done);
    assertThat(d.intents)
        .extracting(StepDriver.WrittenIntent::action)
        .containsSubsequence("TerminateInstances", "ReleaseDisks");
    for (StepDriver.WrittenIntent i : d.intents) {
      String first = cloud.calls.get(i.callsBefore());
      assertThat(first).as("the call after intent " + i).contains(i.ids().get(0));
    }
    assertThat(d.status.getIntent().getResult()).isEqualTo("Accepted");
  }

  @Test
  void aPassFromPendingGoesOnToTheTerminateAndItsIntentWriteCarriesTheWholeRecording()
      throws Exception {
    cloud.instance("ins-aaaaaaaa", false);
    cloud.disk("disk-a1", "ins-aaaaaaaa", false, false);
    cloud.disk("disk-a2", "ins-aaaaaaaa", false, true);
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    d.pass();
    assertThat(cloud.calls).as("one pass records and terminates").hasSize(1);
    assertThat(d.intents).hasSize(1);
    StepDriver.WrittenIntent first = d.intents.get(0);
    assertThat(first.callsBefore()).as("written before any mutating call").isZero();
    assertRecorded(first, "ins-aaaaaaaa", "disk-a1", "disk-a2");
    assertThat(d.status.getPhase()).isEqualTo(Phase.AwaitingShutdown);
    assertThat(d.status.getMessage())
        .as("the pass's message says what was recorded, then what followed")
        .isEqualTo("Recorded 1 instance and 2 data disks. Terminate accepted for ins-aaaaaaaa.");
    assertThat(cloud.describeDataDiskCalls.get())
        .as("the disks listed by Pending in this pass are not listed again before the terminate")
        .isEqualTo(1);
  }

  @Test
  void whateverTheFirstMutatingCallOfAPassFromPendingItsIntentWriteCarriesTheRecording()
      throws Exception {
    // an instance already in the recycle bin: nothing to terminate, so the first call of the pass
    // that records the plan is a detach of its disk, or, with Purge and no disk, the purge
    cloud.instances.put(
        "ins-rrrrrrrr",
        new dev.teardown.cloud.CloudInstance(
            "ins-rrrrrrrr",
            "SHUTDOWN",
            dev.teardown.cloud.InstancePhase.RECYCLED,
            "PREPAID",
            true,
            false,
            null,
            false));
    cloud.disk("disk-r1", "ins-rrrrrrrr", false, false);
    StepDriver detach = driver(List.of("ins-rrrrrrrr"));
    detach.pass();
    assertThat(cloud.calls).singleElement().asString().startsWith("detach");
    assertThat(detach.intents.get(0).action()).isEqualTo("DetachDisks");
    assertThat(detach.intents.get(0).callsBefore()).isZero();
    assertRecorded(detach.intents.get(0), "ins-rrrrrrrr", "disk-r1");

    cloud.calls.clear();
    cloud.disks.clear();
    StepDriver purge =
        new StepDriver(
            cloud, List.of("ins-rrrrrrrr"), s -> s.setRecycleBin(RecycleBinPolicy.Purge));
    purge.pass();
    assertThat(cloud.calls).singleElement().asString().startsWith("purge");
    assertThat(purge.intents.get(0).action()).isEqualTo("PurgeInstances");
    assertThat(purge.intents.get(0).callsBefore()).isZero();
    assertRecorded(purge.intents.get(0), "ins-rrrrrrrr");
  }

  private static void assertRecorded(StepDriver.WrittenIntent i, String instance, String... disks) {
    assertThat(i.written().getRecorded()).as("the plan, in the write before the call").isNotNull();
    assertThat(i.written().getRecorded().getInstanceIds()).containsExactly(instance);
    assertThat(i.written().getPhase()).isNotEqualTo(Phase.Pending);
    assertThat(i.written().getInstances())
        .singleElement()
        .satisfies(
            is -> {
              assertThat(is.getId()).isEqualTo(instance);
              assertThat(is.getDataDisks())
                  .extracting(DiskStatus::getId)
                  .containsExactlyInAnyOrder(disks);
            });
  }

  @Test
  void afterACrashBetweenIntentAndAnswerTheGraceWindowComesFromTheIntentAndTheTokenIsReused()
      throws Exception {
    cloud.instance("ins-aaaaaaaa", false);
    cloud.dropTerminate.add("ins-aaaaaaaa"); // accepted, not yet visible
    StepDriver d = driver(List.of("ins-aaaaaaaa"));
    d.pass(); // record and terminate (its answer is lost in the crash below)
    StepDriver.WrittenIntent written = d.intents.get(d.intents.size() - 1);
    // crash: what survives is the status as written with the intent, in the same pass as the
    // recording: the plan, outcome still Pending, phase Terminating, the intent without an answer
    d.status = written.written();
    assertThat(d.status.getRecorded()).isNotNull();
    assertThat(d.status.getPhase()).isEqualTo(Phase.Terminating);
    assertThat(d.instance("ins-aaaaaaaa").getOutcome()).isEqualTo(InstanceOutcome.Pending);
    assertThat(d.status.getIntent().getResult()).isNull();
    d.clock.advance(TICK);
    d.pass();
    assertThat(cloud.mutations("terminate ["))
        .as("no second terminate inside the grace window")
        .isEqualTo(1);
    d.clock.advance(PAST_GRACE);
    d.pass();
    assertThat(cloud.mutations("terminate [")).isEqualTo(2);
    assertThat(d.intents.get(d.intents.size() - 1).token())
        .as("the retry reuses the token")
        .isEqualTo(written.token());
  }

  @Test
  void purgeDestroysTheRecycledInstanceWithTheIntentRecorded() throws Exception {
    cloud.instance("ins-cccccccc", true);
    StepDriver d =
        new StepDriver(
            cloud, List.of("ins-cccccccc"), s -> s.setRecycleBin(RecycleBinPolicy.Purge));
    assertThat(d.runToEnd(TICK, 30)).isEqualTo(Phase.Done);
    assertThat(d.intents).extracting(StepDriver.WrittenIntent::action).contains("PurgeInstances");
    assertThat(cloud.instances).isEmpty();
  }
}
