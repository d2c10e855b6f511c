package dev.teardown.cloud.tencent;

import com.tencentcloudapi.cbs.v20170312.CbsClient;
import com.tencentcloudapi.cbs.v20170312.models.DescribeDisksRequest;
import com.tencentcloudapi.cbs.v20170312.models.DescribeDisksResponse;
import com.tencentcloudapi.cbs.v20170312.models.DetachDisksRequest;
import com.tencentcloudapi.cbs.v20170312.models.DetachDisksResponse;
import com.tencentcloudapi.cbs.v20170312.models.Disk;
import com.tencentcloudapi.cbs.v20170312.models.Filter;
import com.tencentcloudapi.cbs.v20170312.models.TerminateDisksRequest;
import com.tencentcloudapi.cbs.v20170312.models.TerminateDisksResponse;
import com.tencentcloudapi.common.exception.TencentCloudSDKException;
import com.tencentcloudapi.cvm.v20170312.CvmClient;
import com.tencentcloudapi.cvm.v20170312.models.DescribeInstancesRequest;
import com.tencentcloudapi.cvm.v20170312.models.DescribeInstancesResponse;
import com.tencentcloudapi.cvm.v20170312.models.Instance;
import com.tencentcloudapi.cvm.v20170312.models.TerminateInstancesRequest;
import com.tencentcloudapi.cvm.v20170312.models.TerminateInstancesResponse;
import dev.teardown.cloud.BatchResult;
import dev.teardown.cloud.Batches;
import dev.teardown.cloud.CallBudget;
import dev.teardown.cloud.Capabilities;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.DiskPhase;
import dev.teardown.cloud.ErrorKind;
import dev.teardown.cloud.InstancePhase;
import dev.teardown.cloud.ReleaseDisksRequest;
import dev.teardown.cloud.TerminateRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Tencent CVM + CBS through the official SDK (CvmClient, CbsClient). One call per port method. The
 * adapter never sends the irreversible second TerminateInstances/TerminateDisks unless the request
 * says purge (a first call whose answer was lost has already moved things to the recycle bin): it
 * describes once more right before a call that could reach the recycle bin (prepaid instances or
 * disks, a purge) or whose request carries no observation of every id (a call merged from several
 * deletions). A call over pay-as-you-go resources only, which have no recycle bin, decides from the
 * request's own observation, made in the pass that decided the call. DescribeInstances lists each
 * instance's data disks ({@link CloudInstance#dataDiskIds()}), so the operator finds them by id
 * (100 per DescribeDisks) instead of through the {@code instance-id} filter (5 values per call).
 */
final class TencentCloudProvider implements CloudProvider {
  static final Capabilities CAPABILITIES = new Capabilities(100, 10, 50, false, true, true);

  /** DescribeInstances / DescribeDisks page size and id-list limit. */
  private static final int PAGE = 100;

  /** Values per filter: CVM documents 5; CBS is assumed to allow no more. */
  private static final int FILTER_VALUES = 5;

  private final CvmClient cvm;
  private final CbsClient cbs;
  private final String description;
  private final CallBudget budget;

  TencentCloudProvider(CvmClient cvm, CbsClient cbs, String description) {
    this(cvm, cbs, description, CallBudget.UNLIMITED);
  }

  TencentCloudProvider(CvmClient cvm, CbsClient cbs, String description, CallBudget budget) {
    this.cvm = cvm;
    this.cbs = cbs;
    this.description = description;
    this.budget = budget;
  }

  /**
   * Per SDK action, charged in {@link #sdk}: 80 % of Tencent's documented limits
   * (TerminateInstances 10/s, TerminateDisks 20/s, DetachDisks 20/s, DescribeInstances and
   * DescribeDisks 40/s), leaving room for clock skew and for other clients of the same keys.
   */
  @Override
  public java.util.Map<String, Integer> requestsPerSecond() {
    return java.util.Map.of(
        "DescribeInstances",
        32,
        "DescribeDisks",
        32,
        "TerminateInstances",
        8,
        "DetachDisks",
        16,
        "TerminateDisks",
        16);
  }

  @Override
  public Capabilities capabilities() {
    return CAPABILITIES;
  }

  // ---------------------------------------------------------------- observe

