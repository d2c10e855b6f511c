package dev.teardown.sim.tencent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.teardown.sim.WorldSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The CVM + CBS world of one simulated Tencent region: instances, their system disks, data disks,
 * and the transitions between states. Transitions are stored as a due time and settled lazily
 * against the simulator's clock at the start of every request, so nothing sleeps. Not thread-safe:
 * the simulator serialises access.
 */
final class TencentWorld {
  static final String PREPAID = "PREPAID";
  static final String POSTPAID = "POSTPAID_BY_HOUR";
  static final String SYSTEM_DISK = "SYSTEM_DISK";
  static final String DATA_DISK = "DATA_DISK";

  /** Keys of {@code timingsMs} this simulator reads, with their defaults. */
  static final Map<String, Long> DEFAULT_TIMINGS_MS =
      Map.of(
          "terminate",
              3000L, // postpaid TERMINATING, and destroying an instance out of the recycle bin
          "shutdown",
              2000L, // prepaid first terminate: SHUTDOWN with LatestOperationState=OPERATING
          "detach", 2000L, // DETACHING
          "latency", 0L); // added to every answer

  private static final Set<String> INSTANCE_STATES =
      Set.of(
          "PENDING",
          "LAUNCH_FAILED",
          "RUNNING",
          "STOPPED",
          "STARTING",
          "STOPPING",
          "REBOOTING",
          "SHUTDOWN",
          "TERMINATING",
          "ENTER_RESCUE_MODE",
          "RESCUE_MODE",
          "EXIT_RESCUE_MODE",
          "ENTER_SERVICE_LIVE_MIGRATE",
          "SERVICE_LIVE_MIGRATE",
          "EXIT_SERVICE_LIVE_MIGRATE");
  private static final Set<String> DISK_STATES =
      Set.of(
          "UNATTACHED",
          "ATTACHING",
          "ATTACHED",
          "DETACHING",
          "EXPANDING",
          "ROLLBACKING",
          "TORECYCLE",
          "DUMPING");

  /**
   * Instance states TerminateInstances refuses, with the code it answers (cvm TerminateInstances
   * error list).
   */
  private static final Map<String, String> TERMINATE_REFUSED =
      Map.of(
          "TERMINATING", "UnsupportedOperation.InstanceStateTerminating",
          "PENDING", "UnsupportedOperation.InstanceStatePending",
          "STARTING", "UnsupportedOperation.InstanceStateStarting",
          "STOPPING", "UnsupportedOperation.InstanceStateStopping",
          "REBOOTING", "UnsupportedOperation.InstanceStateRebooting",
          "ENTER_RESCUE_MODE", "UnsupportedOperation.InstanceStateEnterRescueMode",
          "RESCUE_MODE", "UnsupportedOperation.InstanceStateEnterRescueMode",
          "EXIT_RESCUE_MODE", "UnsupportedOperation.InstanceStateExitRescueMode",
          "ENTER_SERVICE_LIVE_MIGRATE", "UnsupportedOperation.InstanceStateEnterServiceLiveMigrate",
          "EXIT_SERVICE_LIVE_MIGRATE", "UnsupportedOperation.InstanceStateExitServiceLiveMigrate");

  private static final Set<String> DISK_BUSY =
      Set.of("ATTACHING", "DETACHING", "EXPANDING", "ROLLBACKING", "DUMPING");

  static final int MAX_TERMINATE_INSTANCES = 100;
  static final int MAX_DETACH_DISKS = 10;
  static final int MAX_TERMINATE_DISKS = 50;
  static final int MAX_DESCRIBE = 100;
  static final int MAX_FILTERS = 10;
  static final int MAX_FILTER_VALUES = 5;

  private enum Pending {
    TERMINATE,
    RECYCLE,
    DETACH
  }

  private static final class Instance {
    String id;
    String name;
    String zone;
    String state;
    String chargeType;
    boolean protectedFromTermination;
    String latestOperation;
    String latestOperationState;
    String latestOperationRequestId;
    String isolatedSource = "NOTISOLATED";
    String systemDiskId;
    java.util.Map<String, String> tags = java.util.Map.of();
    Pending pending;
    long dueAt;
  }

