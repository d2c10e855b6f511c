package dev.teardown.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.teardown.api.v1alpha1.DiskAction;
import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.FaultRule;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cloud calls of each pass of one deletion, through the real CompShare and Volcengine adapters
 * against their simulators (every transition instant, so each pass sees what the previous one did).
 * A describe that only repeats what the same pass was already told fails these tests: the second
 * describe of a CompShare instance for its disks, the look at the volumes right before Volcengine's
 * DeleteInstances, the look at CompShare's zone after its disks were deleted.
 */
class CallsPerPassTest {
  private static final Duration TICK = Duration.ofMillis(100);

  private SimCloud cloud;

  @AfterEach
  void close() {
    if (cloud != null) {
      cloud.close();
    }
  }

  /** A world whose every transition (and CompShare's operation lock) takes no time. */
  private static TestWorld instant(Provider provider) {
    TestWorld w = TestWorld.of(provider).noTimings();
    for (String t :
        List.of("stop", "start", "terminate", "shutdown", "detach", "release", "lock")) {
      w.timing(t, 0);
    }
    return w;
  }

  private StepDriver driver(TestWorld w, String id) throws Exception {
    cloud = w.start();
    CloudProvider p = cloud.connect();
    return new StepDriver(
        p,
        List.of(id),
        s -> {
          s.setProvider(w.provider());
          s.setRegion(w.region());
          s.setZone(w.zone());
        });
  }

  /** The calls one pass makes, as "Action [ids]". */
  private List<String> pass(StepDriver d) throws Exception {
    int before = cloud.ledger().all().size();
    d.pass();
    d.clock.advance(TICK);
    return callsSince(before);
  }

  private List<String> callsSince(int before) {
    List<CallLedger.Call> all = cloud.ledger().all();
    return all.subList(before, all.size()).stream().map(c -> c.action() + " " + c.ids()).toList();
  }

  // ---- CompShare

  @Test
  void compShareDescribesOncePerPassAndEndsWithTheLastDiskDelete() throws Exception {
    TestWorld w = instant(Provider.UCLOUD_COMPSHARE);
    w.instance("uhost-cpp00001").withDisks("bsm-cpp1a", "bsm-cpp1b");
    StepDriver d = driver(w, "uhost-cpp00001");
    String describe = "DescribeCompShareInstance [uhost-cpp00001]";

    assertThat(pass(d))
        .as("record from the DiskSet of the one describe, then stop in the same pass")
        .containsExactly(describe, "StopCompShareInstance [uhost-cpp00001]");
    assertThat(d.instance("uhost-cpp00001").getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction)
        .containsExactly(
            tuple("bsm-cpp1a", DiskAction.ReleaseWithInstance),
            tuple("bsm-cpp1b", DiskAction.ReleaseWithInstance));
    assertThat(pass(d))
        .as("the terminate decides from the DiskSet of the same pass's describe")
        .containsExactly(describe, "TerminateCompShareInstance [uhost-cpp00001]");
    assertThat(pass(d))
        .as(
            "gone; the zone is listed once to find the disks, each is deleted once, and that ends it")
        .containsExactly(
            describe,
            "DescribeCompShareInstance []",
            "DeleteCompshareDisk [bsm-cpp1a]",
            "DeleteCompshareDisk [bsm-cpp1b]");
    assertThat(d.status.getPhase()).isEqualTo(Phase.Done);
    assertThat(d.status.getDisks()).isEqualTo("2/2");
    assertThat(cloud.disk("bsm-cpp1a")).containsEntry("state", "Deleted");
    assertThat(cloud.disk("bsm-cpp1b")).containsEntry("state", "Deleted");
  }

  @Test
  void compShareADiskAttachedAfterTheRecordJoinsAndADiskDetachedIsKeptNeverDeleted()
      throws Exception {
    TestWorld w = instant(Provider.UCLOUD_COMPSHARE);
    w.instance("uhost-cpp00002").withDisks("bsm-cpp2a", "bsm-cpp2b");
    StepDriver d = driver(w, "uhost-cpp00002");
    pass(d); // record a and b, stop
    cloud.sim().attachNewDisk(w.newDisk("bsm-cpp2n", "uhost-cpp00002", false));
    // someone takes b away from the stopped host (CompShare detaches only from stopped hosts)
    assertThat(cloud.connect().detachDisks("uhost-cpp00002", List.of("bsm-cpp2b")).failures())
        .isEmpty();
    assertThat(pass(d))
        .as("a changed DiskSet: the instance is described once more to be sure it is still up")
        .containsExactly(
            "DescribeCompShareInstance [uhost-cpp00002]",
            "DescribeCompShareInstance [uhost-cpp00002]",
            "TerminateCompShareInstance [uhost-cpp00002]");
    assertThat(d.runToEnd(TICK, 10)).isEqualTo(Phase.Done);
    assertThat(d.instance("uhost-cpp00002").getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction, DiskStatus::isReleased)
        .containsExactlyInAnyOrder(
            tuple("bsm-cpp2a", DiskAction.ReleaseWithInstance, true),
            tuple("bsm-cpp2b", DiskAction.Retain, false),
            tuple("bsm-cpp2n", DiskAction.ReleaseWithInstance, true));
    assertThat(cloud.ledger().all())
        .filteredOn(c -> c.ids().contains("bsm-cpp2b"))
        .extracting(CallLedger.Call::action)
        .as("the disk someone took is never deleted")
        .containsOnly("DetachCompshareDisk");
    assertThat(cloud.disk("bsm-cpp2b")).containsEntry("state", "Available");
    assertThat(cloud.disk("bsm-cpp2n")).containsEntry("state", "Deleted");
    assertThat(d.warnings)
        .extracting(DeletionContext.Warning::reason)
        .contains("DiskJoined", "DiskTaken");
  }

