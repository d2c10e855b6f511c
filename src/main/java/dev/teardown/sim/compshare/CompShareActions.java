package dev.teardown.sim.compshare;

import dev.teardown.sim.compshare.CompShareWorld.Disk;
import dev.teardown.sim.compshare.CompShareWorld.Instance;
import dev.teardown.sim.compshare.CompShareWorld.Lock;
import dev.teardown.sim.compshare.CompShareWorld.Outcome;
import java.util.ArrayList;
import java.util.List;

/**
 * The model of the CompShare actions on a {@link CompShareWorld} (the rules are listed there):
 * which instances DescribeCompShareInstance finds, and what stop, terminate, detach and disk
 * deletion refuse and do, including the per-instance operation lock. Takes parameters already read
 * from the wire; answers an {@link Outcome} with the cloud's RetCode when refused.
 */
final class CompShareActions {
  private final CompShareWorld world;

  CompShareActions(CompShareWorld world) {
    this.world = world;
  }

  /** The instances DescribeCompShareInstance finds in this zone, before paging. */
  List<Instance> describe(String zone, List<String> wanted) {
    List<Instance> matching = new ArrayList<>();
    for (Instance i : world.visibleInstances(zone)) {
      if (wanted.isEmpty() || wanted.contains(i.id)) {
        matching.add(i);
      }
    }
    return matching;
  }

  Outcome stop(String zone, String id, boolean force, long now) {
    Instance i = world.visible(zone, id);
    if (i == null) {
      return notExist("UHost", id);
    }
    if (i.lockHeld(now)) {
      return locked(i, now);
    }
    if (!CompShareWorld.RUNNING.equals(i.state) || i.terminating()) {
      return Outcome.refused(
          CompShareCodes.STATE_NOT_ALLOWED,
          "UHost [" + id + "] is " + i.state + "; only Running instances can be stopped");
    }
    if (i.spot && !force) {
      return Outcome.refused(
          CompShareCodes.PARAMS_NOT_AVAILABLE,
          "Params [Force] not available: a preemptible (Spot) instance can only be stopped with Force=true");
    }
    long d = world.timing("stop");
    i.state = d <= 0 ? CompShareWorld.STOPPED : CompShareWorld.STOPPING;
    i.transitionDoneAt = d <= 0 ? -1 : now + d;
    lock(i, "StopCompShareInstance", now, d);
    return Outcome.ok(true);
  }

  Outcome terminate(String zone, String id, boolean releaseUDisk, long now) {
    Instance i = world.visible(zone, id);
    if (i == null) {
      return notExist("UHost", id);
    }
    if (i.lockHeld(now)) {
      return locked(i, now);
    }
    if (i.terminating()) {
      return Outcome.ok(false); // lock expired before it finished
    }
    if (!CompShareWorld.STOPPED.equals(i.state)) {
      return Outcome.refused(
          CompShareCodes.STATE_NOT_ALLOWED,
          "UHost ["
              + id
              + "] is "
              + i.state
              + "; only Stopped instances can be terminated, stop it first");
    }
    long d = world.timing("terminate");
    i.releaseUDisk = releaseUDisk;
    i.goneAt = now + Math.max(0, d);
    lock(i, "TerminateCompShareInstance", now, d);
    world.advance(now);
    return Outcome.ok(true);
  }

  Outcome detach(String zone, String hostId, String diskId, long now) {
    Instance i = world.visible(zone, hostId);
    if (i == null) {
      return notExist("UHost", hostId);
    }
    if (world.isBootDisk(diskId)) {
      return Outcome.refused(
          CompShareCodes.PARAMS_NOT_AVAILABLE,
          "Params [UDiskId] not available: " + diskId + " is a system disk and cannot be detached");
    }
    Disk d = diskId == null ? null : world.disks.get(diskId);
    if (d == null || !d.exists()) {
      return notExist("UDisk", diskId);
    }
    if (i.lockHeld(now)) {
      return locked(i, now);
    }
    if (!CompShareWorld.STOPPED.equals(i.state) || i.terminating()) {
      return Outcome.refused(
          CompShareCodes.STATE_NOT_ALLOWED,
          "UHost ["
              + hostId
              + "] is "
              + i.state
              + "; disks can only be detached from Stopped instances");
    }
    if (!hostId.equals(d.instanceId)) {
      return Outcome.refused(
          CompShareCodes.DISK_NOT_ATTACHED,
          "UDisk [" + diskId + "] is not attached to UHost [" + hostId + "]");
    }
    if (CompShareWorld.DISK_DETACHING.equals(d.state)) {
      return Outcome.ok(false);
    }
    long t = world.timing("detach");
    if (t <= 0) {
      d.state = CompShareWorld.DISK_AVAILABLE;
      d.instanceId = null;
    } else {
      d.state = CompShareWorld.DISK_DETACHING;
      d.doneAt = now + t;
    }
    lock(i, "DetachCompshareDisk", now, t);
    return Outcome.ok(true);
  }

  Outcome deleteDisk(String diskId, long now) {
    if (world.isBootDisk(diskId)) {
      return Outcome.refused(
          CompShareCodes.PARAMS_NOT_AVAILABLE,
          "Params [UDiskId] not available: "
              + diskId
              + " is a system disk; it goes with its instance");
    }
    Disk d = diskId == null ? null : world.disks.get(diskId);
    if (d == null) {
      return notExist("UDisk", diskId);
    }
    if (!d.exists()) {
      return Outcome.ok(false); // documented: deleting a deleted disk succeeds
    }
    if (d.instanceId != null) {
      return Outcome.refused(
          CompShareCodes.DISK_IN_USE,
          "UDisk [" + diskId + "] is attached to UHost [" + d.instanceId + "]; detach it first");
    }
    long t = world.timing("release");
    d.state = t <= 0 ? CompShareWorld.DISK_DELETED : CompShareWorld.DISK_DELETING;
    d.doneAt = t <= 0 ? -1 : now + t;
    return Outcome.ok(true);
  }

  private void lock(Instance i, String action, long now, long operationMs) {
    long ttl = world.timing("lock");
    i.lock = new Lock(action, now + Math.max(0, Math.min(ttl, operationMs)));
  }

  private static Outcome locked(Instance i, long now) {
    long remainingS = Math.max(1, (i.lock.untilMs() - now + 999) / 1000);
    return Outcome.refused(
        CompShareCodes.OPERATION_IN_PROGRESS,
        "InstanceOperationInProgress: UHost ["
            + i.id
            + "] is locked by "
            + i.lock.action()
            + " in progress, retry after "
            + remainingS
            + "s");
  }

  private static Outcome notExist(String kind, String id) {
    return Outcome.refused(CompShareCodes.RESOURCE_NOT_EXIST, kind + " [" + id + "] not exist");
  }
}
