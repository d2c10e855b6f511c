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
 * The model of the CVM actions on a {@link TencentWorld}: which instances DescribeInstances and
 * DescribeInstancesStatus find, and what TerminateInstances refuses (limits, malformed or unknown
 * ids, mixed charge types, protection, states, operations in progress) and does. Takes parameters
 * already read from the wire and answers model objects; refusals are {@link TencentApiError}s with
 * the cloud's codes.
 */
final class TencentCvm {
  static final int MAX_TERMINATE_INSTANCES = 100;

  /** The filters DescribeInstances knows. */
  static final Set<String> INSTANCE_FILTERS =
      Set.of("instance-id", "instance-state", "instance-charge-type", "zone", "instance-name");

  /**
   * Instance states TerminateInstances refuses, with the code it answers (cvm TerminateInstances
   * error list).
   */
  private static final Map<String, String> TERMINATE_REFUSED =
      Map.of(
          "TERMINATING", "UnsupportedOperation.InstanceStateTerminating",
          "PENDING", "UnsupportedOperation.InstanceStatePending",
          "STARTING", "UnsupportedOperation.InstanceStateStarting",
          "STOPPING", "UnsupportedOperation.InstanceStateStopping",
          "REBOOTING", "UnsupportedOperation.InstanceStateRebooting",
          "ENTER_RESCUE_MODE", "UnsupportedOperation.InstanceStateEnterRescueMode",
          "RESCUE_MODE", "UnsupportedOperation.InstanceStateEnterRescueMode",
          "EXIT_RESCUE_MODE", "UnsupportedOperation.InstanceStateExitRescueMode",
          "ENTER_SERVICE_LIVE_MIGRATE", "UnsupportedOperation.InstanceStateEnterServiceLiveMigrate",
          "EXIT_SERVICE_LIVE_MIGRATE", "UnsupportedOperation.InstanceStateExitServiceLiveMigrate");

  private final TencentWorld world;

  TencentCvm(TencentWorld world) {
    this.world = world;
  }

  /**
   * The instances DescribeInstances finds, before paging: by ids or by filters, never both; none
   * when the request was signed for another region.
   */
  List<Instance> describeInstances(
      List<String> ids, Map<String, Set<String>> filters, boolean visible) {
    if (!ids.isEmpty() && !filters.isEmpty()) {
      throw new TencentApiError(
          "InvalidParameterCoexistInstanceIdsFilters",
          "The parameters `InstanceIds` and `Filters` cannot be specified at the same time.");
    }
    checkInstanceIds(ids, TencentWorld.MAX_DESCRIBE);
    Predicate<Instance> match =
        i ->
            (ids.isEmpty() || ids.contains(i.id))
                && allow(filters, "instance-id", i.id)
                && allow(filters, "instance-state", i.state)
                && allow(filters, "instance-charge-type", i.chargeType)
                && allow(filters, "zone", i.zone)
                && allow(filters, "instance-name", i.name);
    return visible ? world.instances.values().stream().filter(match).toList() : List.of();
  }

  /** The instances DescribeInstancesStatus finds, before paging. */
  List<Instance> describeInstancesStatus(List<String> ids, boolean visible) {
    checkInstanceIds(ids, TencentWorld.MAX_DESCRIBE);
    return visible
        ? world.instances.values().stream()
            .filter(i -> ids.isEmpty() || ids.contains(i.id))
            .toList()
        : List.of();
  }

