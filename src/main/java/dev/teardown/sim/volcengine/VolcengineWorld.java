package dev.teardown.sim.volcengine;

import dev.teardown.sim.WorldSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The model of the simulated Volcengine fleet: ECS instances and EBS volumes with their states and
 * transitions. Transitions (instance DELETING, volume detaching, volume deleting) take the time
 * configured in {@code timingsMs} ("terminate", "detach", "release") and are applied lazily against
 * the clock whenever the world is read or changed. DeleteInstances is asynchronous: with
 * "terminateLag" &gt; 0 an accepted deletion waits that long in the cloud's task queue, the
 * instance still showing its old status, before it goes DELETING (a guess at the eventual
 * consistency of DescribeInstances; 0, the default, shows DELETING at once). What each action does
 * to this world is in {@link VolcengineEcs} (instances) and {@link VolcengineEbs} (volumes);
 * nothing here knows the wire format. Not thread-safe: the simulator serialises access.
 */
final class VolcengineWorld {

  static final String POST_PAID = "PostPaid";
  static final String PRE_PAID = "PrePaid";
  static final Set<String> DELETABLE_STATUSES = Set.of("RUNNING", "STOPPED", "ERROR");

  /** Default transition times when the world file names none. */
  static final long DEFAULT_TERMINATE_MS = 2000;

  static final long DEFAULT_DETACH_MS = 1000;
  static final long DEFAULT_RELEASE_MS = 500;
  static final long DEFAULT_TERMINATE_LAG_MS = 0;

  /** An ECS instance. */
  static final class Instance {
    String id;
    String name;
    String zone;
    String status;
    String chargeType;
    boolean expired;
    boolean deletionProtection;
    boolean spot;
    Map<String, String> tags = Map.of();
    Instant createdAt;
    Instant expiredAt;

    /** An accepted deletion still queued: the instance shows DELETING from then on. */
    Instant deleteQueuedUntil;

    Instant deletingUntil;
  }

  /** An EBS volume (system or data). */
  static final class Volume {
    String id;
    String kind;
    String status;
    String instanceId;
    String zone;
    String payType;
    boolean deleteWithInstance;
    int sizeGb;
    Instant createdAt;

    /**
     * The instance it was attached to when the world was loaded (or created), for orphan
     * accounting.
     */
    String originalInstanceId;

    /** When the current transition (detaching, deleting) ends. */
    Instant until;
  }

  final String region;
  private final Clock clock;
  private final Map<String, Long> timings;
  final Map<String, Instance> instances = new LinkedHashMap<>();
  final Map<String, Volume> volumes = new LinkedHashMap<>();
  final Set<String> deletedInstances = new LinkedHashSet<>();

  /** Volume id → how it went ("with-instance" or "DeleteVolume"). */
  final Map<String, String> deletedVolumes = new LinkedHashMap<>();

  VolcengineWorld(WorldSpec.CloudWorld spec, Clock clock) {
    this.region = spec.region == null || spec.region.isBlank() ? "cn-beijing" : spec.region;
    this.clock = clock;
    this.timings = Map.copyOf(spec.timingsMs);
    Instant now = clock.instant();
    for (WorldSpec.Instance si : spec.instances) {
      Instance i = new Instance();
      i.id = si.id;
      i.name = si.name == null ? si.id : si.name;
      i.tags = si.tags == null ? Map.of() : new java.util.TreeMap<>(si.tags);
      i.zone = si.zone == null ? region + "-a" : si.zone;
      i.status = si.state == null || si.state.isBlank() ? "RUNNING" : si.state.toUpperCase();
      i.chargeType = normaliseChargeType(si.chargeType);
      i.expired = si.expired;
      i.deletionProtection = si.deletionProtection;
      i.spot = si.spot;
      i.createdAt = now.minus(Duration.ofDays(40));
      if (PRE_PAID.equals(i.chargeType)) {
        i.expiredAt = si.expired ? now.minus(Duration.ofDays(1)) : now.plus(Duration.ofDays(30));
      }
      instances.put(i.id, i);
      Volume sys = new Volume();
      sys.id = systemVolumeId(i.id);
      sys.kind = "system";
      sys.status = "attached";
      sys.instanceId = i.id;
      sys.originalInstanceId = i.id;
      sys.zone = i.zone;
      sys.payType = PRE_PAID.equals(i.chargeType) ? "pre" : "post";
      sys.deleteWithInstance = true;
      sys.sizeGb = 40;
      sys.createdAt = i.createdAt;
      volumes.put(sys.id, sys);
    }
    for (WorldSpec.Disk sd : spec.disks) {
      addVolume(sd, now.minus(Duration.ofDays(30)));
    }
  }

