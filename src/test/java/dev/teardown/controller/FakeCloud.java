package dev.teardown.controller;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.BatchResult;
import dev.teardown.cloud.Capabilities;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.CloudProviderFactory;
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.cloud.DiskPhase;
import dev.teardown.cloud.ErrorKind;
import dev.teardown.cloud.InstancePhase;
import dev.teardown.cloud.ReleaseDisksRequest;
import dev.teardown.cloud.TerminateRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A hand-written fake cloud for phase-machine tests (fakes over mocks): a recycle-bin cloud like
 * Tencent whose transitions complete on the next observation. Every mutating call is logged so
 * tests can count them.
 */
final class FakeCloud implements CloudProvider, CloudProviderFactory {
  final Map<String, CloudInstance> instances = Collections.synchronizedMap(new LinkedHashMap<>());
  final Map<String, CloudDisk> disks = Collections.synchronizedMap(new LinkedHashMap<>());
  final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  volatile CloudError failNextMutation;

  /** Every call, describes included, fails with this while set (e.g. keys refused). */
  volatile CloudError failEveryCall;

  /**
   * A terminate batch containing one of these ids is refused as a whole, terminally (like Tencent
   * does).
   */
  final java.util.Set<String> refuseTerminate = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Terminate answers these as recycled (CompShare InRecycle=Yes) but the instance stays listed as
   * STOPPED.
   */
  final java.util.Set<String> recycleButStayListed =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Terminate answers these "not found" while they stay alive (a refusal that must not count as
   * success).
   */
  final java.util.Set<String> terminateSaysNotFound =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Terminate accepts but does nothing for these (the cloud dropped the call). */
  final java.util.Set<String> dropTerminate = java.util.concurrent.ConcurrentHashMap.newKeySet();

  volatile boolean canObserveUnattached = true;
  volatile java.time.Duration terminateSettles = java.time.Duration.ZERO;
  volatile Map<String, Integer> rates = Map.of();

  /** Run after a terminate was carried out, before it is answered (a person acting meanwhile). */
  volatile Runnable afterTerminate;

  /** While true, every disk release is refused as retryable (the cloud is busy). */
  volatile boolean releasesBusy;

  /**
   * While true, describeInstances lists each instance's attached data disks (as Tencent's DataDisks
   * does), except {@link #unlisted}, plus {@link #staleListed}.
   */
  volatile boolean listsDataDisks;

  /**
   * While true, describeInstances carries complete observations of each instance's attached data
   * disks (as CompShare's DiskSet does): {@link CloudInstance#dataDisks()}.
   */
  volatile boolean carriesDataDisks;

  /** Disks attached to an instance that its own listing leaves out. */
  final java.util.Set<String> unlisted = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Disk ids an instance's listing still names although they are not attached to it. */
  final Map<String, List<String>> staleListed = new java.util.concurrent.ConcurrentHashMap<>();

  /** Every terminate and release request, as sent (observations included). */
  final List<TerminateRequest> terminateRequests = Collections.synchronizedList(new ArrayList<>());

  final List<ReleaseDisksRequest> releaseRequests = Collections.synchronizedList(new ArrayList<>());

  final java.util.concurrent.atomic.AtomicInteger describeDataDiskCalls =
      new java.util.concurrent.atomic.AtomicInteger();

  final java.util.concurrent.atomic.AtomicInteger describeInstanceCalls =
      new java.util.concurrent.atomic.AtomicInteger();
  final java.util.concurrent.atomic.AtomicInteger describeDiskCalls =
      new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public Map<String, Integer> requestsPerSecond() {
    return rates;
  }

  void instance(String id, boolean prepaid) {
    instances.put(
        id,
        new CloudInstance(
            id,
            "RUNNING",
            InstancePhase.RUNNING,
            prepaid ? "PREPAID" : "POSTPAID_BY_HOUR",
            prepaid,
            false,
            null,
            false));
  }

  void disk(String id, String instanceId, boolean prepaid, boolean deleteWithInstance) {
    disks.put(
        id,
        new CloudDisk(
            id,
            instanceId,
            "ATTACHED",
            DiskPhase.ATTACHED,
            prepaid ? "PREPAID" : "POSTPAID_BY_HOUR",
            prepaid,
            deleteWithInstance,
            true));
  }

  /** A non-elastic disk: goes with its instance, cannot be detached. */
  void nonPortableDisk(String id, String instanceId, boolean prepaid) {
    disks.put(
        id,
        new CloudDisk(
            id,
            instanceId,
            "ATTACHED",
            DiskPhase.ATTACHED,
            prepaid ? "PREPAID" : "POSTPAID_BY_HOUR",
            prepaid,
            false,
            false));
  }

  /**
   * The next terminate is refused with an answer of the cloud (retryable, so nothing was done): the
   * pass that records the plan ends with it, and the terminate comes in a later pass.
   */
  void refuseNextTerminate() {
    failNextMutation =
        CloudError.of(
            ErrorKind.RETRYABLE, "InternalError", "try again", "r-1", "TerminateInstances");
  }