  private static final class Disk {
    String id;
    String usage;
    String chargeType;
    String instanceId;
    String zone;
    String state;
    boolean deleteWithInstance;
    boolean portable;
    final Set<String> everAttachedTo = new LinkedHashSet<>();
    Pending pending;
    long dueAt;

    boolean prepaid() {
      return PREPAID.equals(chargeType);
    }
  }

  /**
   * What one applied call did: response fields, whether the world changed, and what the ledger
   * shows.
   */
  record Applied(ObjectNode fields, boolean effective, Map<String, String> ledgerParams) {}

  private final ObjectMapper json;
  private final String region;
  private final Map<String, Long> timings;
  private final String createdTime;
  private final Map<String, Instance> instances = new LinkedHashMap<>();
  private final Map<String, Disk> disks = new LinkedHashMap<>();
  private final List<String> destroyedInstances = new ArrayList<>();
  private final List<String> destroyedDisks = new ArrayList<>();

  TencentWorld(WorldSpec.CloudWorld spec, ObjectMapper json, long nowMillis) {
    this.json = json;
    this.region = spec.region;
    this.timings = new LinkedHashMap<>(DEFAULT_TIMINGS_MS);
    spec.timingsMs.forEach(
        (k, v) -> {
          if (!DEFAULT_TIMINGS_MS.containsKey(k)) {
            throw new IllegalArgumentException(
                "unknown Tencent timing '" + k + "'; known: " + DEFAULT_TIMINGS_MS.keySet());
          }
          timings.put(k, v);
        });
    this.createdTime = Instant.ofEpochMilli(nowMillis).toString();
    for (WorldSpec.Instance si : spec.instances) {
      Instance i = new Instance();
      i.id = requireId(si.id, "ins-", "instance");
      if (instances.containsKey(i.id)) {
        throw new IllegalArgumentException("duplicate instance id " + i.id);
      }
      i.name = si.name == null ? i.id : si.name;
      i.tags = si.tags == null ? java.util.Map.of() : new java.util.TreeMap<>(si.tags);
      i.zone = si.zone == null ? (region == null ? "" : region + "-1") : si.zone;
      i.state = si.state == null ? "RUNNING" : si.state;
      if (!INSTANCE_STATES.contains(i.state)) {
        throw new IllegalArgumentException(
            "instance " + i.id + ": unknown InstanceState " + i.state);
      }
      i.chargeType = si.chargeType == null ? (si.spot ? "SPOTPAID" : POSTPAID) : si.chargeType;
      i.protectedFromTermination = si.deletionProtection;
      i.latestOperationState = "SUCCESS";
      i.latestOperation = "SHUTDOWN".equals(i.state) ? "TerminateInstances" : "RunInstances";
      if ("SHUTDOWN".equals(i.state)) {
        i.isolatedSource = "MANMADE";
      }
      instances.put(i.id, i);
      // Every instance boots from a system disk; it is never a data disk and goes with the
      // instance.
      Disk sys = new Disk();
      sys.id = "disk-sys-" + i.id.substring(4);
      sys.usage = SYSTEM_DISK;
      sys.chargeType = i.chargeType.equals(PREPAID) ? PREPAID : POSTPAID;
      sys.instanceId = i.id;
      sys.zone = i.zone;
      sys.state = "SHUTDOWN".equals(i.state) ? "TORECYCLE" : "ATTACHED";
      sys.deleteWithInstance = true;
      sys.portable = false;
      sys.everAttachedTo.add(i.id);
      i.systemDiskId = sys.id;
      disks.put(sys.id, sys);
    }
    for (WorldSpec.Disk sd : spec.disks) {
      addDisk(sd);
    }
  }

