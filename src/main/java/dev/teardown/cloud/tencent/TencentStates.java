package dev.teardown.cloud.tencent;

import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.DiskPhase;
import dev.teardown.cloud.InstancePhase;

/**
 * Tencent CVM/CBS states reduced to the port's phases, and the cloud's rules for what goes with an
 * instance.
 */
final class TencentStates {
  static final String PREPAID = "PREPAID";
  static final String SPOTPAID = "SPOTPAID";

  private TencentStates() {}

  /**
   * InstanceState + LatestOperationState to a phase. SHUTDOWN is the recycle bin once the terminate
   * that put it there has finished; while any operation is OPERATING the instance is busy whatever
   * its state says.
   */
  static InstancePhase instancePhase(String state, String latestOperationState) {
    if ("OPERATING".equals(latestOperationState)) {
      return InstancePhase.BUSY;
    }
    if (state == null) {
      return InstancePhase.BUSY;
    }
    return switch (state) {
      case "RUNNING" -> InstancePhase.RUNNING;
      case "STOPPED", "LAUNCH_FAILED" -> InstancePhase.STOPPED;
      case "SHUTDOWN" -> InstancePhase.RECYCLED;
        // PENDING, STARTING, STOPPING, REBOOTING, TERMINATING, rescue and live-migration states:
        // wait.
      default -> InstancePhase.BUSY;
    };
  }

  /**
   * DiskState to a phase: TORECYCLE is the recycle bin, every other non-resting state is a
   * transition.
   */
  static DiskPhase diskPhase(String state) {
    if (state == null) {
      return DiskPhase.BUSY;
    }
    return switch (state) {
      case "ATTACHED" -> DiskPhase.ATTACHED;
      case "UNATTACHED" -> DiskPhase.AVAILABLE;
      case "TORECYCLE" -> DiskPhase.RECYCLED;
        // ATTACHING, DETACHING, EXPANDING, ROLLBACKING, DUMPING: wait.
      default -> DiskPhase.BUSY;
    };
  }

  /**
   * Whether TerminateInstances itself disposes of the disk: non-elastic disks always go with their
   * instance; DeleteWithInstance (postpaid disks only) goes with it; prepaid data disks of a
   * prepaid instance go to the recycle bin with it when the call sets ReleasePrepaidDataDisks.
   * Everything else survives and is released separately.
   */
  static boolean releasedWithInstance(
      CloudInstance instance, CloudDisk disk, boolean releaseDataDisks) {
    if (!disk.portable()) {
      return true;
    }
    if (!disk.prepaid() && disk.deleteWithInstance()) {
      return true;
    }
    return disk.prepaid() && instance.prepaid() && releaseDataDisks;
  }

  static String protectedReason(String instanceId) {
    return "deletion protection is on for "
        + instanceId
        + ": turn off termination protection in the CVM console (or ModifyInstancesAttribute DisableApiTermination=false),"
        + " then re-create this CloudInstanceDeletion";
  }
}