  /** Someone detached the disk: attached to nothing, available. */
  void detached(String diskId) {
    CloudDisk d = disks.get(diskId);
    disks.put(
        diskId,
        new CloudDisk(
            diskId,
            null,
            "UNATTACHED",
            DiskPhase.AVAILABLE,
            d == null ? "POSTPAID_BY_HOUR" : d.chargeType(),
            d != null && d.prepaid(),
            false,
            true));
  }

  void stopped(String id) {
    CloudInstance ci = instances.get(id);
    instances.put(
        id,
        new CloudInstance(
            id,
            "STOPPED",
            InstancePhase.STOPPED,
            ci.chargeType(),
            ci.prepaid(),
            false,
            null,
            false));
  }

  @Override
  public boolean canObserveUnattachedDisks() {
    return canObserveUnattached;
  }

  private void maybeFailAll() throws CloudException {
    CloudError e = failEveryCall;
    if (e != null) {
      throw new CloudException(e);
    }
  }

  long mutations(String prefix) {
    synchronized (calls) {
      return calls.stream().filter(c -> c.startsWith(prefix)).count();
    }
  }

  @Override
  public Provider provider() {
    return Provider.TENCENTCLOUD;
  }

  @Override
  public List<String> requiredSecretKeys() {
    return List.of("secretId", "secretKey");
  }

  @Override
  public CloudProvider connect(ConnectionSpec spec) {
    return this;
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(100, 10, 50, false, true, true, terminateSettles);
  }

  /**
   * Holds one describe in flight: the reconcile that makes it has read the resource and waits for
   * the answer.
   */
  record Hold(
      java.util.concurrent.CountDownLatch entered, java.util.concurrent.CountDownLatch release) {
    static Hold next() {
      return new Hold(
          new java.util.concurrent.CountDownLatch(1), new java.util.concurrent.CountDownLatch(1));
    }
  }

  /**
   * When set, the next describeInstances signals {@code entered} and waits (at most 30 s) for
   * {@code release}.
   */
  volatile Hold holdNextDescribe;

