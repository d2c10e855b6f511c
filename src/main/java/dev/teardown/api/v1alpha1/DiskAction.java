package dev.teardown.api.v1alpha1;

/** What Teardown decided, before any mutating call, to do with one data disk. */
public enum DiskAction {
  /**
   * The cloud releases it together with the instance (delete-with-instance, ReleaseUDisk,
   * ReleasePrepaidDataDisks).
   */
  ReleaseWithInstance,
  /** Teardown detaches it if needed and releases it itself after the instance is gone. */
  Release,
  /** Kept, because spec.dataDisks is Retain. */
  Retain
}