  @Override
  public Map<String, CloudInstance> describeInstances(List<String> instanceIds)
      throws CloudException {
    List<String> ids = Batches.distinct(instanceIds);
    Map<String, CloudInstance> out = new LinkedHashMap<>();
    for (List<String> chunk : Batches.chunks(ids, PAGE)) {
      DescribeInstancesRequest req = new DescribeInstancesRequest();
      req.setInstanceIds(chunk.toArray(String[]::new));
      req.setLimit((long) PAGE);
      DescribeInstancesResponse resp =
          sdk("DescribeInstances", chunk, () -> cvm.DescribeInstances(req));
      if (resp.getInstanceSet() != null) {
        for (Instance i : resp.getInstanceSet()) {
          out.put(i.getInstanceId(), toInstance(i));
        }
      }
    }
    Map<String, CloudInstance> result = new LinkedHashMap<>();
    ids.forEach(id -> result.put(id, out.getOrDefault(id, CloudInstance.gone(id))));
    return result;
  }

  @Override
  public Map<String, List<CloudDisk>> describeDataDisks(List<String> instanceIds)
      throws CloudException {
    List<String> ids = Batches.distinct(instanceIds);
    Map<String, List<CloudDisk>> result = new LinkedHashMap<>();
    ids.forEach(id -> result.put(id, new ArrayList<>()));
    for (List<String> chunk : Batches.chunks(ids, FILTER_VALUES)) {
      for (Disk d : describeDisksPaged(chunk, byInstance(chunk))) {
        // The filter asks for data disks only; check again so a system disk can never be taken for
        // one.
        if ("DATA_DISK".equals(d.getDiskUsage()) && result.containsKey(d.getInstanceId())) {
          result.get(d.getInstanceId()).add(toDisk(d));
        }
      }
    }
    return result;
  }

  @Override
  public Map<String, CloudDisk> describeDisks(List<String> diskIds) throws CloudException {
    List<String> ids = Batches.distinct(diskIds);
    Map<String, CloudDisk> out = new LinkedHashMap<>();
    for (List<String> chunk : Batches.chunks(ids, PAGE)) {
      DescribeDisksRequest req = new DescribeDisksRequest();
      req.setDiskIds(chunk.toArray(String[]::new));
      req.setLimit((long) PAGE);
      DescribeDisksResponse resp = sdk("DescribeDisks", chunk, () -> cbs.DescribeDisks(req));
      if (resp.getDiskSet() != null) {
        for (Disk d : resp.getDiskSet()) {
          out.put(d.getDiskId(), toDisk(d));
        }
      }
    }
    Map<String, CloudDisk> result = new LinkedHashMap<>();
    ids.forEach(id -> result.put(id, out.getOrDefault(id, CloudDisk.gone(id))));
    return result;
  }

  @Override
  public boolean releasedWithInstance(
      CloudInstance instance, CloudDisk disk, boolean releaseDataDisks) {
    return TencentStates.releasedWithInstance(instance, disk, releaseDataDisks);
  }

  // ---------------------------------------------------------------- mutate

  @Override
  public BatchResult stopInstances(List<CloudInstance> instances) throws CloudException {
    // capabilities().stopBeforeTerminate() is false: CVM terminates running instances directly.
    throw new CloudException(
        CloudError.of(
            ErrorKind.TERMINAL,
            "UnsupportedOperation",
            "Tencent CVM terminates running instances directly; stopping first is never needed",
            null,
            "StopInstances"));
  }

