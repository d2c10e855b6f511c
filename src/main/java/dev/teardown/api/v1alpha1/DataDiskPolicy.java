package dev.teardown.api.v1alpha1;

/**
 * What happens to the data disks attached to the instances: released with them (default) or kept.
 */
public enum DataDiskPolicy {
  Release,
  Retain
}
