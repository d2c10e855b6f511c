package dev.teardown.sim.volcengine;

import dev.teardown.sim.volcengine.VolcengineWorld.Instance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The model of the ECS actions on a {@link VolcengineWorld}: which instances DescribeInstances
 * finds, and what DeleteInstances refuses (per instance: unknown, protected, unexpired PrePaid, a
 * status that cannot be deleted) and does. Takes parameters already read from the wire and answers
 * model objects.
 */
final class VolcengineEcs {

  /**
   * One instance of a DeleteInstances call: accepted (no code) or refused with code and message.
   */
  record Deletion(String instanceId, String code, String message) {}

  /** Every requested instance's fate, and whether any deletion was newly accepted. */
  record Deleted(List<Deletion> details, boolean effective) {}

  private final VolcengineWorld world;

  VolcengineEcs(VolcengineWorld world) {
    this.world = world;
  }

  /**
   * The instances DescribeInstances finds, before paging: the named ones (all when none is named)
   * in the given status (any when blank).
   */
  List<Instance> describeInstances(List<String> ids, String status, boolean visible) {
    List<Instance> matching = new ArrayList<>();
    Map<String, Instance> all = world.instances(visible);
    if (ids.isEmpty()) {
      matching.addAll(all.values());
    } else {
      for (String id : new LinkedHashSet<>(ids)) {
        Instance i = all.get(id);
        if (i != null) {
          matching.add(i);
        }
      }
    }
    if (status != null && !status.isBlank()) {
      matching.removeIf(i -> !i.status.equalsIgnoreCase(status));
    }
    return matching;
  }

  /**
   * DeleteInstances: each instance is checked on its own; the answer lists one OperationDetails
   * entry per requested instance, with an Error for those that were refused. Accepted instances go
   * DELETING for "terminate" ms (after "terminateLag" ms in the queue); an instance whose deletion
   * is already queued is accepted again without effect.
   */
  Deleted deleteInstances(List<String> ids, boolean visible) {
    Instant now = world.now();
    Map<String, Instance> all = world.instances(visible);
    List<Deletion> details = new ArrayList<>();
    boolean effective = false;
    for (String id : new LinkedHashSet<>(ids)) {
      Instance i = all.get(id);
      String code = null;
      String message = null;
      if (i == null) {
        code = "InvalidInstance.NotFound";
        message = "The specified instance does not exist.";
      } else if (i.deleteQueuedUntil != null) {
        // already being deleted: nothing more to do
      } else if (i.deletionProtection) {
        code = "OperationDenied.DeletionProtection";
        message = "The specified instance has deletion protection enabled.";
      } else if (VolcengineWorld.PRE_PAID.equals(i.chargeType) && !i.expired) {
        code = "InvalidInstanceChargeType";
        message =
            "The charge type of the specified instance does not support this operation: a PrePaid instance can "
                + "be deleted only after it expires or is converted to PostPaid.";
      } else if (!VolcengineWorld.DELETABLE_STATUSES.contains(i.status)) {
        code = "InvalidInstanceStatus";
        message = "The status of the specified instance does not support this request.";
      } else {
        long lag = world.timing("terminateLag", VolcengineWorld.DEFAULT_TERMINATE_LAG_MS);
        if (lag > 0) {
          i.deleteQueuedUntil = now.plusMillis(lag);
        } else {
          i.status = "DELETING";
          i.deletingUntil =
              now.plusMillis(world.timing("terminate", VolcengineWorld.DEFAULT_TERMINATE_MS));
        }
        effective = true;
      }
      details.add(new Deletion(id, code, message));
    }
    return new Deleted(details, effective);
  }
}