  @Override
  public BatchResult terminateInstances(TerminateRequest request) throws CloudException {
    List<String> ids = Batches.distinct(request.instanceIds());
    requireAtMost(ids, CAPABILITIES.maxInstancesPerTerminate(), "TerminateInstances");
    Map<String, CloudError> failures = new LinkedHashMap<>();
    List<String> send = new ArrayList<>();
    boolean prepaid = true;
    for (CloudInstance i : lookBeforeTerminate(request, ids).values()) {
      if (i.phase() == InstancePhase.GONE) {
        failures.put(
            i.id(), alreadyGone("TerminateInstances", "InvalidInstanceId.NotFound", i.id()));
      } else if (!terminateDone(i, request.purge())) {
        send.add(i.id());
        prepaid &= i.prepaid();
      }
    }
    if (send.isEmpty()) {
      return BatchResult.withFailures(null, failures);
    }
    TerminateInstancesRequest req = new TerminateInstancesRequest();
    req.setInstanceIds(send.toArray(String[]::new));
    if (prepaid) {
      req.setReleasePrepaidDataDisks(request.releaseDataDisks());
    }
    req.setReleaseAddress(request.releaseAddress());
    try {
      TerminateInstancesResponse resp =
          sdk("TerminateInstances", send, () -> cvm.TerminateInstances(req));
      return BatchResult.withFailures(resp.getRequestId(), failures);
    } catch (CloudException e) {
      if (e.error().kind() != ErrorKind.NOT_FOUND) {
        throw e;
      }
      // The whole call was refused because one id vanished since we looked; nothing was terminated.
      Map<String, CloudInstance> now = describeInstances(send);
      settle(
          e,
          send,
          id -> now.get(id).phase() == InstancePhase.GONE,
          id -> terminateDone(now.get(id), request.purge()),
          failures);
      return BatchResult.withFailures(e.error().requestId(), failures);
    }
  }

  /**
   * The instances as the caller observed them in the pass that decided to terminate them, when that
   * observation covers every id and shows every one pay-as-you-go; otherwise a describe now. A
   * pay-as-you-go instance has no recycle bin: a terminate sent after another one took effect is
   * refused or finds it gone, and destroys nothing that could have been recovered. A prepaid one
   * (or a purge) is looked at again right before the call, so that one already in the recycle bin
   * (SHUTDOWN) is never sent a second, destroying terminate. Either way the charge type that
   * decides ReleasePrepaidDataDisks is an observed one.
   */
  private Map<String, CloudInstance> lookBeforeTerminate(TerminateRequest request, List<String> ids)
      throws CloudException {
    Map<String, CloudInstance> seen = request.observedAll(ids);
    if (seen == null
        || request.purge()
        || ids.stream()
            .anyMatch(id -> seen.get(id).prepaid() || seen.get(id).chargeType() == null)) {
      return describeInstances(ids);
    }
    Map<String, CloudInstance> out = new LinkedHashMap<>();
    ids.forEach(id -> out.put(id, seen.get(id)));
    return out;
  }

  /**
   * Whether this terminate has nothing left to do for the instance: one is already under way
   * (TERMINATING), or, unless purging, the instance is already in the recycle bin or on its way
   * there (SHUTDOWN). Sending a second TerminateInstances for a SHUTDOWN instance would destroy it
   * for good, so only a purge request does.
   */
  private static boolean terminateDone(CloudInstance i, boolean purge) {
    return "TERMINATING".equals(i.state()) || (!purge && "SHUTDOWN".equals(i.state()));
  }

  @Override
  public BatchResult detachDisks(String instanceId, List<String> diskIds) throws CloudException {
    List<String> ids = Batches.distinct(diskIds);
    requireAtMost(ids, CAPABILITIES.maxDisksPerDetach(), "DetachDisks");
    DetachDisksRequest req = new DetachDisksRequest();
    req.setDiskIds(ids.toArray(String[]::new));
    req.setInstanceId(instanceId);
    try {
      DetachDisksResponse resp = sdk("DetachDisks", ids, () -> cbs.DetachDisks(req));
      return BatchResult.ok(resp.getRequestId());
    } catch (CloudException e) {
      // Gone, or not attached any more (InvalidDisk.NotSupported): a retried detach whose first
      // answer was lost.
      if (e.error().kind() != ErrorKind.NOT_FOUND
          && !"InvalidDisk.NotSupported".equals(e.error().code())) {
        throw e;
      }
      Map<String, CloudDisk> now = describeDisks(ids);
      Map<String, CloudError> failures = new LinkedHashMap<>();
      settle(
          e,
          ids,
          id -> now.get(id).phase() == DiskPhase.GONE,
          id ->
              !instanceId.equals(now.get(id).instanceId()) || now.get(id).phase() == DiskPhase.BUSY,
          failures);
      return BatchResult.withFailures(e.error().requestId(), failures);
    }
  }

