package dev.teardown.controller;

import dev.teardown.api.v1alpha1.DiskAction;
import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.DiskPhase;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Books this pass's observation ({@link CloudSnapshot}) into status: states, and the outcomes an
 * observation alone decides (an instance gone or recycled, a disk released).
 */
final class Observer {
  private Observer() {}

  /** State shown for a disk the cloud cannot see because it is attached to nothing (CompShare). */
  static final String UNATTACHED_UNOBSERVABLE = "Unattached";

  /** Copies observed instance states into status; gone and recycled instances get their outcome. */
  static void observeInstances(DeletionContext ctx) {
    for (InstanceStatus is : ctx.instances()) {
      CloudInstance ci = ctx.snapshot().instance(is.getId());
      is.setState(ci.state());
      if (ci.chargeType() != null) {
        is.setChargeType(ci.chargeType());
      }
      if (is.getOutcome() == InstanceOutcome.Failed
          || is.getOutcome() == InstanceOutcome.NotFound) {
        continue;
      }
      switch (ci.phase()) {
        case GONE -> is.setOutcome(InstanceOutcome.Gone);
        case RECYCLED -> is.setOutcome(InstanceOutcome.Recycled);
        default -> {}
      }
    }
  }

  /**
   * Copies observed disk states into status; a disk to release that is gone or recycled counts as
   * released.
   */
  static void observeDisks(DeletionContext ctx) throws CloudException {
    ctx.snapshot().loadDisks();
    Map<String, InstanceStatus> owner = ctx.ownerOfDisk();
    for (DiskStatus ds : ctx.disks().toList()) {
      CloudDisk cd = ctx.snapshot().disk(ds.getId());
      boolean unseen = cd.phase() == DiskPhase.GONE && !goneConfirmed(ctx, ds, cd);
      // A cloud that cannot look up unattached disks reports them gone: the status must not say
      // Gone for a disk that may well be there and billed (a kept disk, or one Teardown has not
      // released yet).
      ds.setState(unseen ? UNATTACHED_UNOBSERVABLE : cd.state());
      if (ds.getAction() == DiskAction.Retain) {
        continue;
      }
      if (goneConfirmed(ctx, ds, cd) || cd.phase() == DiskPhase.RECYCLED) {
        ds.setReleased(true);
        ds.setError(null);
      } else if (goesToRecycleBinWithInstance(ctx, ds, cd, owner.get(ds.getId()))) {
        // A non-elastic disk cannot be detached: it stays attached to its recycled (prepaid)
        // instance, is recycled with it and goes with it on Purge. That is its end, by choice; no
        // DetachDisks is ever sent for it.
        ds.setReleased(true);
        ds.setState(cd.state() + " (recycled with " + cd.instanceId() + ")");
        ds.setError(null);
      }
    }
    ctx.updateDiskCount();
  }

  /**
   * A disk planned to go with its instance that is still attached to it after the instance went to
   * the recycle bin: a non-elastic disk (it cannot be detached), or any such disk on a cloud whose
   * recycle bin keeps the disks with the instance (CompShare InRecycle).
   */
  static boolean goesToRecycleBinWithInstance(
      DeletionContext ctx, DiskStatus ds, CloudDisk cd, InstanceStatus owner) {
    return ds.getAction() == DiskAction.ReleaseWithInstance
        && (!cd.portable() || !ctx.caps().recycleBin())
        && owner != null
        && owner.getOutcome() == InstanceOutcome.Recycled
        && cd.phase() == DiskPhase.ATTACHED
        && owner.getId().equals(cd.instanceId());
  }

  /** Gone, and the cloud can tell (or Teardown's own idempotent release already ran for it). */
  static boolean goneConfirmed(DeletionContext ctx, DiskStatus ds, CloudDisk cd) {
    return cd.phase() == DiskPhase.GONE
        && (ctx.provider().canObserveUnattachedDisks() || ds.releaseCallCount() > 0);
  }

  /**
   * The data disks attached to each of these instances now (an empty list when none). Where this
   * pass's observation of the instances lists their data disks ({@link
   * CloudInstance#dataDiskIds()}, Tencent), those ids and {@code alsoCheck} are looked up by id,
   * which merges across deletions at 100 ids per call, and a disk counts as attached to an instance
   * only when its own observation says so: the instance's list decides which disks are looked at,
   * never where a disk is. Otherwise the cloud's own look-up by instance.
   *
   * <p>Where this pass's observation of every instance carries complete observations of its data
   * disks ({@link CloudInstance#dataDisks()}, CompShare's DiskSet), those are the answer and no
   * call is made: they come from the cloud's own record of where its disks are, the one record a
   * look-up by instance or by id would read again, so a disk (recorded or not) that is not in an
   * instance's list is not attached to it, and {@code alsoCheck} has nothing to add.
   *
   * @param alsoCheck further disk ids to look at (e.g. the ones recorded for these instances)
   */
  static Map<String, List<CloudDisk>> attachedDataDisks(
      DeletionContext ctx, List<String> instanceIds, Collection<String> alsoCheck)
      throws CloudException {
    if (instanceIds.stream().allMatch(id -> ctx.snapshot().instance(id).dataDisks() != null)) {
      Map<String, List<CloudDisk>> out = new LinkedHashMap<>();
      for (String id : instanceIds) {
        List<CloudDisk> attached = new ArrayList<>();
        for (CloudDisk d : ctx.snapshot().instance(id).dataDisks()) {
          if (d.phase() != DiskPhase.GONE && id.equals(d.instanceId())) {
            attached.add(d);
          }
        }
        out.put(id, attached);
      }
      return out;
    }
    Set<String> ids = new LinkedHashSet<>();
    for (String id : instanceIds) {
      List<String> listed = ctx.snapshot().instance(id).dataDiskIds();
      if (listed == null) {
        return ctx.provider().describeDataDisks(instanceIds);
      }
      ids.addAll(listed);
    }
    ids.addAll(alsoCheck);
    Map<String, CloudDisk> seen =
        ids.isEmpty() ? Map.of() : ctx.provider().describeDisks(List.copyOf(ids));
    Map<String, List<CloudDisk>> out = new LinkedHashMap<>();
    instanceIds.forEach(id -> out.put(id, new ArrayList<>()));
    for (CloudDisk d : seen.values()) {
      if (d.phase() != DiskPhase.GONE
          && d.instanceId() != null
          && out.containsKey(d.instanceId())) {
        out.get(d.instanceId()).add(d);
      }
    }
    return out;
  }

  /**
   * True when this pass's observation of the instance lists exactly the data disks recorded for it:
   * none was attached since the plan was recorded and none of them was taken away, so there is
   * nothing to look up again before its first terminate.
   */
  static boolean listsExactlyTheRecordedDisks(DeletionContext ctx, InstanceStatus is) {
    List<String> listed = ctx.snapshot().instance(is.getId()).dataDiskIds();
    if (listed == null) {
      return false;
    }
    Set<String> recorded = new java.util.HashSet<>();
    is.getDataDisks().forEach(d -> recorded.add(d.getId()));
    return recorded.equals(new java.util.HashSet<>(listed));
  }
}
