package dev.teardown.cloud;

/** A cloud's disk state reduced to what the deletion steps decide on. */
public enum DiskPhase {
  ATTACHED,
  /** Attaching, detaching, expanding, rolling back...: wait. */
  BUSY,
  /** Unattached and releasable. */
  AVAILABLE,
  /** In the recycle bin (Tencent TORECYCLE): released, recoverable. */
  RECYCLED,
  GONE
}