  @Override
  public BatchResult releaseDisks(ReleaseDisksRequest request) throws CloudException {
    List<String> ids = Batches.distinct(request.diskIds());
    requireAtMost(ids, CAPABILITIES.maxDisksPerRelease(), "TerminateDisks");
    Map<String, CloudError> failures = new LinkedHashMap<>();
    List<String> send = new ArrayList<>();
    // The caller's observation when it covers every disk and shows every one pay-as-you-go (they
    // are destroyed at once, never kept in a recycle bin); a prepaid disk is looked at again right
    // before the call, so that one already released into the recycle bin is never destroyed by a
    // second TerminateDisks.
    Map<String, CloudDisk> seen = request.observedAll(ids);
    Map<String, CloudDisk> looked = new LinkedHashMap<>();
    if (seen == null
        || request.purge()
        || ids.stream()
            .anyMatch(
                id ->
                    seen.get(id).prepaid()
                        || seen.get(id).chargeType() == null
                        || seen.get(id).phase() == DiskPhase.RECYCLED)) {
      looked = describeDisks(ids);
    } else {
      for (String id : ids) {
        looked.put(id, seen.get(id));
      }
    }
    for (CloudDisk d : looked.values()) {
      if (d.phase() == DiskPhase.GONE) {
        failures.put(d.id(), alreadyGone("TerminateDisks", "InvalidDiskId.NotFound", d.id()));
      } else if (!request.purge() && d.phase() == DiskPhase.RECYCLED) {
        continue; // released into the recycle bin already; a second TerminateDisks would destroy it
      } else {
        send.add(d.id());
      }
    }
    if (send.isEmpty()) {
      return BatchResult.withFailures(null, failures);
    }
    TerminateDisksRequest req = new TerminateDisksRequest();
    req.setDiskIds(send.toArray(String[]::new));
    try {
      TerminateDisksResponse resp = sdk("TerminateDisks", send, () -> cbs.TerminateDisks(req));
      return BatchResult.withFailures(resp.getRequestId(), failures);
    } catch (CloudException e) {
      if (e.error().kind() != ErrorKind.NOT_FOUND) {
        throw e;
      }
      // Not found / already returned (RepeatRefund) for one disk refuses the whole call; see which
      // are done.
      Map<String, CloudDisk> now = describeDisks(send);
      settle(
          e,
          send,
          id -> now.get(id).phase() == DiskPhase.GONE,
          id -> !request.purge() && now.get(id).phase() == DiskPhase.RECYCLED,
          failures);
      return BatchResult.withFailures(e.error().requestId(), failures);
    }
  }

  /**
   * Turns a whole-call refusal that said "already gone/done" into per-id results from a fresh
   * observation: gone ids are NOT_FOUND, done ids succeed, the rest were held back only by the
   * refusal and are retryable. If no id turns out gone or done, the refusal was about the remaining
   * ids themselves and is rethrown.
   */
  private static void settle(
      CloudException refusal,
      List<String> ids,
      Predicate<String> gone,
      Predicate<String> done,
      Map<String, CloudError> failures)
      throws CloudException {
    List<String> pending = new ArrayList<>();
    boolean explained = false;
    for (String id : ids) {
      if (gone.test(id)) {
        failures.put(
            id,
            CloudError.of(
                ErrorKind.NOT_FOUND,
                refusal.error().code(),
                id + " no longer exists",
                refusal.error().requestId(),
                refusal.error().action()));
        explained = true;
      } else if (done.test(id)) {
        explained = true;
      } else {
        pending.add(id);
      }
    }
    if (!explained) {
      throw refusal;
    }
    for (String id : pending) {
      failures.put(
          id,
          CloudError.of(
              ErrorKind.RETRYABLE,
              refusal.error().code(),
              id + " was not processed because another id in the same call was refused; retry",
              refusal.error().requestId(),
              refusal.error().action()));
    }
  }

  // ---------------------------------------------------------------- mapping

  private static CloudInstance toInstance(Instance i) {
    String chargeType = i.getInstanceChargeType();
    boolean prepaid = TencentStates.PREPAID.equals(chargeType);
    boolean protectedOn = Boolean.TRUE.equals(i.getDisableApiTermination());
    return new CloudInstance(
            i.getInstanceId(),
            i.getInstanceState(),
            TencentStates.instancePhase(i.getInstanceState(), i.getLatestOperationState()),
            chargeType,
            prepaid,
            protectedOn,
            protectedOn ? TencentStates.protectedReason(i.getInstanceId()) : null,
            TencentStates.SPOTPAID.equals(chargeType))
        .withName(i.getInstanceName())
        .withTags(tags(i))
        .withDataDiskIds(dataDiskIds(i));
  }

