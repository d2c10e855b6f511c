package dev.teardown.sim.volcengine;

import dev.teardown.sim.volcengine.VolcengineWorld.Volume;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The model of the EBS actions on a {@link VolcengineWorld}: which volumes DescribeVolumes finds,
 * and what DetachVolume and DeleteVolume refuse (unknown, system, PrePaid or wrongly attached
 * volumes, a status that does not allow it) and do. Takes parameters already read from the wire;
 * refusals are {@link VolcengineApiError}s with the cloud's codes.
 */
final class VolcengineEbs {
  private final VolcengineWorld world;

  VolcengineEbs(VolcengineWorld world) {
    this.world = world;
  }

  /**
   * The volumes DescribeVolumes finds, before paging: the named ones (all when none is named),
   * narrowed by instance, kind and status where given.
   */
  List<Volume> describeVolumes(
      List<String> ids, String instanceId, String kind, String status, boolean visible) {
    List<Volume> matching = new ArrayList<>();
    Set<String> wanted = new LinkedHashSet<>(ids);
    for (Volume v : world.volumes(visible).values()) {
      if (!wanted.isEmpty() && !wanted.contains(v.id)) {
        continue;
      }
      if (instanceId != null && !instanceId.isBlank() && !instanceId.equals(v.instanceId)) {
        continue;
      }
      if (kind != null && !kind.isBlank() && !kind.equalsIgnoreCase(v.kind)) {
        continue;
      }
      if (status != null && !status.isBlank() && !status.equalsIgnoreCase(v.status)) {
        continue;
      }
      matching.add(v);
    }
    return matching;
  }

  /** DetachVolume: attached → detaching → available after "detach" ms. */
  void detachVolume(String volumeId, String instanceId, boolean visible) {
    Volume v = world.volumes(visible).get(volumeId);
    if (v == null) {
      throw VolcengineApiError.of(
          "VolumeNotFound", "The specified volume " + volumeId + " does not exist.");
    }
    if ("system".equals(v.kind)) {
      throw VolcengineApiError.of(
          "OperationDenied.SystemVolume", "A system volume cannot be detached.");
    }
    if (!"attached".equals(v.status)) {
      throw VolcengineApiError.of(
          "IncorrectDiskStatus",
          "The volume "
              + volumeId
              + " is "
              + v.status
              + "; only an attached volume can be detached.");
    }
    if (!instanceId.equals(v.instanceId)) {
      throw VolcengineApiError.of(
          "InvalidParameter",
          "The volume " + volumeId + " is not attached to instance " + instanceId + ".");
    }
    v.status = "detaching";
    v.until = world.now().plusMillis(world.timing("detach", VolcengineWorld.DEFAULT_DETACH_MS));
  }

  /**
   * DeleteVolume: only a PostPaid data volume in available; it goes deleting, then away after
   * "release" ms.
   */
  void deleteVolume(String volumeId, boolean visible) {
    Volume v = world.volumes(visible).get(volumeId);
    if (v == null) {
      throw VolcengineApiError.of(
          "VolumeNotFound", "The specified volume " + volumeId + " does not exist.");
    }
    if (!"data".equals(v.kind) || "pre".equals(v.payType)) {
      throw VolcengineApiError.of(
          "VolumeStatusForbidDelete",
          "The volume "
              + volumeId
              + " cannot be deleted on its own: only pay-as-you-go data volumes can be deleted.");
    }
    if (!"available".equals(v.status)) {
      throw VolcengineApiError.of(
          "IncorrectDiskStatus",
          "The volume "
              + volumeId
              + " is "
              + v.status
              + "; only an available volume can be deleted.");
    }
    v.status = "deleting";
    v.until = world.now().plusMillis(world.timing("release", VolcengineWorld.DEFAULT_RELEASE_MS));
  }
}
