package dev.teardown.cloud;

/**
 * A cloud's instance state reduced to what the deletion steps decide on; the raw state is kept
 * alongside.
 */
public enum InstancePhase {
  /** Running: terminable, or must be stopped first where the cloud requires it. */
  RUNNING,
  /** Stopped (or failed to launch): terminable. */
  STOPPED,
  /**
   * In a transition (pending, starting, stopping, rebooting, terminating, an operation in
   * progress): wait.
   */
  BUSY,
  /**
   * In the recycle bin (Tencent prepaid SHUTDOWN): off and no longer billed, recoverable; never
   * terminate again unless purging.
   */
  RECYCLED,
  /** Does not exist any more. */
  GONE
}
