package dev.teardown.api.v1alpha1;

/**
 * What an instance that does not exist at the first observation means. {@code Fail} (default): a
 * mistyped id or a wrong region must not look like success, so the deletion ends Failed (reason
 * InstancesNotFound) after finishing the instances it found. {@code Ignore}: it was already gone,
 * which is fine (GitOps re-applies).
 */
public enum NotFoundPolicy {
  Fail,
  Ignore
}
