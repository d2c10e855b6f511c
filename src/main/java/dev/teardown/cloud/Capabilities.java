package dev.teardown.cloud;

/**
 * What a cloud's API allows, so the steps stay provider-neutral.
 *
 * @param maxInstancesPerTerminate documented batch limit of one terminate call
 * @param maxDisksPerDetach batch limit of one detach call (disks of one instance)
 * @param maxDisksPerRelease batch limit of one disk release call
 * @param stopBeforeTerminate the cloud deletes only stopped instances (CompShare)
 * @param sameChargeTypePerTerminate every instance in one terminate call must have the same charge type (Tencent)
 * @param recycleBin a first terminate of a prepaid instance moves it to a recycle bin; a second one destroys it
 */
public record Capabilities(
    int maxInstancesPerTerminate,
    int maxDisksPerDetach,
    int maxDisksPerRelease,
    boolean stopBeforeTerminate,
    boolean sameChargeTypePerTerminate,
    boolean recycleBin) {}
