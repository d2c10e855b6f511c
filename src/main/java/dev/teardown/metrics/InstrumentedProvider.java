package dev.teardown.metrics;

import dev.teardown.cloud.BatchResult;
import dev.teardown.cloud.CallBudget;
import dev.teardown.cloud.Capabilities;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.ReleaseDisksRequest;
import dev.teardown.cloud.TerminateRequest;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;

/**
 * Times every port call in a histogram per provider, action (the port operation) and outcome (ok or
 * the error class): {@code teardown_cloud_call_duration_seconds{provider,action,outcome}}. A call
 * held back by the client-side rate budget is not a cloud call and is not timed.
 */
public final class InstrumentedProvider implements CloudProvider {
  private final String provider;
  private final CloudProvider delegate;
  private final MeterRegistry registry;

  public InstrumentedProvider(String provider, CloudProvider delegate, MeterRegistry registry) {
    this.provider = provider;
    this.delegate = delegate;
    this.registry = registry;
  }

  private interface Call<T> {
    T run() throws CloudException;
  }

  private <T> T timed(String op, Call<T> call) throws CloudException {
    long start = System.nanoTime();
    String outcome = "ok";
    try {
      return call.run();
    } catch (CloudException e) {
      // held back by the client-side budget (charged inside the adapter): not a cloud call; the
      // reconciler counts
      // it in teardown_client_throttled_calls_total
      outcome = CallBudget.DEFERRED.equals(e.error().code()) ? null : e.error().kind().display();
      throw e;
    } finally {
      if (outcome != null) {
        TeardownMetrics.cloudCall(registry, provider, op, outcome, System.nanoTime() - start);
      }
    }
  }

  @Override
  public Capabilities capabilities() {
    return delegate.capabilities();
  }

  @Override
  public Map<String, CloudInstance> describeInstances(List<String> ids) throws CloudException {
    return timed("describeInstances", () -> delegate.describeInstances(ids));
  }

  @Override
  public Map<String, List<CloudDisk>> describeDataDisks(List<String> ids) throws CloudException {
    return timed("describeDataDisks", () -> delegate.describeDataDisks(ids));
  }

  @Override
  public Map<String, CloudDisk> describeDisks(List<String> ids) throws CloudException {
    return timed("describeDisks", () -> delegate.describeDisks(ids));
  }

  @Override
  public boolean releasedWithInstance(
      CloudInstance instance, CloudDisk disk, boolean releaseDataDisks) {
    return delegate.releasedWithInstance(instance, disk, releaseDataDisks);
  }

  @Override
  public BatchResult stopInstances(List<CloudInstance> instances) throws CloudException {
    return timed("stopInstances", () -> delegate.stopInstances(instances));
  }

  @Override
  public BatchResult terminateInstances(TerminateRequest request) throws CloudException {
    return timed(
        request.purge() ? "purgeInstances" : "terminateInstances",
        () -> delegate.terminateInstances(request));
  }

  @Override
  public BatchResult detachDisks(String instanceId, List<String> diskIds) throws CloudException {
    return timed("detachDisks", () -> delegate.detachDisks(instanceId, diskIds));
  }

  @Override
  public BatchResult releaseDisks(ReleaseDisksRequest request) throws CloudException {
    return timed(
        request.purge() ? "purgeDisks" : "releaseDisks", () -> delegate.releaseDisks(request));
  }

  @Override
  public Map<String, Integer> requestsPerSecond() {
    return delegate.requestsPerSecond();
  }

  @Override
  public boolean canObserveUnattachedDisks() {
    return delegate.canObserveUnattachedDisks();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
