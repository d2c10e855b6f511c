package dev.teardown.sim.compshare;

import dev.teardown.sim.WorldSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model of the CompShare world: instances with a boot disk each, data disks, state transitions
 * that take configurable time, and the per-instance operation lock. Transitions are evaluated
 * lazily: every operation first calls {@link #advance(long)} with the simulator clock's now. What
 * each action does to this world is in {@link CompShareActions}; nothing here knows the wire
 * format. Not thread-safe; the simulator serialises access.
 *
 * <p>Modelled behaviour (docs: compshare.cn API pages, seed 001; anything else is marked as our
 * choice):
 *
 * <ul>
 *   <li>Stop: only Running; Running → Stopping → Stopped after timing {@code stop}. A Spot
 *       (preemptible) instance needs {@code Force=true}.
 *   <li>Terminate: only Stopped. The instance stays visible as Stopped until it disappears after
 *       timing {@code terminate} (what DescribeCompShareInstance shows meanwhile is not documented;
 *       a blind second terminate meets the lock). With {@code ReleaseUDisk=true} its data disks
 *       disappear with it; without, they survive unattached.
 *   <li>Detach: the instance must be Stopped; the boot disk cannot be detached; the disk stays in
 *       the instance's DiskSet until it is detached after timing {@code detach}.
 *   <li>Delete disk: only unattached disks; deleting a deleted disk succeeds (documented). It is
 *       gone after timing {@code release}.
 *   <li>The operation lock: every mutating operation on an instance (stop, terminate, detach) takes
 *       a per-instance lock with a TTL (timing {@code lock}, 10 minutes by default as documented).
 *       While it is held any further mutating operation on that instance is refused with
 *       InstanceOperationInProgress. The docs only give the TTL; we release it early when the
 *       operation completes (Stopped reached, instance gone, disk detached), which is the behaviour
 *       a caller can rely on at worst being slower. So the lock lasts {@code min(TTL, duration of
 *       the operation)}.
 * </ul>
 */
final class CompShareWorld {

  static final String RUNNING = "Running";
  static final String STOPPED = "Stopped";
  static final String STOPPING = "Stopping";
  static final String STARTING = "Starting";

  /**
   * Disk states (UDisk names) as shown in /_sim/state; DescribeCompShareInstance has no disk state
   * field.
   */
  static final String DISK_IN_USE = "InUse";

  static final String DISK_DETACHING = "Detaching";
  static final String DISK_AVAILABLE = "Available";
  static final String DISK_DELETING = "Deleting";
  static final String DISK_DELETED = "Deleted";

  /** An error answer: the RetCode and Message of the UCloud envelope. */
  record Refusal(int retCode, String message) {}

  /** What one operation did: refused, or accepted and whether the world changed. */
  record Outcome(Refusal refusal, boolean effective) {
    static Outcome ok(boolean effective) {
      return new Outcome(null, effective);
    }

    static Outcome refused(int code, String message) {
      return new Outcome(new Refusal(code, message), false);
    }

    boolean ok() {
      return refusal == null;
    }
  }

  record Lock(String action, long untilMs) {}

  static final class Instance {
    String id;
    String name;
    String zone;
    String chargeType;
    boolean spot;
    String state;
    long transitionDoneAt = -1;
    long goneAt = -1;
    boolean releaseUDisk;
    boolean gone;
    String bootDiskId;
    Lock lock;

    boolean lockHeld(long now) {
      return lock != null && now < lock.untilMs;
    }

    boolean terminating() {
      return goneAt >= 0;
    }
  }

  static final class Disk {
    String id;
    String originalInstanceId;
    String instanceId;
    String state;
    long doneAt = -1;
    int sizeGb = 100;

    boolean exists() {
      return !DISK_DELETED.equals(state) && !DISK_DELETING.equals(state);
    }
  }

  final String region;
  final Map<String, Instance> instances = new LinkedHashMap<>();
  final Map<String, Disk> disks = new LinkedHashMap<>();
  private final Map<String, String> bootDisks = new LinkedHashMap<>();
  private final Map<String, Long> timings;

  CompShareWorld(WorldSpec.CloudWorld spec, long now) {
    this.region = spec.region;
    this.timings = spec.timingsMs == null ? Map.of() : Map.copyOf(spec.timingsMs);
    for (WorldSpec.Instance s : spec.instances) {
      Instance i = new Instance();
      i.id = s.id;
      i.name = s.name == null ? s.id : s.name;
      i.zone = s.zone;
      i.spot = s.spot;
      // CompShare reports a preemptible instance with ChargeType "Spot" (CreateCompShareInstance
      // docs).
      i.chargeType = s.spot ? "Spot" : (s.chargeType == null ? "Postpay" : s.chargeType);
      i.state = s.state == null ? RUNNING : s.state;
      if (STOPPING.equals(i.state)) {
        i.transitionDoneAt = now + timing("stop");
      } else if (STARTING.equals(i.state)) {
        i.transitionDoneAt = now + timing("start");
      }
      i.bootDiskId =
          "bsi-" + (s.id.startsWith("uhost-") ? s.id.substring("uhost-".length()) : s.id);
      bootDisks.put(i.bootDiskId, i.id);
      instances.put(i.id, i);
    }
    for (WorldSpec.Disk s : spec.disks) {
      addDisk(s);
    }
  }

  private void addDisk(WorldSpec.Disk s) {
    Disk d = new Disk();
    d.id = s.id;
    d.instanceId = s.instanceId == null || s.instanceId.isBlank() ? null : s.instanceId;
    d.originalInstanceId = d.instanceId;
    d.state = s.state != null ? s.state : d.instanceId == null ? DISK_AVAILABLE : DISK_IN_USE;
    disks.put(d.id, d);
  }

  /**
   * A data disk someone attaches at run time (console, another tool; attach is not simulated): a
   * new disk, InUse at once on an instance that exists and is not being terminated. Our choice: the
   * operation lock is not checked.
   */
  void attachNewDisk(WorldSpec.Disk s) {
    Instance i = visible(null, s.instanceId);
    if (i == null) {
      throw new IllegalArgumentException(
          "no instance " + s.instanceId + " to attach disk " + s.id + " to");
    }
    if (i.terminating()) {
      throw new IllegalStateException(
          "instance " + i.id + " is being terminated; no disk attaches to it");
    }
    if (s.id == null || s.id.isBlank() || disks.containsKey(s.id) || bootDisks.containsKey(s.id)) {
      throw new IllegalArgumentException("disk id " + s.id + " is missing or taken");
    }
    if (s.state != null && !DISK_IN_USE.equals(s.state)) {
      throw new IllegalArgumentException(
          "a newly attached disk is " + DISK_IN_USE + ", not " + s.state);
    }
    addDisk(s);
  }

  boolean isBootDisk(String id) {
    return bootDisks.containsKey(id);
  }

  static boolean recycled(Instance i) {
    return "Month".equals(i.chargeType) || "Year".equals(i.chargeType);
  }

  /**
   * Milliseconds a transition takes; defaults are ours (CompShare documents only the 10-minute
   * lock).
   */
  long timing(String name) {
    Long v = timings.get(name);
    if (v != null) {
      return v;
    }
    return switch (name) {
      case "recycleListed" -> 0;
      case "stop", "start", "terminate" -> 3000;
      case "detach" -> 1000;
      case "lock" -> 600_000;
      default -> 0; // release, latency
    };
  }

  /** Applies every transition due by {@code now}. */
  void advance(long now) {
    for (Instance i : instances.values()) {
      if (i.gone) {
        continue;
      }
      if (i.transitionDoneAt >= 0 && now >= i.transitionDoneAt) {
        i.state = STOPPING.equals(i.state) ? STOPPED : STARTING.equals(i.state) ? RUNNING : i.state;
        i.transitionDoneAt = -1;
      }
      if (i.terminating()
          && now >= i.goneAt
          && recycled(i)
          && now < i.goneAt + timing("recycleListed")) {
        // A prepaid host in the recycle bin that the cloud keeps listing as Stopped (timing
        // recycleListed, default
        // 0): a second terminate now must never be sent; it would destroy the host for good on the
        // real cloud.
        i.state = STOPPED;
        i.lock = null;
        continue;
      }
      if (i.terminating() && now >= i.goneAt) {
        i.gone = true;
        i.lock = null;
        for (Disk d : disks.values()) {
          if (i.id.equals(d.instanceId)) {
            d.instanceId = null;
            d.doneAt = -1;
            d.state = i.releaseUDisk ? DISK_DELETED : DISK_AVAILABLE;
          }
        }
      }
      if (i.lock != null && now >= i.lock.untilMs) {
        i.lock = null;
      }
    }
    for (Disk d : disks.values()) {
      if (d.doneAt >= 0 && now >= d.doneAt) {
        if (DISK_DETACHING.equals(d.state)) {
          d.state = DISK_AVAILABLE;
          d.instanceId = null;
        } else if (DISK_DELETING.equals(d.state)) {
          d.state = DISK_DELETED;
        }
        d.doneAt = -1;
      }
    }
  }

  /**
   * The instance if it exists and lives in the asked zone (an instance without a zone lives in
   * every zone).
   */
  Instance visible(String zone, String id) {
    Instance i = id == null ? null : instances.get(id);
    if (i == null || i.gone) {
      return null;
    }
    return zone == null || i.zone == null || i.zone.equals(zone) ? i : null;
  }

  List<Instance> visibleInstances(String zone) {
    List<Instance> out = new ArrayList<>();
    for (Instance i : instances.values()) {
      if (visible(zone, i.id) != null) {
        out.add(i);
      }
    }
    return out;
  }

  List<Disk> dataDisksOf(String instanceId) {
    List<Disk> out = new ArrayList<>();
    for (Disk d : disks.values()) {
      if (instanceId.equals(d.instanceId)) {
        out.add(d);
      }
    }
    return out;
  }

  /**
   * Data disks that were attached to these instances at the start and still exist (every existing
   * disk bills).
   */
  List<String> orphanedDisks(Collection<String> deletedInstanceIds) {
    List<String> out = new ArrayList<>();
    for (Disk d : disks.values()) {
      if (d.originalInstanceId != null
          && deletedInstanceIds.contains(d.originalInstanceId)
          && !DISK_DELETED.equals(d.state)
          && !DISK_DELETING.equals(d.state)) {
        out.add(d.id);
      }
    }
    return out;
  }

  /** The world as plain data, for {@code GET /_sim/state}, after applying what is due by now. */
  Map<String, Object> snapshot(long now) {
    advance(now);
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("region", region);
    List<Map<String, Object>> is = new ArrayList<>();
    for (Instance i : instances.values()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", i.id);
      m.put("name", i.name);
      m.put("zone", i.zone);
      m.put("state", i.gone ? "Deleted" : i.state);
      m.put("chargeType", i.chargeType);
      m.put("spot", i.spot);
      m.put("terminating", i.terminating() && !i.gone);
      m.put("bootDiskId", i.bootDiskId);
      if (i.lockHeld(now)) {
        m.put("lock", Map.of("action", i.lock.action(), "remainingMs", i.lock.untilMs() - now));
      }
      is.add(m);
    }
    List<Map<String, Object>> ds = new ArrayList<>();
    for (Disk d : disks.values()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", d.id);
      m.put("instanceId", d.instanceId);
      m.put("originalInstanceId", d.originalInstanceId);
      m.put("state", d.state);
      ds.add(m);
    }
    w.put("instances", is);
    w.put("disks", ds);
    return w;
  }
}