  /**
   * TerminateInstances on these (distinct, non-empty) ids, all or none: a postpaid instance goes
   * TERMINATING, a prepaid one into the recycle bin (SHUTDOWN, its system disk and, with {@code
   * releasePrepaidDataDisks}, its prepaid data disks TORECYCLE), one already in the recycle bin is
   * destroyed for good.
   */
  TencentWorld.Released terminateInstances(
      List<String> ids,
      boolean releasePrepaidDataDisks,
      boolean visible,
      String requestId,
      long now) {
    checkInstanceIds(ids, MAX_TERMINATE_INSTANCES);
    List<Instance> targets = new ArrayList<>();
    for (String id : ids) {
      Instance i = visible ? world.instances.get(id) : null;
      if (i == null) {
        throw new TencentApiError(
            "InvalidInstanceId.NotFound", "The instance `" + id + "` is not found.");
      }
      targets.add(i);
    }
    if (targets.stream().map(i -> i.chargeType).distinct().count() > 1) {
      throw new TencentApiError(
          "UnsupportedOperation.InstanceMixedPricingModel",
          "Instances with different charge types cannot be terminated in one request.");
    }
    List<String> protectedIds =
        targets.stream().filter(i -> i.protectedFromTermination).map(i -> i.id).toList();
    if (!protectedIds.isEmpty()) {
      throw new TencentApiError(
          "UnsupportedOperation.InstancesProtected",
          "Instances "
              + protectedIds
              + " have termination protection enabled; disable it and try again.");
    }
    for (Instance i : targets) {
      String refused = TERMINATE_REFUSED.get(i.state);
      if (refused != null) {
        throw new TencentApiError(
            refused,
            "The instance `"
                + i.id
                + "` is in state `"
                + i.state
                + "`, which does not support this operation.");
      }
      if ("OPERATING".equals(i.latestOperationState)) {
        throw new TencentApiError(
            "OperationDenied.InstanceOperationInProgress",
            "The instance `"
                + i.id
                + "` is running operation `"
                + i.latestOperation
                + "`; try again later.");
      }
    }
    List<String> terminated = new ArrayList<>();
    List<String> recycled = new ArrayList<>();
    List<String> destroyed = new ArrayList<>();
    for (Instance i : targets) {
      i.latestOperation = "TerminateInstances";
      i.latestOperationState = "OPERATING";
      i.latestOperationRequestId = requestId;
      if ("SHUTDOWN".equals(i.state)) {
        // Second call on an instance in the recycle bin: destroyed for good, with everything
        // recycled with it.
        i.state = "TERMINATING";
        i.pending = Pending.TERMINATE;
        i.dueAt = now + world.timing("terminate");
        destroyed.add(i.id);
      } else if (TencentWorld.PREPAID.equals(i.chargeType)) {
        // First call on a prepaid instance: into the recycle bin.
        i.state = "SHUTDOWN";
        i.isolatedSource = "MANMADE";
        i.pending = Pending.RECYCLE;
        i.dueAt = now + world.timing("shutdown");
        for (Disk d : world.disks.values()) {
          if (i.id.equals(d.instanceId)
              && (TencentWorld.goesWithInstance(d) || (releasePrepaidDataDisks && d.prepaid()))) {
            d.state = "TORECYCLE";
            d.pending = null;
          }
        }
        recycled.add(i.id);
      } else {
        i.state = "TERMINATING";
        i.pending = Pending.TERMINATE;
        i.dueAt = now + world.timing("terminate");
        terminated.add(i.id);
      }
    }
    return new TencentWorld.Released(terminated, recycled, destroyed);
  }

  private static void checkInstanceIds(List<String> ids, int max) {
    if (ids.size() > max) {
      throw new TencentApiError(
          "InvalidParameterValue.LimitExceeded",
          "The number of `InstanceIds` exceeds the limit of " + max + ".");
    }
    for (String id : ids) {
      if (!id.startsWith("ins-") || id.length() <= 4) {
        throw new TencentApiError(
            "InvalidInstanceId.Malformed", "The instance id `" + id + "` is malformed.");
      }
    }
  }

  /** Whether a filter allows this value (an absent filter allows everything). */
  static boolean allow(Map<String, Set<String>> filters, String name, String value) {
    Set<String> values = filters.get(name);
    return values == null || values.contains(value);
  }
}
