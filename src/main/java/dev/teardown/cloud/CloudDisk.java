package dev.teardown.cloud;

/**
 * One observed data disk.
 *
 * @param instanceId the instance it is attached to, or null
 * @param state the cloud's own state name
 * @param deleteWithInstance the cloud releases it together with the instance
 * @param portable it can be detached on its own (Tencent non-elastic disks cannot)
 */
public record CloudDisk(
    String id,
    String instanceId,
    String state,
    DiskPhase phase,
    String chargeType,
    boolean prepaid,
    boolean deleteWithInstance,
    boolean portable) {

  public static CloudDisk gone(String id) {
    return new CloudDisk(id, null, "Gone", DiskPhase.GONE, null, false, false, true);
  }
}