  // ---- Volcengine

  @Test
  void volcengineLooksAtTheVolumesOnlyWhenRecordingAndAfterTheInstanceIsGone() throws Exception {
    TestWorld w = instant(Provider.VOLCENGINE);
    w.instance("i-cpp0000001");
    w.disk("vol-cpp00001").on("i-cpp0000001").deleteWithInstance();
    w.disk("vol-cpp00002").on("i-cpp0000001");
    StepDriver d = driver(w, "i-cpp0000001");
    String describe = "DescribeInstances [i-cpp0000001]";
    String volumes = "DescribeVolumes [vol-cpp00001, vol-cpp00002]";

    assertThat(pass(d))
        .as(
            "record the volumes the instance lists, looked up by id, and delete it in the same"
                + " pass: nothing more to look at")
        .containsExactly(describe, volumes, "DeleteInstances [i-cpp0000001]");
    assertThat(d.instance("i-cpp0000001").getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction)
        .containsExactly(
            tuple("vol-cpp00001", DiskAction.ReleaseWithInstance),
            tuple("vol-cpp00002", DiskAction.Release));
    assertThat(pass(d)).containsExactly(describe, volumes, "DeleteVolume [vol-cpp00002]");
    assertThat(pass(d)).as("gone is observed before Done").containsExactly(volumes);
    assertThat(d.status.getPhase()).isEqualTo(Phase.Done);
  }

  @Test
  void volcengineAVolumeAttachedAfterTheRecordJoinsAndAVolumeDetachedIsKeptNeverDeleted()
      throws Exception {
    TestWorld w = instant(Provider.VOLCENGINE);
    w.instance("i-cpp0000002");
    w.disk("vol-cpp00021").on("i-cpp0000002");
    w.disk("vol-cpp00022").on("i-cpp0000002");
    // the first DeleteInstances is refused (the cloud answered: nothing was done), so the
    // terminate comes in a later pass than the record, and the disks may change in between
    w.fault(FaultRule.error("DeleteInstances", "InternalError", 1));
    StepDriver d = driver(w, "i-cpp0000002");
    assertThat(d.passIgnoringErrors()).isNotNull(); // record both; the delete is refused
    assertThat(d.status.getRecorded()).isNotNull();
    cloud.sim().attachNewDisk(w.newDisk("vol-cpp0002n", "i-cpp0000002", true));
    assertThat(cloud.connect().detachDisks("i-cpp0000002", List.of("vol-cpp00022")).failures())
        .isEmpty();
    assertThat(pass(d))
        .as("a changed listing: the volumes are looked up and the instance once more")
        .containsExactly(
            "DescribeInstances [i-cpp0000002]",
            "DescribeVolumes [vol-cpp00021, vol-cpp0002n, vol-cpp00022]",
            "DescribeInstances [i-cpp0000002]",
            "DeleteInstances [i-cpp0000002]");
    assertThat(d.runToEnd(TICK, 10)).isEqualTo(Phase.Done);
    assertThat(d.instance("i-cpp0000002").getDataDisks())
        .extracting(DiskStatus::getId, DiskStatus::getAction, DiskStatus::isReleased)
        .containsExactlyInAnyOrder(
            tuple("vol-cpp00021", DiskAction.Release, true),
            tuple("vol-cpp00022", DiskAction.Retain, false),
            tuple("vol-cpp0002n", DiskAction.ReleaseWithInstance, true));
    assertThat(cloud.ledger().all())
        .filteredOn(c -> !c.action().startsWith("Describe") && c.ids().contains("vol-cpp00022"))
        .extracting(CallLedger.Call::action)
        .as("the volume someone took is never deleted")
        .containsOnly("DetachVolume");
    assertThat(cloud.disk("vol-cpp00022")).containsEntry("status", "available");
    assertThat(d.warnings)
        .extracting(DeletionContext.Warning::reason)
        .contains("DiskJoined", "DiskTaken");
  }
}