  /** Adds a data disk, attached to its instance or unattached, as the world file describes it. */
  private void addDisk(WorldSpec.Disk sd) {
    Disk d = new Disk();
    d.id = requireId(sd.id, "disk-", "disk");
    if (disks.containsKey(d.id)) {
      throw new IllegalArgumentException("duplicate disk id " + d.id);
    }
    d.usage = DATA_DISK;
    d.chargeType = sd.chargeType == null ? POSTPAID : sd.chargeType;
    d.deleteWithInstance = sd.deleteWithInstance;
    d.portable = sd.portable;
    String attachedTo = sd.instanceId == null || sd.instanceId.isBlank() ? null : sd.instanceId;
    if (attachedTo != null) {
      Instance i = instances.get(attachedTo);
      if (i == null) {
        throw new IllegalArgumentException(
            "disk " + d.id + " is attached to unknown instance " + attachedTo);
      }
      d.instanceId = attachedTo;
      d.zone = i.zone;
      d.everAttachedTo.add(attachedTo);
    } else {
      d.zone = region == null ? "" : region + "-1";
    }
    d.state = sd.state != null ? sd.state : attachedTo != null ? "ATTACHED" : "UNATTACHED";
    if (!DISK_STATES.contains(d.state)) {
      throw new IllegalArgumentException("disk " + d.id + ": unknown DiskState " + d.state);
    }
    disks.put(d.id, d);
  }

  /**
   * A data disk someone attaches at run time (console, another tool; AttachDisks is not simulated):
   * a new disk, ATTACHED at once to an instance that is RUNNING or STOPPED with no operation under
   * way, as CBS requires.
   */
  void attachNewDisk(WorldSpec.Disk sd) {
    Instance i = sd.instanceId == null ? null : instances.get(sd.instanceId);
    if (i == null) {
      throw new IllegalArgumentException(
          "no instance " + sd.instanceId + " to attach disk " + sd.id + " to");
    }
    if (i.pending != null || !("RUNNING".equals(i.state) || "STOPPED".equals(i.state))) {
      throw new IllegalStateException(
          "instance "
              + i.id
              + " is "
              + i.state
              + (i.pending == null ? "" : " (" + i.pending + " under way)")
              + "; disks attach to RUNNING or STOPPED ones");
    }
    if (sd.state != null && !"ATTACHED".equals(sd.state)) {
      throw new IllegalArgumentException("a newly attached disk is ATTACHED, not " + sd.state);
    }
    addDisk(sd);
  }

  private static String requireId(String id, String prefix, String what) {
    if (id == null || !id.startsWith(prefix) || id.length() <= prefix.length()) {
      throw new IllegalArgumentException(
          what + " id must look like " + prefix + "xxxxxxxx, got " + id);
    }
    return id;
  }

  long timing(String name) {
    return timings.get(name);
  }

  String region() {
    return region;
  }

  // ---------------------------------------------------------------- transitions

  /** Completes every transition whose time has come. */
  void settle(long now) {
    for (Instance i : List.copyOf(instances.values())) {
      if (i.pending != null && now >= i.dueAt) {
        completeInstance(i);
      }
    }
    for (Disk d : disks.values()) {
      if (d.pending == Pending.DETACH && now >= d.dueAt) {
        d.pending = null;
        d.state = "UNATTACHED";
        d.instanceId = null;
      }
    }
  }

  private void completeInstance(Instance i) {
    Pending p = i.pending;
    i.pending = null;
    if (p == Pending.RECYCLE) {
      i.latestOperationState = "SUCCESS";
      return;
    }
    instances.remove(i.id);
    destroyedInstances.add(i.id);
    for (Disk d : List.copyOf(disks.values())) {
      if (!i.id.equals(d.instanceId)) {
        continue;
      }
      if (goesWithInstance(d) || "TORECYCLE".equals(d.state)) {
        disks.remove(d.id);
        destroyedDisks.add(d.id);
      } else {
        d.pending = null;
        d.state = "UNATTACHED";
        d.instanceId = null;
      }
    }
  }

  /**
   * System disks, non-elastic disks and postpaid delete-with-instance disks share the instance's
   * fate.
   */
  private static boolean goesWithInstance(Disk d) {
    return SYSTEM_DISK.equals(d.usage) || !d.portable || d.deleteWithInstance;
  }

  // ---------------------------------------------------------------- CVM

