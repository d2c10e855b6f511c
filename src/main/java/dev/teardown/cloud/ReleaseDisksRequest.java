package dev.teardown.cloud;

import java.util.List;

/**
 * One release call over unattached data disks.
 *
 * @param purge a second call that destroys disks already in the recycle bin
 * @param idempotencyToken stable per (resource, batch) (Volcengine ClientToken)
 */
public record ReleaseDisksRequest(List<String> diskIds, boolean purge, String idempotencyToken) {}
