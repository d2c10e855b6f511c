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
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Client-side rate limits per port operation, shared by every deletion that uses the same keys and region (one
 * instance per connection). It never waits: over the limit, the call is deferred with
 * {@link #DEFERRED} and the reconcile requeues for when a token is due, instead of spending a request the cloud
 * would refuse with its own throttling error.
 */
public final class RateLimitedProvider implements CloudProvider {
  /** The code of a call Teardown held back itself; the reconciler reschedules without recording an error. */
  public static final String DEFERRED = "ClientRateLimit";

  private final CloudProvider delegate;
  private final Map<String, Bucket> buckets = new HashMap<>();

  public RateLimitedProvider(CloudProvider delegate) {
    this.delegate = delegate;
    delegate.requestsPerSecond().forEach((op, rate) -> buckets.put(op, new Bucket(rate)));
  }

  /**
   * A token bucket refilled continuously at {@code rate} per second, holding at most one second of tokens. A caller
   * that finds it empty is given the next free slot after the callers already deferred, so deferred reconciles
   * come back spread out, one per slot, instead of all at once.
   */
  private static final class Bucket {
    private final double rate;
    private double tokens;
    private long last = System.nanoTime();
    private long nextSlot = last;

    Bucket(double rate) {
      this.rate = rate;
      this.tokens = rate;
    }

    synchronized Duration take() {
      long now = System.nanoTime();
      tokens = Math.min(rate, tokens + (now - last) / 1e9 * rate);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return Duration.ZERO;
      }
      long slot = Math.max(now + (long) ((1 - tokens) / rate * 1e9), nextSlot + (long) (1e9 / rate));
      nextSlot = slot;
      return Duration.ofNanos(slot - now);
    }
  }

  private void acquire(String op) throws CloudException {
    Bucket b = buckets.get(op);
    if (b == null) {
      return;
    }
    Duration wait = b.take();
    if (!wait.isZero()) {
      throw new CloudException(new CloudError(ErrorKind.THROTTLED, DEFERRED,
          "held back to stay under " + (int) b.rate + " " + op + " requests per second", null, op, wait));
    }
  }

  @Override
  public Capabilities capabilities() {
    return delegate.capabilities();
  }

  @Override
  public Map<String, CloudInstance> describeInstances(List<String> ids) throws CloudException {
    acquire("describeInstances");
    return delegate.describeInstances(ids);
  }

  @Override
  public Map<String, List<CloudDisk>> describeDataDisks(List<String> ids) throws CloudException {
    acquire("describeDisks");
    return delegate.describeDataDisks(ids);
  }

  @Override
  public Map<String, CloudDisk> describeDisks(List<String> ids) throws CloudException {
    acquire("describeDisks");
    return delegate.describeDisks(ids);
  }

  @Override
  public boolean releasedWithInstance(CloudInstance instance, CloudDisk disk, boolean releaseDataDisks) {
    return delegate.releasedWithInstance(instance, disk, releaseDataDisks);
  }

  @Override
  public BatchResult stopInstances(List<CloudInstance> instances) throws CloudException {
    acquire("stopInstances");
    return delegate.stopInstances(instances);
  }

  @Override
  public BatchResult terminateInstances(TerminateRequest request) throws CloudException {
    acquire("terminateInstances");
    return delegate.terminateInstances(request);
  }

  @Override
  public BatchResult detachDisks(String instanceId, List<String> diskIds) throws CloudException {
    acquire("detachDisks");
    return delegate.detachDisks(instanceId, diskIds);
  }

  @Override
  public BatchResult releaseDisks(ReleaseDisksRequest request) throws CloudException {
    acquire("releaseDisks");
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

  @Override
  public void close() {
    delegate.close();
  }
}