  Applied describeInstances(JsonNode p, boolean visible) {
    List<String> ids = strings(p, "InstanceIds");
    Map<String, Set<String>> filters =
        filters(
            p,
            Set.of(
                "instance-id", "instance-state", "instance-charge-type", "zone", "instance-name"));
    if (!ids.isEmpty() && !filters.isEmpty()) {
      throw new TencentApiError(
          "InvalidParameterCoexistInstanceIdsFilters",
          "The parameters `InstanceIds` and `Filters` cannot be specified at the same time.");
    }
    checkInstanceIds(ids, MAX_DESCRIBE);
    Predicate<Instance> match =
        i ->
            (ids.isEmpty() || ids.contains(i.id))
                && allow(filters, "instance-id", i.id)
                && allow(filters, "instance-state", i.state)
                && allow(filters, "instance-charge-type", i.chargeType)
                && allow(filters, "zone", i.zone)
                && allow(filters, "instance-name", i.name);
    List<Instance> all = visible ? instances.values().stream().filter(match).toList() : List.of();
    ObjectNode out = json.createObjectNode();
    out.put("TotalCount", all.size());
    ArrayNode set = out.putArray("InstanceSet");
    page(all, p).forEach(i -> set.add(instanceJson(i)));
    return new Applied(out, false, Map.of());
  }

  Applied describeInstancesStatus(JsonNode p, boolean visible) {
    List<String> ids = strings(p, "InstanceIds");
    checkInstanceIds(ids, MAX_DESCRIBE);
    List<Instance> all =
        visible
            ? instances.values().stream().filter(i -> ids.isEmpty() || ids.contains(i.id)).toList()
            : List.of();
    ObjectNode out = json.createObjectNode();
    out.put("TotalCount", all.size());
    ArrayNode set = out.putArray("InstanceStatusSet");
    page(all, p)
        .forEach(i -> set.addObject().put("InstanceId", i.id).put("InstanceState", i.state));
    return new Applied(out, false, Map.of());
  }

  Applied terminateInstances(JsonNode p, boolean visible, String requestId, long now) {
    List<String> ids = distinct(strings(p, "InstanceIds"));
    if (ids.isEmpty()) {
      throw new TencentApiError(
          "MissingParameter", "The request is missing a required parameter `InstanceIds`.");
    }
    checkInstanceIds(ids, MAX_TERMINATE_INSTANCES);
    List<Instance> targets = new ArrayList<>();
    for (String id : ids) {
      Instance i = visible ? instances.get(id) : null;
      if (i == null) {
        throw new TencentApiError(
            "InvalidInstanceId.NotFound", "The instance `" + id + "` is not found.");
      }
      targets.add(i);
    }
    if (targets.stream().map(i -> i.chargeType).distinct().count() > 1) {
      throw new TencentApiError(
          "UnsupportedOperation.InstanceMixedPricingModel",
          "Instances with different charge types cannot be terminated in one request.");
    }
    List<String> protectedIds =
        targets.stream().filter(i -> i.protectedFromTermination).map(i -> i.id).toList();
    if (!protectedIds.isEmpty()) {
      throw new TencentApiError(
          "UnsupportedOperation.InstancesProtected",
          "Instances "
              + protectedIds
              + " have termination protection enabled; disable it and try again.");
    }
    for (Instance i : targets) {
      String refused = TERMINATE_REFUSED.get(i.state);
      if (refused != null) {
        throw new TencentApiError(
            refused,
            "The instance `"
                + i.id
                + "` is in state `"
                + i.state
                + "`, which does not support this operation.");
      }
      if ("OPERATING".equals(i.latestOperationState)) {
        throw new TencentApiError(
            "OperationDenied.InstanceOperationInProgress",
            "The instance `"
                + i.id
                + "` is running operation `"
                + i.latestOperation
                + "`; try again later.");
      }
    }
    boolean releasePrepaid = p.path("ReleasePrepaidDataDisks").asBoolean(false);
    List<String> terminated = new ArrayList<>();
    List<String> recycled = new ArrayList<>();
    List<String> destroyed = new ArrayList<>();
    for (Instance i : targets) {
      i.latestOperation = "TerminateInstances";
      i.latestOperationState = "OPERATING";
      i.latestOperationRequestId = requestId;
      if ("SHUTDOWN".equals(i.state)) {
        // Second call on an instance in the recycle bin: destroyed for good, with everything
        // recycled with it.
        i.state = "TERMINATING";
        i.pending = Pending.TERMINATE;
        i.dueAt = now + timing("terminate");
        destroyed.add(i.id);
      } else if (PREPAID.equals(i.chargeType)) {
        // First call on a prepaid instance: into the recycle bin.
        i.state = "SHUTDOWN";
        i.isolatedSource = "MANMADE";
        i.pending = Pending.RECYCLE;
        i.dueAt = now + timing("shutdown");
        for (Disk d : disks.values()) {
          if (i.id.equals(d.instanceId)
              && (goesWithInstance(d) || (releasePrepaid && d.prepaid()))) {
            d.state = "TORECYCLE";
            d.pending = null;
          }
        }
        recycled.add(i.id);
      } else {
        i.state = "TERMINATING";
        i.pending = Pending.TERMINATE;
        i.dueAt = now + timing("terminate");
        terminated.add(i.id);
      }
    }
    Map<String, String> ledger =
        new LinkedHashMap<>(flags(p, "ReleasePrepaidDataDisks", "ReleaseAddress"));
    putIds(ledger, "Terminated", terminated);
    putIds(ledger, "Recycled", recycled);
    putIds(ledger, TencentSimulator.DESTROYED, destroyed);
    return new Applied(json.createObjectNode(), true, ledger);
  }

