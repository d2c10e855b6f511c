package dev.teardown.cloud;

/**
 * One observed instance.
 *
 * @param state the cloud's own state name (RUNNING, SHUTDOWN, Stopped, ...)
 * @param chargeType the cloud's own charge type name (PREPAID, POSTPAID_BY_HOUR, Dynamic, PostPaid,
 *     ...)
 * @param prepaid true for subscription (monthly/yearly) billing
 * @param deletionProtected termination protection is on; the cloud will refuse
 * @param notDeletableReason non-null when the cloud's rules forbid deleting it now (e.g. unexpired
 *     prepaid on Volcengine): a message a person can act on
 * @param spot preemptible/spot instance (CompShare needs Force to stop it)
 * @param name the instance's name as the cloud shows it (null when it has none), recorded in the
 *     plan
 * @param tags the instance's tags (key to value) as the cloud shows them; null when the cloud's
 *     describe does not return tags (then a guard on tags cannot be checked and refuses), empty
 *     when it returns none
 * @param dataDiskIds the ids of the data disks the instance lists as attached in the same answer
 *     (Tencent DescribeInstances {@code DataDisks[].DiskId}); null when the cloud's describe does
 *     not list them. A hint of which disks to look up by id, never proof of where a disk is: the
 *     disk's own observation says that. When every instance lists them, the operator finds data
 *     disks with {@link CloudProvider#describeDisks} over the listed ids instead of {@link
 *     CloudProvider#describeDataDisks}, so an adapter fills this only where describing disks by id
 *     is cheap (not CompShare, whose describe by id scans the zone).
 * @param dataDisks complete observations of the data disks attached to the instance, from the same
 *     answer, where that answer is the cloud's own record of where its disks are (CompShare: a disk
 *     is listed only in the DiskSet of the instance it is attached to, and a look-up of disks by id
 *     reads those same DiskSets); null otherwise. When every instance carries them, the operator
 *     takes an instance's data disks from here without another call: a disk not in the list is not
 *     attached to the instance by the very record a further look-up would read. When set, {@link
 *     #dataDiskIds} are their ids.
 */
public record CloudInstance(
    String id,
    String state,
    InstancePhase phase,
    String chargeType,
    boolean prepaid,
    boolean deletionProtected,
    String notDeletableReason,
    boolean spot,
    String name,
    java.util.Map<String, String> tags,
    java.util.List<String> dataDiskIds,
    java.util.List<CloudDisk> dataDisks) {

  public CloudInstance {
    if (dataDisks != null) {
      dataDisks = java.util.List.copyOf(dataDisks);
      dataDiskIds = dataDisks.stream().map(CloudDisk::id).toList();
    }
    dataDiskIds = dataDiskIds == null ? null : java.util.List.copyOf(dataDiskIds);
  }

  /**
   * What every cloud's describe shows; the name, tags and data disks a cloud's answer also carries
   * are added with {@link #withName}, {@link #withTags}, {@link #withDataDiskIds} and {@link
   * #withDataDisks}.
   */
  public CloudInstance(
      String id,
      String state,
      InstancePhase phase,
      String chargeType,
      boolean prepaid,
      boolean deletionProtected,
      String notDeletableReason,
      boolean spot) {
    this(
        id,
        state,
        phase,
        chargeType,
        prepaid,
        deletionProtected,
        notDeletableReason,
        spot,
        null,
        null,
        null,
        null);
  }

  public CloudInstance withName(String n) {
    return with(n, tags, dataDiskIds, dataDisks);
  }

  public CloudInstance withTags(java.util.Map<String, String> t) {
    return with(name, t, dataDiskIds, dataDisks);
  }

  /** With the ids of its listed data disks only (or null): a cloud whose answer lists no more. */
  public CloudInstance withDataDiskIds(java.util.List<String> ids) {
    return with(name, tags, ids, null);
  }

  /** With complete observations of its data disks (their ids become {@link #dataDiskIds}). */
  public CloudInstance withDataDisks(java.util.List<CloudDisk> disks) {
    return with(name, tags, null, disks);
  }

  private CloudInstance with(
      String n,
      java.util.Map<String, String> t,
      java.util.List<String> ids,
      java.util.List<CloudDisk> disks) {
    return new CloudInstance(
        id,
        state,
        phase,
        chargeType,
        prepaid,
        deletionProtected,
        notDeletableReason,
        spot,
        n,
        t,
        ids,
        disks);
  }

  public static CloudInstance gone(String id) {
    return new CloudInstance(id, "Gone", InstancePhase.GONE, null, false, false, null, false);
  }
}
