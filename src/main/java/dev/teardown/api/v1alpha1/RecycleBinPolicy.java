package dev.teardown.api.v1alpha1;

/**
 * Tencent prepaid resources go to a recycle bin on the first terminate call. {@code Keep} stops
 * there (the instance stays recoverable until the cloud purges it); {@code Purge} makes the second,
 * irreversible call.
 */
public enum RecycleBinPolicy {
  Keep,
  Purge
}