  private void checkInstanceIds(List<String> ids, int max) {
    if (ids.size() > max) {
      throw new TencentApiError(
          "InvalidParameterValue.LimitExceeded",
          "The number of `InstanceIds` exceeds the limit of " + max + ".");
    }
    for (String id : ids) {
      if (!id.startsWith("ins-") || id.length() <= 4) {
        throw new TencentApiError(
            "InvalidInstanceId.Malformed", "The instance id `" + id + "` is malformed.");
      }
    }
  }

  // ---------------------------------------------------------------- CBS

  Applied describeDisks(JsonNode p, boolean visible) {
    List<String> ids = strings(p, "DiskIds");
    Map<String, Set<String>> filters =
        filters(
            p,
            Set.of(
                "disk-usage",
                "disk-charge-type",
                "portable",
                "disk-id",
                "disk-state",
                "instance-id",
                "zone"));
    if (!ids.isEmpty() && !filters.isEmpty()) {
      throw new TencentApiError(
          "InvalidParameter", "`DiskIds` and `Filters` cannot be specified at the same time.");
    }
    if (ids.size() > MAX_DESCRIBE) {
      throw new TencentApiError(
          "InvalidParameterValue.LimitExceeded",
          "The number of `DiskIds` exceeds the limit of " + MAX_DESCRIBE + ".");
    }
    Predicate<Disk> match =
        d ->
            (ids.isEmpty() || ids.contains(d.id))
                && allow(filters, "disk-usage", d.usage)
                && allow(filters, "disk-charge-type", d.chargeType)
                && allow(filters, "portable", d.portable ? "TRUE" : "FALSE")
                && allow(filters, "disk-id", d.id)
                && allow(filters, "disk-state", d.state)
                && allow(filters, "zone", d.zone)
                && allow(filters, "instance-id", d.instanceId == null ? "" : d.instanceId);
    List<Disk> all = visible ? disks.values().stream().filter(match).toList() : List.of();
    ObjectNode out = json.createObjectNode();
    out.put("TotalCount", all.size());
    ArrayNode set = out.putArray("DiskSet");
    page(all, p).forEach(d -> set.add(diskJson(d)));
    return new Applied(out, false, Map.of());
  }

