package dev.teardown.cloud;

import java.util.List;

/**
 * One terminate call over instances of the same charge type.
 *
 * @param releaseDataDisks release the data disks together with the instances where the cloud can
 *     (Tencent ReleasePrepaidDataDisks, CompShare ReleaseUDisk)
 * @param releaseAddress release the public address where the cloud can (Tencent ReleaseAddress)
 * @param purge a second, irreversible terminate of instances already in the recycle bin
 * @param idempotencyToken stable per (resource, batch): a retried or restarted call is never a
 *     second deletion (Volcengine ClientToken)
 */
public record TerminateRequest(
    List<String> instanceIds,
    boolean releaseDataDisks,
    boolean releaseAddress,
    boolean purge,
    String idempotencyToken) {}
