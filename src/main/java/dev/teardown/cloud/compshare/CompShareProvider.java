package dev.teardown.cloud.compshare;

import cn.ucloud.common.client.DefaultClient;
import cn.ucloud.common.exception.UCloudException;
import cn.ucloud.common.request.Request;
import cn.ucloud.common.response.Response;
import dev.teardown.cloud.BatchResult;
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
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CompShare (UCloud) on the UCloud SDK core: one API call per instance or disk (CompShare's actions
 * take one id), Stop before Terminate, ReleaseUDisk for data disks. The client is built by {@link
 * CompShareProviderFactory} with timeouts and with the SDK's hidden retries off on every request.
 *
 * <p>CompShare has no action that describes a disk by id: disks are seen only in the DiskSet of the
 * instance they are attached to. So {@link #describeDisks} reports a disk that is attached to no
 * instance in the zone as GONE; an unattached disk that still exists cannot be told apart from a
 * deleted one through this API.
 */
public final class CompShareProvider implements CloudProvider {
  /** UHostIds.N and Limit of DescribeCompShareInstance: at most 100. */
  static final int MAX_IDS_PER_DESCRIBE = 100;

  /**
   * Stop, terminate, detach and delete take one id each. A terminating host is listed as Stopped
   * while its lock is held: no second terminate for 30 s. The data disks of 100 instances come with
   * one DescribeCompShareInstance (their DiskSet), so look-ups of that many are merged.
   */
  static final Capabilities CAPABILITIES =
      new Capabilities(
          1, 1, 1, true, false, false, java.time.Duration.ofSeconds(30), MAX_IDS_PER_DESCRIBE);

  /** Bound on the zone scan of {@link #describeDisks}: 100 pages of 100 instances. */
  static final int MAX_DESCRIBE_PAGES = 100;

  /**
   * Missing/unknown action, missing/wrong signature, unknown key: the same answer awaits every
   * call.
   */
  private static final Set<String> GATEWAY_CODES =
      Set.of(
          String.valueOf(CompShareErrors.MISSING_ACTION),
          String.valueOf(CompShareErrors.ACTION_NOT_FOUND),
          String.valueOf(CompShareErrors.MISSING_SIGNATURE),
          String.valueOf(CompShareErrors.SIGNATURE_ERROR),
          String.valueOf(CompShareErrors.USER_NOT_EXISTS));

  private final DefaultClient client;
  private final String zone;
  private final CallBudget budget;

  CompShareProvider(DefaultClient client, String zone) {
    this(client, zone, CallBudget.UNLIMITED);
  }

  CompShareProvider(DefaultClient client, String zone, CallBudget budget) {
    this.client = client;
    this.zone = zone;
    this.budget = budget;
  }

  /**
   * CompShare lists disks only inside their instance's DiskSet, so an unattached disk cannot be
   * looked up.
   */
  @Override
  public boolean canObserveUnattachedDisks() {
    return false;
  }

  @Override
  public Capabilities capabilities() {
    return CAPABILITIES;
  }

  // ---- observe
  // ----------------------------------------------------------------------------------------------

  @Override
  public Map<String, CloudInstance> describeInstances(List<String> instanceIds)
      throws CloudException {
    Map<String, CompShareApi.UHost> found = describeByIds(instanceIds);
    Map<String, CloudInstance> out = new LinkedHashMap<>();
    for (String id : instanceIds) {
      CompShareApi.UHost h = found.get(id);
      out.put(id, h == null ? CloudInstance.gone(id) : toInstance(h));
    }
    return out;
  }

  @Override
  public Map<String, List<CloudDisk>> describeDataDisks(List<String> instanceIds)
      throws CloudException {
    Map<String, CompShareApi.UHost> found = describeByIds(instanceIds);
    Map<String, List<CloudDisk>> out = new LinkedHashMap<>();
    for (String id : instanceIds) {
      CompShareApi.UHost h = found.get(id);
      out.put(id, h == null ? new ArrayList<>() : dataDisksOf(h));
    }
    return out;
  }

  @Override
  public Map<String, CloudDisk> describeDisks(List<String> diskIds) throws CloudException {
    Set<String> wanted = new LinkedHashSet<>(diskIds);
    Map<String, CloudDisk> seen = new LinkedHashMap<>();
    int offset = 0;
    for (int page = 0; page < MAX_DESCRIBE_PAGES && seen.size() < wanted.size(); page++) {
      CompShareApi.DescribeResponse r =
          call(
              CompShareApi.DESCRIBE,
              new CompShareApi.DescribeRequest(zone, null, offset, MAX_IDS_PER_DESCRIBE),
              CompShareApi.DescribeResponse.class);
      List<CompShareApi.UHost> hosts = r.uHostSet == null ? List.of() : r.uHostSet;
      for (CompShareApi.UHost h : hosts) {
        for (CompShareApi.UHostDisk d :
            h.diskSet == null ? List.<CompShareApi.UHostDisk>of() : h.diskSet) {
          if (wanted.contains(d.diskId)) {
            seen.put(d.diskId, toDisk(h, d));
          }
        }
      }
      offset += hosts.size();
      if (hosts.isEmpty() || r.totalCount == null || offset >= r.totalCount) {
        break;
      }
    }
    Map<String, CloudDisk> out = new LinkedHashMap<>();
    for (String id : diskIds) {
      out.put(id, seen.getOrDefault(id, CloudDisk.gone(id)));
    }
    return out;
  }

  @Override
  public boolean releasedWithInstance(
      CloudInstance instance, CloudDisk disk, boolean releaseDataDisks) {
    // TerminateCompShareInstance(ReleaseUDisk=true) deletes the attached data disks; the default
    // keeps them.
    return releaseDataDisks;
  }

  // ---- mutate
  // -----------------------------------------------------------------------------------------------

  /**
   * One StopCompShareInstance per instance, Force=true for Spot ones (required for preemptible
   * instances). An error about one instance goes into the failures; one that would hit every call
   * (bad keys, rate limit, network) ends the batch with a CloudException.
   */
  @Override
  public BatchResult stopInstances(List<CloudInstance> instances) throws CloudException {
    Map<String, CloudError> failures = new LinkedHashMap<>();
    String requestId = null;
    for (CloudInstance i : instances) {
      try {
        CompShareApi.StopResponse r =
            call(
                CompShareApi.STOP,
                new CompShareApi.StopRequest(zone, i.id(), i.spot() ? Boolean.TRUE : null),
                CompShareApi.StopResponse.class);
        requestId = r.getRequestId();
      } catch (CloudException e) {
        if (affectsEveryCall(e.error())) {
          throw e;
        }
        failures.put(i.id(), e.error());
      }
    }
    return BatchResult.withFailures(requestId, failures);
  }

  @Override
  public BatchResult terminateInstances(TerminateRequest request) throws CloudException {
    String id = single(request.instanceIds(), CAPABILITIES.maxInstancesPerTerminate(), "instance");
    // No recycle bin to purge on CompShare: a purge request is the same single call.
    try {
      CompShareApi.TerminateResponse r =
          call(
              CompShareApi.TERMINATE,
              new CompShareApi.TerminateRequest(zone, id, request.releaseDataDisks()),
              CompShareApi.TerminateResponse.class);
      // InRecycle=Yes: the host went to the recycle bin; the cloud may keep listing it as Stopped,
      // and a second
      // terminate could destroy it for good. The answer itself is the observation that it is
      // recycled.
      BatchResult ok = BatchResult.ok(r.getRequestId());
      return "Yes".equalsIgnoreCase(r.inRecycle) ? ok.withRecycled(Set.of(id)) : ok;
    } catch (CloudException e) {
      return alreadyDone(id, e);
    }
  }

  @Override
  public BatchResult detachDisks(String instanceId, List<String> diskIds) throws CloudException {
    String diskId = single(diskIds, CAPABILITIES.maxDisksPerDetach(), "disk");
    try {
      CompShareApi.DetachResponse r =
          call(
              CompShareApi.DETACH,
              new CompShareApi.DetachRequest(zone, instanceId, diskId),
              CompShareApi.DetachResponse.class);
      return BatchResult.ok(r.getRequestId());
    } catch (CloudException e) {
      return alreadyDone(diskId, e); // instance or disk gone, or the disk is not attached any more
    }
  }

  @Override
  public BatchResult releaseDisks(ReleaseDisksRequest request) throws CloudException {
    String diskId = single(request.diskIds(), CAPABILITIES.maxDisksPerRelease(), "disk");
    try {
      // Deleting an already deleted disk succeeds (documented), so a retry after a lost answer is
      // safe.
      CompShareApi.DeleteDiskResponse r =
          call(
              CompShareApi.DELETE_DISK,
              new CompShareApi.DeleteDiskRequest(zone, diskId),
              CompShareApi.DeleteDiskResponse.class);
      return BatchResult.ok(r.getRequestId());
    } catch (CloudException e) {
      return alreadyDone(diskId, e);
    }
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (IOException e) {
      // closing idle connections; nothing to recover
    }
  }

  // ---- helpers
  // ----------------------------------------------------------------------------------------------

  private Map<String, CompShareApi.UHost> describeByIds(List<String> ids) throws CloudException {
    List<String> unique = new ArrayList<>(new LinkedHashSet<>(ids));
    Map<String, CompShareApi.UHost> found = new LinkedHashMap<>();
    for (int from = 0; from < unique.size(); from += MAX_IDS_PER_DESCRIBE) {
      List<String> chunk =
          unique.subList(from, Math.min(unique.size(), from + MAX_IDS_PER_DESCRIBE));
      try {
        collect(found, describePage(chunk));
      } catch (CloudException e) {
        if (e.error().kind() != ErrorKind.NOT_FOUND) {
          throw e;
        }
        // Whether CompShare refuses unknown ids instead of leaving them out is not documented: ask
        // one by one.
        for (String id : chunk) {
          try {
            collect(found, describePage(List.of(id)));
          } catch (CloudException one) {
            if (one.error().kind() != ErrorKind.NOT_FOUND) {
              throw one;
            }
          }
        }
      }
    }
    return found;
  }

  private CompShareApi.DescribeResponse describePage(List<String> ids) throws CloudException {
    return call(
        CompShareApi.DESCRIBE,
        new CompShareApi.DescribeRequest(zone, List.copyOf(ids), 0, MAX_IDS_PER_DESCRIBE),
        CompShareApi.DescribeResponse.class);
  }

  private static void collect(
      Map<String, CompShareApi.UHost> into, CompShareApi.DescribeResponse r) {
    if (r.uHostSet != null) {
      for (CompShareApi.UHost h : r.uHostSet) {
        into.put(h.uHostId, h);
      }
    }
  }

  /**
   * The one place every call goes through: charged to the budget, retries off, errors classified.
   */
  private <T extends Response> T call(String action, Request request, Class<T> type)
      throws CloudException {
    budget.acquire(action);
    request.withMaxRetries(0); // the SDK retries 3 times by default and ignores Config.maxRetries
    try {
      return type.cast(client.invoke(request, type));
    } catch (UCloudException e) {
      throw new CloudException(CompShareErrors.fromException(action, e), e);
    }
  }

  private static String single(List<String> ids, int max, String what) {
    if (ids == null || ids.isEmpty() || ids.size() > max) {
      throw new IllegalArgumentException(
          "CompShare takes exactly "
              + max
              + " "
              + what
              + " id per call, got "
              + (ids == null ? 0 : ids.size()));
    }
    return ids.get(0);
  }

  /**
   * NOT_FOUND on a delete or detach means the work is done: reported per id, never as a failed
   * call.
   */
  private static BatchResult alreadyDone(String id, CloudException e) throws CloudException {
    if (e.error().kind() == ErrorKind.NOT_FOUND) {
      return BatchResult.withFailures(e.error().requestId(), Map.of(id, e.error()));
    }
    throw e;
  }

  /**
   * Errors about the account, the endpoint or the network rather than one instance: no point in the
   * next call.
   */
  private static boolean affectsEveryCall(CloudError e) {
    String c = e.code() == null ? "" : e.code();
    return e.kind() == ErrorKind.THROTTLED
        || e.kind() == ErrorKind.CREDENTIALS
        || GATEWAY_CODES.contains(c)
        || "NetworkError".equals(c)
        || c.startsWith("HTTP");
  }

  /**
   * The instance with its data disks from the same answer's DiskSet ({@link
   * CloudInstance#dataDisks()}): CompShare lists a disk only there, so this is the very record
   * {@link #describeDataDisks} and {@link #describeDisks} read, and the operator needs no second
   * describe for them.
   */
  static CloudInstance toInstance(CompShareApi.UHost h) {
    String state = h.state == null ? "" : h.state;
    return new CloudInstance(
            h.uHostId,
            state,
            phase(state),
            h.chargeType,
            prepaid(h.chargeType),
            false,
            null,
            spot(h.chargeType))
        .withName(h.name)
        .withDataDisks(dataDisksOf(h));
  }

  /** The data disks (never the boot disk) in a host's DiskSet; none when it has no DiskSet. */
  private static List<CloudDisk> dataDisksOf(CompShareApi.UHost h) {
    List<CloudDisk> disks = new ArrayList<>();
    if (h.diskSet != null) {
      for (CompShareApi.UHostDisk d : h.diskSet) {
        if (!isBoot(d)) {
          disks.add(toDisk(h, d));
        }
      }
    }
    return disks;
  }

  /**
   * Running → RUNNING; Stopped and "Install Fail" → STOPPED; every transition, "" (unknown) and
   * anything new → BUSY.
   */
  static InstancePhase phase(String state) {
    return switch (state) {
      case "Running" -> InstancePhase.RUNNING;
      case "Stopped", "Install Fail" -> InstancePhase.STOPPED;
      default ->
          InstancePhase.BUSY; // Starting, Stopping, Rebooting, Install, Initializing, Resizing, ""
    };
  }

  static boolean prepaid(String chargeType) {
    return "Month".equals(chargeType) || "Year".equals(chargeType);
  }

  /** CompShare bills preemptible instances as ChargeType Spot; UHost calls it Preemptive. */
  static boolean spot(String chargeType) {
    return "Spot".equalsIgnoreCase(chargeType) || "Preemptive".equalsIgnoreCase(chargeType);
  }

  static boolean isBoot(CompShareApi.UHostDisk d) {
    return "True".equalsIgnoreCase(d.isBoot) || "Boot".equalsIgnoreCase(d.type);
  }

  /**
   * A disk seen in an instance's DiskSet is attached to it; data disks are billed with the
   * instance.
   */
  private static CloudDisk toDisk(CompShareApi.UHost h, CompShareApi.UHostDisk d) {
    return new CloudDisk(
        d.diskId,
        h.uHostId,
        "Attached",
        DiskPhase.ATTACHED,
        h.chargeType,
        prepaid(h.chargeType),
        false,
        true);
  }
}