  @Override
  public Map<String, CloudInstance> describeInstances(List<String> ids) throws CloudException {
    Hold hold = holdNextDescribe;
    if (hold != null) {
      holdNextDescribe = null;
      hold.entered().countDown();
      try {
        hold.release().await(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    maybeFailAll();
    describeInstanceCalls.incrementAndGet();
    Map<String, CloudInstance> out = new LinkedHashMap<>();
    ids.forEach(id -> out.put(id, instances.getOrDefault(id, CloudInstance.gone(id))));
    if (carriesDataDisks) {
      out.replaceAll(
          (id, ci) -> {
            if (ci.phase() == InstancePhase.GONE) {
              return ci;
            }
            List<CloudDisk> attached = new ArrayList<>();
            synchronized (disks) {
              disks.values().stream().filter(d -> id.equals(d.instanceId())).forEach(attached::add);
            }
            return ci.withDataDisks(attached);
          });
    }
    if (listsDataDisks) {
      out.replaceAll(
          (id, ci) -> {
            if (ci.phase() == InstancePhase.GONE) {
              return ci;
            }
            List<String> listed = new ArrayList<>();
            synchronized (disks) {
              disks.values().stream()
                  .filter(d -> id.equals(d.instanceId()) && !unlisted.contains(d.id()))
                  .forEach(d -> listed.add(d.id()));
            }
            listed.addAll(staleListed.getOrDefault(id, List.of()));
            return ci.withDataDiskIds(listed);
          });
    }
    return out;
  }

  @Override
  public Map<String, List<CloudDisk>> describeDataDisks(List<String> ids) throws CloudException {
    maybeFailAll();
    describeDataDiskCalls.incrementAndGet();
    Map<String, List<CloudDisk>> out = new LinkedHashMap<>();
    ids.forEach(id -> out.put(id, new ArrayList<>()));
    synchronized (disks) {
      disks.values().stream()
          .filter(d -> ids.contains(d.instanceId()))
          .forEach(d -> out.get(d.instanceId()).add(d));
    }
    return out;
  }

  @Override
  public Map<String, CloudDisk> describeDisks(List<String> ids) throws CloudException {
    maybeFailAll();
    describeDiskCalls.incrementAndGet();
    Map<String, CloudDisk> out = new LinkedHashMap<>();
    ids.forEach(
        id -> {
          CloudDisk d = disks.get(id);
          boolean blind = !canObserveUnattached && d != null && d.instanceId() == null;
          out.put(id, d == null || blind ? CloudDisk.gone(id) : d);
        });
    return out;
  }

  @Override
  public boolean releasedWithInstance(
      CloudInstance instance, CloudDisk disk, boolean releaseDataDisks) {
    return !disk.prepaid() && disk.deleteWithInstance()
        || disk.prepaid() && instance.prepaid() && releaseDataDisks;
  }

  private void maybeFail(String action) throws CloudException {
    CloudError e = failNextMutation;
    if (e != null) {
      failNextMutation = null;
      calls.add(action + "!" + e.code());
      throw new CloudException(e);
    }
  }

  @Override
  public BatchResult stopInstances(List<CloudInstance> list) {
    throw new IllegalStateException("this cloud does not stop");
  }

  @Override
  public BatchResult terminateInstances(TerminateRequest r) throws CloudException {
    maybeFailAll();
    maybeFail("terminate");
    if (r.instanceIds().stream().anyMatch(refuseTerminate::contains)) {
      calls.add("terminate! " + r.instanceIds());
      throw new CloudException(
          CloudError.of(
              ErrorKind.TERMINAL,
              "FailedOperation.Unreturnable",
              "cannot be returned",
              "req-x",
              "TerminateInstances"));
    }
    calls.add((r.purge() ? "purge " : "terminate ") + r.instanceIds());
    terminateRequests.add(r);
    Map<String, CloudError> failures = new LinkedHashMap<>();
    java.util.Set<String> recycled = new java.util.HashSet<>();
    for (String id : r.instanceIds()) {
      CloudInstance ci = instances.get(id);
      if (ci == null) {
        continue;
      }
      if (terminateSaysNotFound.contains(id)) {
        failures.put(
            id,
            CloudError.of(
                ErrorKind.NOT_FOUND,
                "InvalidInstanceId.NotFound",
                "not found",
                null,
                "TerminateInstances"));
        continue;
      }
      if (dropTerminate.contains(id)) {
        continue;
      }
      if (recycleButStayListed.contains(id)) {
        recycled.add(id);
        continue;
      }
      if (ci.prepaid() && ci.phase() != InstancePhase.RECYCLED) {
        instances.put(
            id,
            new CloudInstance(
                id, "SHUTDOWN", InstancePhase.RECYCLED, ci.chargeType(), true, false, null, false));
        synchronized (disks) {
          // non-elastic disks stay attached to the recycled instance (they go with it on purge)
          disks.replaceAll(
              (k, d) ->
                  id.equals(d.instanceId()) && d.prepaid() && d.portable() && r.releaseDataDisks()
                      ? new CloudDisk(
                          k, id, "TORECYCLE", DiskPhase.RECYCLED, d.chargeType(), true, false, true)
                      : d);
        }
      } else {
        instances.remove(id);
        synchronized (disks) {
          disks
              .entrySet()
              .removeIf(
                  e ->
                      id.equals(e.getValue().instanceId())
                          && (e.getValue().deleteWithInstance()
                              || !e.getValue().portable()
                              || e.getValue().phase() == DiskPhase.RECYCLED));
          disks.replaceAll(
              (k, d) ->
                  id.equals(d.instanceId())
                      ? new CloudDisk(
                          k,
                          null,
                          "UNATTACHED",
                          DiskPhase.AVAILABLE,
                          d.chargeType(),
                          d.prepaid(),
                          false,
                          true)
                      : d);
        }
      }
    }
    Runnable after = afterTerminate;
    if (after != null) {
      after.run();
    }
    return BatchResult.withFailures("req-" + calls.size(), failures).withRecycled(recycled);
  }

  @Override
  public BatchResult detachDisks(String instanceId, List<String> ids) throws CloudException {
    maybeFailAll();
    maybeFail("detach");
    for (String id : ids) {
      CloudDisk d = disks.get(id);
      if (d != null && !d.portable()) {
        calls.add("detach! " + ids);
        throw new CloudException(
            CloudError.of(
                ErrorKind.TERMINAL,
                "InvalidDisk.NotPortable",
                "not portable",
                null,
                "DetachDisks"));
      }
    }
    calls.add("detach " + ids);
    ids.forEach(
        id ->
            disks.computeIfPresent(
                id,
                (k, d) ->
                    new CloudDisk(
                        k,
                        null,
                        "UNATTACHED",
                        DiskPhase.AVAILABLE,
                        d.chargeType(),
                        d.prepaid(),
                        false,
                        true)));
    return BatchResult.ok("req-" + calls.size());
  }

  @Override
  public BatchResult releaseDisks(ReleaseDisksRequest r) throws CloudException {
    maybeFailAll();
    maybeFail("release");
    if (releasesBusy) {
      calls.add("release! busy");
      throw new CloudException(
          CloudError.of(ErrorKind.RETRYABLE, "ResourceBusy", "busy", null, "TerminateDisks"));
    }
    calls.add((r.purge() ? "purgeDisks " : "release ") + r.diskIds());
    releaseRequests.add(r);
    Map<String, CloudError> failures = new LinkedHashMap<>();
    for (String id : r.diskIds()) {
      CloudDisk d = disks.get(id);
      if (d == null) {
        failures.put(
            id,
            CloudError.of(
                ErrorKind.NOT_FOUND, "InvalidDiskId.NotFound", "gone", null, "TerminateDisks"));
      } else if (d.prepaid() && d.phase() != DiskPhase.RECYCLED) {
        disks.put(
            id,
            new CloudDisk(
                id, null, "TORECYCLE", DiskPhase.RECYCLED, d.chargeType(), true, false, true));
      } else {
        disks.remove(id);
      }
    }
    return BatchResult.withFailures("req-" + calls.size(), failures);
  }
}
