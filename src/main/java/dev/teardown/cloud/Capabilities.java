package dev.teardown.cloud;

import java.time.Duration;

/**
 * What a cloud's API allows, so the steps stay provider-neutral.
 *
 * @param maxInstancesPerTerminate documented batch limit of one terminate call
 * @param maxDisksPerDetach batch limit of one detach call (disks of one instance)
 * @param maxDisksPerRelease batch limit of one disk release call
 * @param stopBeforeTerminate the cloud deletes only stopped instances (CompShare)
 * @param sameChargeTypePerTerminate every instance in one terminate call must have the same charge
 *     type (Tencent)
 * @param recycleBin a first terminate of a prepaid instance moves it to a recycle bin; a second one
 *     destroys it
 * @param terminateSettles how long an accepted terminate may leave the instance looking terminable
 *     (CompShare keeps listing a terminating host as Stopped while its operation lock is held); no
 *     second terminate before then
 * @param maxInstancesPerDiskLookup instances per {@link CloudProvider#describeDataDisks} call that
 *     still takes few SDK calls: what callers merging look-ups across deletions may put in one
 *     (Tencent's DescribeDisks filter takes 5 instance ids; Volcengine finds the volumes of 100
 *     instances with one DescribeInstances)
 */
public record Capabilities(
    int maxInstancesPerTerminate,
    int maxDisksPerDetach,
    int maxDisksPerRelease,
    boolean stopBeforeTerminate,
    boolean sameChargeTypePerTerminate,
    boolean recycleBin,
    Duration terminateSettles,
    int maxInstancesPerDiskLookup) {

  /** Instances per data-disk look-up unless a cloud says otherwise. */
  public static final int DEFAULT_INSTANCES_PER_DISK_LOOKUP = 5;

  public Capabilities(
      int maxInstancesPerTerminate,
      int maxDisksPerDetach,
      int maxDisksPerRelease,
      boolean stopBeforeTerminate,
      boolean sameChargeTypePerTerminate,
      boolean recycleBin,
      Duration terminateSettles) {
    this(
        maxInstancesPerTerminate,
        maxDisksPerDetach,
        maxDisksPerRelease,
        stopBeforeTerminate,
        sameChargeTypePerTerminate,
        recycleBin,
        terminateSettles,
        DEFAULT_INSTANCES_PER_DISK_LOOKUP);
  }

  public Capabilities(
      int maxInstancesPerTerminate,
      int maxDisksPerDetach,
      int maxDisksPerRelease,
      boolean stopBeforeTerminate,
      boolean sameChargeTypePerTerminate,
      boolean recycleBin) {
    this(
        maxInstancesPerTerminate,
        maxDisksPerDetach,
        maxDisksPerRelease,
        stopBeforeTerminate,
        sameChargeTypePerTerminate,
        recycleBin,
        Duration.ZERO);
  }
}
