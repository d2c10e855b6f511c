package dev.teardown.sim.tencent;

import dev.teardown.sim.tencent.TencentWorld.Disk;
import dev.teardown.sim.tencent.TencentWorld.Instance;
import dev.teardown.sim.tencent.TencentWorld.Pending;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The model of the CBS actions on a {@link TencentWorld}: which disks DescribeDisks finds, and what
 * DetachDisks and TerminateDisks refuse (limits, unknown, non-elastic, busy or attached disks, busy
 * instances) and do. Takes parameters already read from the wire and answers model objects;
 * refusals are {@link TencentApiError}s with the cloud's codes.
 */
final class TencentCbs {
  static final int MAX_DETACH_DISKS = 10;
  static final int MAX_TERMINATE_DISKS = 50;

  /** The filters DescribeDisks knows. */
  static final Set<String> DISK_FILTERS =
      Set.of(
          "disk-usage",
          "disk-charge-type",
          "portable",
          "disk-id",
          "disk-state",
          "instance-id",
          "zone");

  private static final Set<String> DISK_BUSY =
      Set.of("ATTACHING", "DETACHING", "EXPANDING", "ROLLBACKING", "DUMPING");

  private final TencentWorld world;

  TencentCbs(TencentWorld world) {
    this.world = world;
  }

  /**
   * The disks DescribeDisks finds, before paging: by ids or by filters, never both; none when the
   * request was signed for another region.
   */
  List<Disk> describeDisks(List<String> ids, Map<String, Set<String>> filters, boolean visible) {
    if (!ids.isEmpty() && !filters.isEmpty()) {
      throw new TencentApiError(
          "InvalidParameter", "`DiskIds` and `Filters` cannot be specified at the same time.");
    }
    if (ids.size() > TencentWorld.MAX_DESCRIBE) {
      throw new TencentApiError(
          "InvalidParameterValue.LimitExceeded",
          "The number of `DiskIds` exceeds the limit of " + TencentWorld.MAX_DESCRIBE + ".");
    }
    Predicate<Disk> match =
        d ->
            (ids.isEmpty() || ids.contains(d.id))
                && TencentCvm.allow(filters, "disk-usage", d.usage)
                && TencentCvm.allow(filters, "disk-charge-type", d.chargeType)
                && TencentCvm.allow(filters, "portable", d.portable ? "TRUE" : "FALSE")
                && TencentCvm.allow(filters, "disk-id", d.id)
                && TencentCvm.allow(filters, "disk-state", d.state)
                && TencentCvm.allow(filters, "zone", d.zone)
                && TencentCvm.allow(
                    filters, "instance-id", d.instanceId == null ? "" : d.instanceId);
    return visible ? world.disks.values().stream().filter(match).toList() : List.of();
  }

  /**
   * DetachDisks on these (distinct, non-empty) ids, all or none: elastic, ATTACHED, on one instance
   * (the one named, if any) that is not busy; they go DETACHING. Answers the instance they were on.
   */
  String detachDisks(List<String> ids, String wantedInstance, boolean visible, long now) {
    if (ids.size() > MAX_DETACH_DISKS) {
      throw new TencentApiError(
          "InvalidParameterValue.LimitExceeded",
          "At most " + MAX_DETACH_DISKS + " disks can be detached in one request.");
    }
    List<Disk> targets = existingDisks(ids, visible);
    String onInstance = null;
    for (Disk d : targets) {
      requirePortable(d);
      if (DISK_BUSY.contains(d.state)) {
        throw new TencentApiError(
            "InvalidDisk.Busy",
            "The disk `" + d.id + "` is busy (" + d.state + "); try again later.");
      }
      if (!"ATTACHED".equals(d.state)) {
        throw new TencentApiError(
            "InvalidDisk.NotSupported",
            "The disk `" + d.id + "` is " + d.state + " and cannot be detached.");
      }
      if (wantedInstance != null && !wantedInstance.equals(d.instanceId)) {
        throw new TencentApiError(
            "InvalidParameterValue",
            "The disk `" + d.id + "` is not attached to instance `" + wantedInstance + "`.");
      }
      if (onInstance != null && !onInstance.equals(d.instanceId)) {
        throw new TencentApiError(
            "InvalidParameterValue",
            "Disks to detach in one request must be attached to the same instance.");
      }
      onInstance = d.instanceId;
    }
    Instance host = world.instances.get(onInstance);
    if (host != null
        && ("TERMINATING".equals(host.state) || "OPERATING".equals(host.latestOperationState))) {
      throw new TencentApiError(
          "ResourceBusy", "The instance `" + host.id + "` is busy; try again later.");
    }
    for (Disk d : targets) {
      d.state = "DETACHING";
      d.pending = Pending.DETACH;
      d.dueAt = now + world.timing("detach");
    }
    return onInstance;
  }

  /**
   * TerminateDisks on these (distinct, non-empty) ids, all or none: elastic, not busy, not
   * attached. A postpaid disk is gone at once, a prepaid one goes to the recycle bin (TORECYCLE),
   * one already there is destroyed for good.
   */
  TencentWorld.Released terminateDisks(List<String> ids, boolean visible) {
    if (ids.size() > MAX_TERMINATE_DISKS) {
      throw new TencentApiError(
          "InvalidParameterValue.LimitExceeded",
          "At most " + MAX_TERMINATE_DISKS + " disks can be terminated in one request.");
    }
    List<Disk> targets = existingDisks(ids, visible);
    for (Disk d : targets) {
      requirePortable(d);
      if (DISK_BUSY.contains(d.state)) {
        throw new TencentApiError(
            "InvalidDisk.Busy",
            "The disk `" + d.id + "` is busy (" + d.state + "); try again later.");
      }
      if ("ATTACHED".equals(d.state)) {
        // Not in TerminateDisks' documented list; CBS's own code for "the disk is attached to a
        // server".
        throw new TencentApiError(
            "ResourceUnavailable.Attached",
            "The disk `" + d.id + "` is attached to `" + d.instanceId + "`; detach it first.");
      }
    }
    List<String> terminated = new ArrayList<>();
    List<String> recycled = new ArrayList<>();
    List<String> destroyed = new ArrayList<>();
    for (Disk d : targets) {
      if ("TORECYCLE".equals(d.state)) {
        world.disks.remove(d.id);
        world.destroyedDisks.add(d.id);
        destroyed.add(d.id);
      } else if (d.prepaid()) {
        d.state = "TORECYCLE";
        recycled.add(d.id);
      } else {
        world.disks.remove(d.id);
        world.destroyedDisks.add(d.id);
        terminated.add(d.id);
      }
    }
    return new TencentWorld.Released(terminated, recycled, destroyed);
  }

  private List<Disk> existingDisks(List<String> ids, boolean visible) {
    List<Disk> out = new ArrayList<>();
    for (String id : ids) {
      Disk d = visible ? world.disks.get(id) : null;
      if (d == null) {
        throw new TencentApiError("InvalidDiskId.NotFound", "The disk `" + id + "` is not found.");
      }
      out.add(d);
    }
    return out;
  }

  private static void requirePortable(Disk d) {
    if (TencentWorld.SYSTEM_DISK.equals(d.usage) || !d.portable) {
      throw new TencentApiError(
          "InvalidDisk.NotPortable",
          "The disk `"
              + d.id
              + "` is not an elastic disk; it is released together with its instance.");
    }
  }
}
