package dev.teardown.controller;

import dev.teardown.cloud.BatchResult;
import dev.teardown.cloud.Capabilities;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.ErrorKind;
import dev.teardown.cloud.ReleaseDisksRequest;
import dev.teardown.cloud.TerminateRequest;
import java.util.List;
import java.util.Map;

/**
 * An observation is never the end of a deletion: a terminal answer to a describe (an unknown
 * parameter code, a refusal nobody has classified) becomes retryable, so the deletion backs off
 * and, if it lasts, shows Stalled. Only credentials stay what they are (they have their own
 * condition). Mutating calls pass through unchanged.
 */
final class ObservationGuard implements CloudProvider {
  private final CloudProvider delegate;

  ObservationGuard(CloudProvider delegate) {
    this.delegate = delegate;
  }

  static CloudException demote(CloudException e) {
    CloudError err = e.error();
    if (err.kind() != ErrorKind.TERMINAL) {
      return e;
    }
    return new CloudException(
        new CloudError(
            ErrorKind.RETRYABLE,
            err.code(),
            err.message() + " (an observation; Teardown looks again)",
            err.requestId(),
            err.action(),
            err.retryAfter()),
        e);
  }

  @Override
  public Capabilities capabilities() {
    return delegate.capabilities();
  }

  @Override
  public Map<String, CloudInstance> describeInstances(List<String> instanceIds)
      throws CloudException {
    try {
      return delegate.describeInstances(instanceIds);
    } catch (CloudException e) {
      throw demote(e);
    }
  }

  @Override
  public Map<String, List<CloudDisk>> describeDataDisks(List<String> instanceIds)
      throws CloudException {
    try {
      return delegate.describeDataDisks(instanceIds);
    } catch (CloudException e) {
      throw demote(e);
    }
  }

  @Override
  public Map<String, CloudDisk> describeDisks(List<String> diskIds) throws CloudException {
    try {
      return delegate.describeDisks(diskIds);
    } catch (CloudException e) {
      throw demote(e);
    }
  }

  @Override
  public boolean releasedWithInstance(
      CloudInstance instance, CloudDisk disk, boolean releaseDataDisks) {
    return delegate.releasedWithInstance(instance, disk, releaseDataDisks);
  }

  @Override
  public BatchResult stopInstances(List<CloudInstance> instances) throws CloudException {
    return delegate.stopInstances(instances);
  }

  @Override
  public BatchResult terminateInstances(TerminateRequest request) throws CloudException {
    return delegate.terminateInstances(request);
  }

  @Override
  public BatchResult detachDisks(String instanceId, List<String> diskIds) throws CloudException {
    return delegate.detachDisks(instanceId, diskIds);
  }

  @Override
  public BatchResult releaseDisks(ReleaseDisksRequest request) throws CloudException {
    return delegate.releaseDisks(request);
  }

  @Override
  public boolean canObserveUnattachedDisks() {
    return delegate.canObserveUnattachedDisks();
  }

  @Override
  public Map<String, Integer> requestsPerSecond() {
    return delegate.requestsPerSecond();
  }
}