  /**
   * The data disks the instance lists ({@code DataDisks[].DiskId}); the system disk is listed apart
   * ({@code SystemDisk}) and never here.
   */
  private static List<String> dataDiskIds(Instance i) {
    List<String> out = new ArrayList<>();
    if (i.getDataDisks() != null) {
      for (com.tencentcloudapi.cvm.v20170312.models.DataDisk d : i.getDataDisks()) {
        if (d != null && d.getDiskId() != null && !d.getDiskId().isBlank()) {
          out.add(d.getDiskId());
        }
      }
    }
    return out;
  }

  /** DescribeInstances returns the instance's tags: an empty map when it has none (never null). */
  private static Map<String, String> tags(Instance i) {
    Map<String, String> out = new java.util.TreeMap<>();
    if (i.getTags() != null) {
      for (com.tencentcloudapi.cvm.v20170312.models.Tag t : i.getTags()) {
        if (t != null && t.getKey() != null) {
          out.put(t.getKey(), t.getValue() == null ? "" : t.getValue());
        }
      }
    }
    return out;
  }

  private static CloudDisk toDisk(Disk d) {
    String instanceId =
        d.getInstanceId() == null || d.getInstanceId().isBlank() ? null : d.getInstanceId();
    return new CloudDisk(
        d.getDiskId(),
        instanceId,
        d.getDiskState(),
        TencentStates.diskPhase(d.getDiskState()),
        d.getDiskChargeType(),
        TencentStates.PREPAID.equals(d.getDiskChargeType()),
        Boolean.TRUE.equals(d.getDeleteWithInstance()),
        !Boolean.FALSE.equals(d.getPortable()));
  }

  // ---------------------------------------------------------------- calls

  private static Filter[] byInstance(List<String> instanceIds) {
    Filter instance = new Filter();
    instance.setName("instance-id");
    instance.setValues(instanceIds.toArray(String[]::new));
    Filter usage = new Filter();
    usage.setName("disk-usage");
    usage.setValues(new String[] {"DATA_DISK"});
    return new Filter[] {instance, usage};
  }

  private List<Disk> describeDisksPaged(List<String> instanceIds, Filter[] filters)
      throws CloudException {
    List<Disk> out = new ArrayList<>();
    long offset = 0;
    while (true) {
      DescribeDisksRequest req = new DescribeDisksRequest();
      req.setFilters(filters);
      req.setLimit((long) PAGE);
      req.setOffset(offset);
      DescribeDisksResponse resp = sdk("DescribeDisks", instanceIds, () -> cbs.DescribeDisks(req));
      Disk[] page = resp.getDiskSet() == null ? new Disk[0] : resp.getDiskSet();
      out.addAll(List.of(page));
      offset += page.length;
      long total = resp.getTotalCount() == null ? 0 : resp.getTotalCount();
      if (page.length == 0 || offset >= total) {
        return out;
      }
    }
  }

  @FunctionalInterface
  private interface SdkCall<T> {
    T run() throws TencentCloudSDKException;
  }

  /** The one place every SDK call goes through: charged to the budget, errors classified. */
  private <T> T sdk(String action, List<String> ids, SdkCall<T> c) throws CloudException {
    budget.acquire(action);
    try {
      return c.run();
    } catch (TencentCloudSDKException e) {
      throw new CloudException(TencentErrors.fromException(action, e, ids));
    }
  }

  private static CloudError alreadyGone(String action, String code, String id) {
    return CloudError.of(ErrorKind.NOT_FOUND, code, id + " no longer exists", null, action);
  }

  private static void requireAtMost(List<String> ids, int max, String action) {
    if (ids.size() > max) {
      throw new IllegalArgumentException(
          action + " takes at most " + max + " ids per call, got " + ids.size());
    }
  }

  @Override
  public String toString() {
    return "TencentCloudProvider[" + description + "]";
  }
}
