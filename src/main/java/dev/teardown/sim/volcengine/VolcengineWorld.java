package dev.teardown.sim.volcengine;

import dev.teardown.sim.WorldSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The simulated Volcengine fleet: ECS instances and EBS volumes with their states, and the actions
 * that change them. Transitions (instance DELETING, volume detaching, volume deleting) take the
 * time configured in {@code timingsMs} ("terminate", "detach", "release") and are applied lazily
 * against the clock whenever the world is read or changed. DeleteInstances is asynchronous: with
 * "terminateLag" &gt; 0 an accepted deletion waits that long in the cloud's task queue, the
 * instance still showing its old status, before it goes DELETING (a guess at the eventual
 * consistency of DescribeInstances; 0, the default, shows DELETING at once). Not thread-safe: the
 * simulator serialises access.
 */
final class VolcengineWorld {

  static final String POST_PAID = "PostPaid";
  static final String PRE_PAID = "PrePaid";
  static final Set<String> DELETABLE_STATUSES = Set.of("RUNNING", "STOPPED", "ERROR");
  static final DateTimeFormatter TIME =
      DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneOffset.UTC);

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

  /** What an action answered and whether it changed the world. */
  record Outcome(Map<String, Object> result, boolean effective) {}

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

  private Map<String, Instance> instances(boolean visible) {
    return visible ? instances : Map.of();
  }

  private Map<String, Volume> volumes(boolean visible) {
    return visible ? volumes : Map.of();
  }

  // ------------------------------------------------------------------------------------------------ ecs

  Outcome describeInstances(
      List<String> ids, int maxResults, String nextToken, String status, boolean visible) {
    List<Instance> matching = new ArrayList<>();
    Map<String, Instance> all = instances(visible);
    if (ids.isEmpty()) {
      matching.addAll(all.values());
    } else {
      for (String id : new LinkedHashSet<>(ids)) {
        Instance i = all.get(id);
        if (i != null) {
          matching.add(i);
        }
      }
    }
    if (status != null && !status.isBlank()) {
      matching.removeIf(i -> !i.status.equalsIgnoreCase(status));
    }
    int start = 0;
    if (nextToken != null && !nextToken.isBlank()) {
      try {
        start = Integer.parseInt(nextToken);
      } catch (NumberFormatException e) {
        throw VolcengineApiError.of("InvalidArgument", "The specified NextToken is invalid.");
      }
    }
    int end = Math.min(matching.size(), start + maxResults);
    List<Object> out = new ArrayList<>();
    for (Instance i : matching.subList(Math.min(start, matching.size()), end)) {
      out.add(instanceJson(i, visible));
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("Instances", out);
    result.put("NextToken", end < matching.size() ? Integer.toString(end) : "");
    return new Outcome(result, false);
  }

  private Map<String, Object> instanceJson(Instance i, boolean visible) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("InstanceId", i.id);
    m.put("InstanceName", i.name);
    m.put("ZoneId", i.zone);
    m.put("Status", i.status);
    m.put("InstanceTypeId", "ecs.g3i.large");
    m.put("InstanceChargeType", i.chargeType);
    m.put("SpotStrategy", i.spot ? "SpotAsPriceGo" : "NoSpot");
    m.put("DeletionProtection", i.deletionProtection);
    m.put("CreatedAt", TIME.format(i.createdAt));
    m.put("ExpiredAt", i.expiredAt == null ? "" : TIME.format(i.expiredAt));
    List<Object> vols = new ArrayList<>();
    for (Volume v : volumes(visible).values()) {
      if (i.id.equals(v.instanceId)) {
        Map<String, Object> vm = new LinkedHashMap<>();
        vm.put("VolumeId", v.id);
        vm.put("Kind", v.kind);
        vm.put("Size", v.sizeGb);
        vm.put("VolumeType", "ESSD_PL0");
        vols.add(vm);
      }
    }
    m.put("Volumes", vols);
    List<Object> tags = new ArrayList<>();
    i.tags.forEach(
        (k, v) -> {
          Map<String, Object> t = new LinkedHashMap<>();
          t.put("Key", k);
          t.put("Value", v);
          tags.add(t);
        });
    m.put("Tags", tags);
    return m;
  }

  /**
   * DeleteInstances: each instance is checked on its own; the answer lists one OperationDetails
   * entry per requested instance, with an Error for those that were refused. Accepted instances go
   * DELETING for "terminate" ms (after "terminateLag" ms in the queue); an instance whose deletion
   * is already queued is accepted again without effect.
   */
  Outcome deleteInstances(List<String> ids, boolean visible) {
    Instant now = clock.instant();
    Map<String, Instance> all = instances(visible);
    List<Object> details = new ArrayList<>();
    boolean effective = false;
    for (String id : new LinkedHashSet<>(ids)) {
      Instance i = all.get(id);
      String code = null;
      String message = null;
      if (i == null) {
        code = "InvalidInstance.NotFound";
        message = "The specified instance does not exist.";
      } else if (i.deleteQueuedUntil != null) {
        // already being deleted: nothing more to do
      } else if (i.deletionProtection) {
        code = "OperationDenied.DeletionProtection";
        message = "The specified instance has deletion protection enabled.";
      } else if (PRE_PAID.equals(i.chargeType) && !i.expired) {
        code = "InvalidInstanceChargeType";
        message =
            "The charge type of the specified instance does not support this operation: a PrePaid instance can "
                + "be deleted only after it expires or is converted to PostPaid.";
      } else if (!DELETABLE_STATUSES.contains(i.status)) {
        code = "InvalidInstanceStatus";
        message = "The status of the specified instance does not support this request.";
      } else {
        long lag = timing("terminateLag", DEFAULT_TERMINATE_LAG_MS);
        if (lag > 0) {
          i.deleteQueuedUntil = now.plusMillis(lag);
        } else {
          i.status = "DELETING";
          i.deletingUntil = now.plusMillis(timing("terminate", DEFAULT_TERMINATE_MS));
        }
        effective = true;
      }
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("InstanceId", id);
      if (code != null) {
        d.put("Error", Map.of("Code", code, "Message", message));
      }
      details.add(d);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("OperationDetails", details);
    return new Outcome(result, effective);
  }

  // ------------------------------------------------------------------------------------------------ storage_ebs

  Outcome describeVolumes(
      List<String> ids,
      String instanceId,
      String kind,
      String status,
      int pageNumber,
      int pageSize,
      boolean visible) {
    Collection<Volume> all = volumes(visible).values();
    List<Volume> matching = new ArrayList<>();
    Set<String> wanted = new LinkedHashSet<>(ids);
    for (Volume v : all) {
      if (!wanted.isEmpty() && !wanted.contains(v.id)) {
        continue;
      }
      if (instanceId != null && !instanceId.isBlank() && !instanceId.equals(v.instanceId)) {
        continue;
      }
      if (kind != null && !kind.isBlank() && !kind.equalsIgnoreCase(v.kind)) {
        continue;
      }
      if (status != null && !status.isBlank() && !status.equalsIgnoreCase(v.status)) {
        continue;
      }
      matching.add(v);
    }
    int from = Math.min(matching.size(), (pageNumber - 1) * pageSize);
    int to = Math.min(matching.size(), from + pageSize);
    List<Object> out = new ArrayList<>();
    for (Volume v : matching.subList(from, to)) {
      out.add(volumeJson(v));
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("Volumes", out);
    result.put("TotalCount", matching.size());
    result.put("PageNumber", pageNumber);
    result.put("PageSize", pageSize);
    return new Outcome(result, false);
  }

  private Map<String, Object> volumeJson(Volume v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("VolumeId", v.id);
    m.put("VolumeName", v.id);
    m.put("Kind", v.kind);
    m.put("Status", v.status);
    m.put("InstanceId", v.instanceId == null ? "" : v.instanceId);
    m.put("ZoneId", v.zone);
    m.put("Size", String.valueOf(v.sizeGb));
    m.put("VolumeType", "ESSD_PL0");
    m.put("DeleteWithInstance", v.deleteWithInstance);
    m.put("PayType", v.payType);
    m.put("BillingType", "pre".equals(v.payType) ? 1 : 2);
    m.put("CreatedAt", TIME.format(v.createdAt));
    return m;
  }

  /** DetachVolume: attached → detaching → available after "detach" ms. */
  Outcome detachVolume(String volumeId, String instanceId, boolean visible) {
    Volume v = volumes(visible).get(volumeId);
    if (v == null) {
      throw VolcengineApiError.of(
          "VolumeNotFound", "The specified volume " + volumeId + " does not exist.");
    }
    if ("system".equals(v.kind)) {
      throw VolcengineApiError.of(
          "OperationDenied.SystemVolume", "A system volume cannot be detached.");
    }
    if (!"attached".equals(v.status)) {
      throw VolcengineApiError.of(
          "IncorrectDiskStatus",
          "The volume "
              + volumeId
              + " is "
              + v.status
              + "; only an attached volume can be detached.");
    }
    if (!instanceId.equals(v.instanceId)) {
      throw VolcengineApiError.of(
          "InvalidParameter",
          "The volume " + volumeId + " is not attached to instance " + instanceId + ".");
    }
    v.status = "detaching";
    v.until = clock.instant().plusMillis(timing("detach", DEFAULT_DETACH_MS));
    return new Outcome(new LinkedHashMap<>(), true);
  }

  /**
   * DeleteVolume: only a PostPaid data volume in available; it goes deleting, then away after
   * "release" ms.
   */
  Outcome deleteVolume(String volumeId, boolean visible) {
    Volume v = volumes(visible).get(volumeId);
    if (v == null) {
      throw VolcengineApiError.of(
          "VolumeNotFound", "The specified volume " + volumeId + " does not exist.");
    }
    if (!"data".equals(v.kind) || "pre".equals(v.payType)) {
      throw VolcengineApiError.of(
          "VolumeStatusForbidDelete",
          "The volume "
              + volumeId
              + " cannot be deleted on its own: only pay-as-you-go data volumes can be deleted.");
    }
    if (!"available".equals(v.status)) {
      throw VolcengineApiError.of(
          "IncorrectDiskStatus",
          "The volume "
              + volumeId
              + " is "
              + v.status
              + "; only an available volume can be deleted.");
    }
    v.status = "deleting";
    v.until = clock.instant().plusMillis(timing("release", DEFAULT_RELEASE_MS));
    return new Outcome(new LinkedHashMap<>(), true);
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
