package dev.teardown.api.v1alpha1;

/** Where one instance stands in the deletion. */
public enum InstanceOutcome {
  /** Recorded, nothing done yet. */
  Pending,
  /** Stop requested (clouds that delete only stopped instances). */
  Stopping,
  /** Terminate requested; waiting for the cloud. */
  Terminating,
  /**
   * In the cloud's recycle bin (Tencent prepaid SHUTDOWN): no longer running, still recoverable.
   */
  Recycled,
  /** No longer exists in the cloud, after Teardown's terminate (or after it was recorded). */
  Gone,
  /**
   * Did not exist at the first observation: nothing was deleted (a mistyped id, a wrong region, or
   * gone before).
   */
  NotFound,
  /** The cloud refused to delete it; see error. */
  Failed
}