  Applied detachDisks(JsonNode p, boolean visible, long now) {
    List<String> ids = distinct(strings(p, "DiskIds"));
    if (ids.isEmpty()) {
      throw new TencentApiError(
          "MissingParameter", "The request is missing a required parameter `DiskIds`.");
    }
    if (ids.size() > MAX_DETACH_DISKS) {
      throw new TencentApiError(
          "InvalidParameterValue.LimitExceeded",
          "At most " + MAX_DETACH_DISKS + " disks can be detached in one request.");
    }
    String wantedInstance = p.hasNonNull("InstanceId") ? p.get("InstanceId").asText() : null;
    List<Disk> targets = existingDisks(ids, visible);
    String onInstance = null;
    for (Disk d : targets) {
      requirePortable(d);
      if (DISK_BUSY.contains(d.state)) {
        throw new TencentApiError(
            "InvalidDisk.Busy",
            "The disk `" + d.id + "` is busy (" + d.state + "); try again later.");
      }
      if (!"ATTACHED".equals(d.state)) {
        throw new TencentApiError(
            "InvalidDisk.NotSupported",
            "The disk `" + d.id + "` is " + d.state + " and cannot be detached.");
      }
      if (wantedInstance != null && !wantedInstance.equals(d.instanceId)) {
        throw new TencentApiError(
            "InvalidParameterValue",
            "The disk `" + d.id + "` is not attached to instance `" + wantedInstance + "`.");
      }
      if (onInstance != null && !onInstance.equals(d.instanceId)) {
        throw new TencentApiError(
            "InvalidParameterValue",
            "Disks to detach in one request must be attached to the same instance.");
      }
      onInstance = d.instanceId;
    }
    Instance host = instances.get(onInstance);
    if (host != null
        && ("TERMINATING".equals(host.state) || "OPERATING".equals(host.latestOperationState))) {
      throw new TencentApiError(
          "ResourceBusy", "The instance `" + host.id + "` is busy; try again later.");
    }
    for (Disk d : targets) {
      d.state = "DETACHING";
      d.pending = Pending.DETACH;
      d.dueAt = now + timing("detach");
    }
    Map<String, String> ledger = new LinkedHashMap<>();
    if (onInstance != null) {
      ledger.put("InstanceId", onInstance);
    }
    return new Applied(json.createObjectNode(), true, ledger);
  }

  Applied terminateDisks(JsonNode p, boolean visible) {
    List<String> ids = distinct(strings(p, "DiskIds"));
    if (ids.isEmpty()) {
      throw new TencentApiError(
          "MissingParameter", "The request is missing a required parameter `DiskIds`.");
    }
    if (ids.size() > MAX_TERMINATE_DISKS) {
      throw new TencentApiError(
          "InvalidParameterValue.LimitExceeded",
          "At most " + MAX_TERMINATE_DISKS + " disks can be terminated in one request.");
    }
    List<Disk> targets = existingDisks(ids, visible);
    for (Disk d : targets) {
      requirePortable(d);
      if (DISK_BUSY.contains(d.state)) {
        throw new TencentApiError(
            "InvalidDisk.Busy",
            "The disk `" + d.id + "` is busy (" + d.state + "); try again later.");
      }
      if ("ATTACHED".equals(d.state)) {
        // Not in TerminateDisks' documented list; CBS's own code for "the disk is attached to a
        // server".
        throw new TencentApiError(
            "ResourceUnavailable.Attached",
            "The disk `" + d.id + "` is attached to `" + d.instanceId + "`; detach it first.");
      }
    }
    List<String> terminated = new ArrayList<>();
    List<String> recycled = new ArrayList<>();
    List<String> destroyed = new ArrayList<>();
    for (Disk d : targets) {
      if ("TORECYCLE".equals(d.state)) {
        disks.remove(d.id);
        destroyedDisks.add(d.id);
        destroyed.add(d.id);
      } else if (d.prepaid()) {
        d.state = "TORECYCLE";
        recycled.add(d.id);
      } else {
        disks.remove(d.id);
        destroyedDisks.add(d.id);
        terminated.add(d.id);
      }
    }
    Map<String, String> ledger = new LinkedHashMap<>();
    putIds(ledger, "Terminated", terminated);
    putIds(ledger, "Recycled", recycled);
    putIds(ledger, TencentSimulator.DESTROYED, destroyed);
    return new Applied(json.createObjectNode(), true, ledger);
  }