  private void addVolume(WorldSpec.Disk sd, Instant createdAt) {
    Volume v = new Volume();
    v.id = sd.id;
    v.kind = "data";
    v.instanceId = sd.instanceId == null || sd.instanceId.isBlank() ? null : sd.instanceId;
    v.originalInstanceId = v.instanceId;
    v.status =
        sd.state != null && !sd.state.isBlank()
            ? sd.state.toLowerCase()
            : (v.instanceId == null ? "available" : "attached");
    Instance owner = v.instanceId == null ? null : instances.get(v.instanceId);
    v.zone = owner == null ? region + "-a" : owner.zone;
    v.payType = PRE_PAID.equals(normaliseChargeType(sd.chargeType)) ? "pre" : "post";
    v.deleteWithInstance = sd.deleteWithInstance;
    v.sizeGb = 100;
    v.createdAt = createdAt;
    volumes.put(v.id, v);
  }

  /**
   * A data volume someone creates and attaches at run time (console, another tool; AttachVolume is
   * not simulated): attached at once to an instance that is RUNNING or STOPPED and not queued for
   * deletion.
   */
  void attachNewVolume(WorldSpec.Disk sd) {
    Instance i = sd.instanceId == null ? null : instances.get(sd.instanceId);
    if (i == null) {
      throw new IllegalArgumentException(
          "no instance " + sd.instanceId + " to attach volume " + sd.id + " to");
    }
    if (i.deleteQueuedUntil != null
        || !("RUNNING".equals(i.status) || "STOPPED".equals(i.status))) {
      throw new IllegalStateException(
          "instance "
              + i.id
              + " is "
              + i.status
              + (i.deleteQueuedUntil == null ? "" : " (deletion queued)")
              + "; volumes attach to RUNNING or STOPPED ones");
    }
    if (sd.id == null
        || sd.id.isBlank()
        || volumes.containsKey(sd.id)
        || deletedVolumes.containsKey(sd.id)) {
      throw new IllegalArgumentException("volume id " + sd.id + " is missing or taken");
    }
    if (sd.state != null && !sd.state.isBlank() && !"attached".equalsIgnoreCase(sd.state)) {
      throw new IllegalArgumentException("a newly attached volume is attached, not " + sd.state);
    }
    addVolume(sd, clock.instant());
  }

  static String systemVolumeId(String instanceId) {
    return "vol-sys-" + (instanceId.startsWith("i-") ? instanceId.substring(2) : instanceId);
  }

  static String normaliseChargeType(String s) {
    if (s == null || s.isBlank()) {
      return POST_PAID;
    }
    String l = s.toLowerCase();
    return l.startsWith("pre") ? PRE_PAID : POST_PAID;
  }

  long timing(String name, long def) {
    Long v = timings.get(name);
    return v == null ? def : Math.max(0, v);
  }

  Instant now() {
    return clock.instant();
  }

