package dev.teardown.sim.tencent;

import dev.teardown.sim.WorldSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The model of one simulated Tencent region (CVM + CBS): instances, their system disks, data disks,
 * how a world file becomes them, and the transitions between states. Transitions are stored as a
 * due time and settled lazily against the simulator's clock at the start of every request, so
 * nothing sleeps. What each action does to this world is in {@link TencentCvm} (instances) and
 * {@link TencentCbs} (disks); nothing here knows the wire format. Not thread-safe: the simulator
 * serialises access.
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

  /** The most ids or results one Describe call takes or returns. */
  static final int MAX_DESCRIBE = 100;

  enum Pending {
    TERMINATE,
    RECYCLE,
    DETACH
  }

  /** A CVM instance. */
  static final class Instance {
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

  /** A CBS disk, the system disk of an instance or a data disk. */
  static final class Disk {
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
   * What a terminate call did to each id it named: terminated at once (or TERMINATING), moved to
   * the recycle bin, or destroyed out of the recycle bin for good.
   */
  record Released(List<String> terminated, List<String> recycled, List<String> destroyed) {}

  private final String region;
  private final Map<String, Long> timings;
  final String createdTime;
  final Map<String, Instance> instances = new LinkedHashMap<>();
  final Map<String, Disk> disks = new LinkedHashMap<>();
  final List<String> destroyedInstances = new ArrayList<>();
  final List<String> destroyedDisks = new ArrayList<>();

  TencentWorld(WorldSpec.CloudWorld spec, long nowMillis) {
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
  static boolean goesWithInstance(Disk d) {
    return SYSTEM_DISK.equals(d.usage) || !d.portable || d.deleteWithInstance;
  }

  // ---------------------------------------------------------------- queries

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
}