  private List<Disk> existingDisks(List<String> ids, boolean visible) {
    List<Disk> out = new ArrayList<>();
    for (String id : ids) {
      Disk d = visible ? disks.get(id) : null;
      if (d == null) {
        throw new TencentApiError("InvalidDiskId.NotFound", "The disk `" + id + "` is not found.");
      }
      out.add(d);
    }
    return out;
  }

  private static void requirePortable(Disk d) {
    if (SYSTEM_DISK.equals(d.usage) || !d.portable) {
      throw new TencentApiError(
          "InvalidDisk.NotPortable",
          "The disk `"
              + d.id
              + "` is not an elastic disk; it is released together with its instance.");
    }
  }

  // ---------------------------------------------------------------- queries for the simulator

  /**
   * Data disks once attached to one of these instances that still exist and are billed (TORECYCLE
   * counts as released).
   */
  List<String> orphanedDisks(Collection<String> deletedInstanceIds) {
    return disks.values().stream()
        .filter(d -> DATA_DISK.equals(d.usage) && !"TORECYCLE".equals(d.state))
        .filter(d -> d.everAttachedTo.stream().anyMatch(deletedInstanceIds::contains))
        .map(d -> d.id)
        .toList();
  }

  Map<String, Object> state() {
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("region", region);
    w.put("timingsMs", Map.copyOf(timings));
    List<Object> is = new ArrayList<>();
    for (Instance i : instances.values()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", i.id);
      m.put("state", i.state);
      m.put("chargeType", i.chargeType);
      m.put("disableApiTermination", i.protectedFromTermination);
      m.put("latestOperation", i.latestOperation);
      m.put("latestOperationState", i.latestOperationState);
      m.put("zone", i.zone);
      is.add(m);
    }
    List<Object> ds = new ArrayList<>();
    for (Disk d : disks.values()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", d.id);
      m.put("usage", d.usage);
      m.put("state", d.state);
      m.put("instanceId", d.instanceId);
      m.put("chargeType", d.chargeType);
      m.put("deleteWithInstance", d.deleteWithInstance);
      m.put("portable", d.portable);
      ds.add(m);
    }
    w.put("instances", is);
    w.put("disks", ds);
    w.put("destroyedInstances", List.copyOf(destroyedInstances));
    w.put("destroyedDisks", List.copyOf(destroyedDisks));
    return w;
  }

  // ---------------------------------------------------------------- wire shapes

  private ObjectNode instanceJson(Instance i) {
    ObjectNode n = json.createObjectNode();
    n.put("InstanceId", i.id);
    n.put("InstanceName", i.name);
    n.put("InstanceType", "S5.MEDIUM4");
    n.put("CPU", 2);
    n.put("Memory", 4);
    n.put("InstanceState", i.state);
    n.put("InstanceChargeType", i.chargeType);
    n.putObject("Placement").put("Zone", i.zone).put("ProjectId", 0);
    Disk sys = disks.get(i.systemDiskId);
    if (sys != null) {
      n.putObject("SystemDisk")
          .put("DiskType", "CLOUD_PREMIUM")
          .put("DiskId", sys.id)
          .put("DiskSize", 50);
    }
    ArrayNode data = n.putArray("DataDisks");
    for (Disk d : disks.values()) {
      if (DATA_DISK.equals(d.usage) && i.id.equals(d.instanceId)) {
        data.addObject()
            .put("DiskType", "CLOUD_PREMIUM")
            .put("DiskId", d.id)
            .put("DiskSize", 100)
            .put("DeleteWithInstance", d.deleteWithInstance)
            .put("Encrypt", false);
      }
    }
    n.put("RestrictState", "NORMAL");
    n.put("DisableApiTermination", i.protectedFromTermination);
    n.put("LatestOperation", i.latestOperation);
    n.put("LatestOperationState", i.latestOperationState);
    if (i.latestOperationRequestId != null) {
      n.put("LatestOperationRequestId", i.latestOperationRequestId);
    }
    n.put("IsolatedSource", i.isolatedSource);
    ArrayNode tags = n.putArray("Tags");
    i.tags.forEach((k, v) -> tags.addObject().put("Key", k).put("Value", v));
    n.put("CreatedTime", createdTime);
    if (PREPAID.equals(i.chargeType)) {
      n.put("RenewFlag", "NOTIFY_AND_MANUAL_RENEW");
    }
    return n;
  }