  /** Applies every transition that is due, in time order. */
  void advance() {
    Instant now = clock.instant();
    for (Instance i : instances.values()) {
      if (i.deleteQueuedUntil != null && !i.deleteQueuedUntil.isAfter(now)) {
        i.status = "DELETING";
        i.deletingUntil = i.deleteQueuedUntil.plusMillis(timing("terminate", DEFAULT_TERMINATE_MS));
        i.deleteQueuedUntil = null;
      }
    }
    record Due(Instant at, Runnable apply) {}
    List<Due> due = new ArrayList<>();
    for (Instance i : instances.values()) {
      if ("DELETING".equals(i.status) && i.deletingUntil != null && !i.deletingUntil.isAfter(now)) {
        due.add(new Due(i.deletingUntil, () -> removeInstance(i)));
      }
    }
    for (Volume v : volumes.values()) {
      if (v.until != null && !v.until.isAfter(now)) {
        if ("detaching".equals(v.status)) {
          due.add(new Due(v.until, () -> finishDetach(v)));
        } else if ("deleting".equals(v.status)) {
          due.add(new Due(v.until, () -> removeVolume(v, "DeleteVolume")));
        }
      }
    }
    due.sort(Comparator.comparing(Due::at));
    due.forEach(d -> d.apply().run());
  }

  private void removeInstance(Instance i) {
    if (!instances.containsKey(i.id)) {
      return;
    }
    instances.remove(i.id);
    deletedInstances.add(i.id);
    for (Volume v : List.copyOf(volumes.values())) {
      if (i.id.equals(v.instanceId)) {
        if (v.deleteWithInstance) {
          removeVolume(v, "with-instance");
        } else {
          v.status = "available";
          v.instanceId = null;
          v.until = null;
        }
      }
    }
  }

  private void finishDetach(Volume v) {
    if (volumes.containsKey(v.id) && "detaching".equals(v.status)) {
      v.status = "available";
      v.instanceId = null;
      v.until = null;
    }
  }

  private void removeVolume(Volume v, String how) {
    if (volumes.remove(v.id) != null) {
      deletedVolumes.put(v.id, how);
    }
  }

  /** The instances a request sees: none when it was signed for another region. */
  Map<String, Instance> instances(boolean visible) {
    return visible ? instances : Map.of();
  }

  /** The volumes a request sees: none when it was signed for another region. */
  Map<String, Volume> volumes(boolean visible) {
    return visible ? volumes : Map.of();
  }

  // ------------------------------------------------------------------------------------------------ reports

  Map<String, Object> snapshot() {
    List<Object> is = new ArrayList<>();
    for (Instance i : instances.values()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", i.id);
      m.put("status", i.status);
      m.put("chargeType", i.chargeType);
      m.put("expired", i.expired);
      m.put("deletionProtection", i.deletionProtection);
      m.put("spot", i.spot);
      m.put("zone", i.zone);
      m.put(
          "deleteQueuedUntil", i.deleteQueuedUntil == null ? null : i.deleteQueuedUntil.toString());
      m.put("deletingUntil", i.deletingUntil == null ? null : i.deletingUntil.toString());
      is.add(m);
    }
    List<Object> ds = new ArrayList<>();
    for (Volume v : volumes.values()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", v.id);
      m.put("kind", v.kind);
      m.put("status", v.status);
      m.put("instanceId", v.instanceId);
      m.put("deleteWithInstance", v.deleteWithInstance);
      m.put("payType", v.payType);
      m.put("transitionUntil", v.until == null ? null : v.until.toString());
      ds.add(m);
    }
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("region", region);
    w.put("instances", is);
    w.put("disks", ds);
    w.put("deletedInstances", List.copyOf(deletedInstances));
    w.put("deletedDisks", new LinkedHashMap<>(deletedVolumes));
    return w;
  }

  /**
   * Data volumes first attached to one of these instances that still exist and are not being
   * deleted.
   */
  List<String> orphanedDisks(Collection<String> deletedInstanceIds) {
    List<String> out = new ArrayList<>();
    for (Volume v : volumes.values()) {
      if ("data".equals(v.kind)
          && v.originalInstanceId != null
          && deletedInstanceIds.contains(v.originalInstanceId)
          && !"deleting".equals(v.status)) {
        out.add(v.id);
      }
    }
    return out;
  }
}