  private ObjectNode diskJson(Disk d) {
    ObjectNode n = json.createObjectNode();
    n.put("DiskId", d.id);
    n.put("DiskName", d.id);
    n.put("DiskUsage", d.usage);
    n.put("DiskType", "CLOUD_PREMIUM");
    n.put("DiskSize", SYSTEM_DISK.equals(d.usage) ? 50 : 100);
    n.put("DiskChargeType", d.chargeType);
    n.put("DiskState", d.state);
    n.put("Attached", d.instanceId != null);
    n.put("InstanceId", d.instanceId == null ? "" : d.instanceId);
    n.putArray("InstanceIdList");
    n.put("InstanceType", "CVM");
    n.put("DeleteWithInstance", d.deleteWithInstance);
    n.put("Portable", d.portable);
    n.put("Shareable", false);
    n.put("Encrypt", false);
    n.putObject("Placement").put("Zone", d.zone).put("ProjectId", 0);
    n.put("IsReturnable", d.prepaid() && !"TORECYCLE".equals(d.state));
    n.put("ReturnFailCode", 0);
    n.put("CreateTime", createdTime);
    return n;
  }

  // ---------------------------------------------------------------- request helpers

  static List<String> strings(JsonNode p, String field) {
    JsonNode a = p.get(field);
    if (a == null || a.isNull()) {
      return List.of();
    }
    if (!a.isArray()) {
      throw new TencentApiError(
          "InvalidParameter", "The parameter `" + field + "` must be an array of strings.");
    }
    List<String> out = new ArrayList<>();
    a.forEach(v -> out.add(v.asText()));
    return out;
  }

  private static List<String> distinct(List<String> ids) {
    return List.copyOf(new LinkedHashSet<>(ids));
  }

  private static Map<String, Set<String>> filters(JsonNode p, Set<String> known) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    JsonNode fs = p.get("Filters");
    if (fs == null || fs.isNull()) {
      return out;
    }
    if (!fs.isArray() || fs.size() > MAX_FILTERS) {
      throw new TencentApiError(
          "InvalidParameterValue.LimitExceeded",
          "At most " + MAX_FILTERS + " `Filters` are allowed.");
    }
    for (JsonNode f : fs) {
      String name = f.path("Name").asText();
      if (!known.contains(name)) {
        throw new TencentApiError("InvalidFilter", "The filter `" + name + "` is not supported.");
      }
      List<String> values = strings(f, "Values");
      if (values.size() > MAX_FILTER_VALUES) {
        throw new TencentApiError(
            "InvalidParameterValue.LimitExceeded",
            "At most " + MAX_FILTER_VALUES + " values are allowed in filter `" + name + "`.");
      }
      out.computeIfAbsent(name, k -> new LinkedHashSet<>()).addAll(values);
    }
    return out;
  }

  private static boolean allow(Map<String, Set<String>> filters, String name, String value) {
    Set<String> values = filters.get(name);
    return values == null || values.contains(value);
  }

  private static <T> List<T> page(List<T> all, JsonNode p) {
    long offset = p.path("Offset").asLong(0);
    long limit = p.path("Limit").asLong(20);
    if (offset < 0 || limit < 0 || limit > MAX_DESCRIBE) {
      throw new TencentApiError(
          "InvalidParameterValue",
          "`Offset` must be >= 0 and `Limit` between 0 and " + MAX_DESCRIBE + ".");
    }
    if (offset >= all.size()) {
      return List.of();
    }
    return all.subList((int) offset, (int) Math.min(all.size(), offset + limit));
  }

  private static Map<String, String> flags(JsonNode p, String... names) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String n : names) {
      if (p.hasNonNull(n)) {
        out.put(n, p.get(n).asText());
      }
    }
    return out;
  }

  private static void putIds(Map<String, String> ledger, String key, List<String> ids) {
    if (!ids.isEmpty()) {
      ledger.put(key, String.join(",", ids));
    }
  }
}
