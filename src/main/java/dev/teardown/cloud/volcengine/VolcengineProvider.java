package dev.teardown.cloud.volcengine;

import dev.teardown.cloud.BatchResult;
import dev.teardown.cloud.Batches;
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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Volcengine ECS + EBS behind the provider-neutral port. DeleteInstances deletes running or stopped
 * pay-as-you-go (and expired prepaid) instances directly, so there is no stop step and no recycle
 * bin; volumes with DeleteWithInstance go with their instance, the others become available and are
 * deleted one by one with DeleteVolume. Both deletes carry a ClientToken so that a retried call is
 * never a second deletion.
 */
public final class VolcengineProvider implements CloudProvider {

  /**
   * DeleteVolume takes one volume, so a release port call sends one per volume; up to this many
   * volumes per port call (one second of its rate budget), so that releases of many deletions are
   * merged into a call whose thread is paced by the budget instead of each deletion being held back
   * and observing the cloud again.
   */
  static final int VOLUMES_PER_RELEASE = 15;

  /**
   * DeleteInstances takes 100 ids; DetachVolume one volume; see {@link #VOLUMES_PER_RELEASE}; the
   * data volumes of 100 instances are found with one DescribeInstances (see {@link
   * #describeDataDisks}).
   */
  static final Capabilities CAPABILITIES =
      new Capabilities(
          100, 1, VOLUMES_PER_RELEASE, false, false, false, java.time.Duration.ZERO, 100);

  static final int PAGE = 100;

  /**
   * A bound on pages per describe, so a misbehaving endpoint cannot keep a reconcile busy for ever.
   */
  static final int MAX_PAGES = 50;

  static final int MAX_TOKEN = 64;

  private final VolcengineClient client;
  private final Clock clock;

  VolcengineProvider(VolcengineClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /**
   * Per SDK action, charged in {@link VolcengineClient#call}. Volcengine documents no per-action
   * limits for these calls; stay well under the common OpenAPI default of 20 per second per action.
   */
  @Override
  public java.util.Map<String, Integer> requestsPerSecond() {
    return java.util.Map.of(
        "DescribeInstances",
        15,
        "DescribeVolumes",
        15,
        "DeleteInstances",
        15,
        "DetachVolume",
        15,
        "DeleteVolume",
        VOLUMES_PER_RELEASE);
  }

  @Override
  public Capabilities capabilities() {
    return CAPABILITIES;
  }

  // ------------------------------------------------------------------------------------------------ observe

  @Override
  public Map<String, CloudInstance> describeInstances(List<String> instanceIds)
      throws CloudException {
    List<String> ids = Batches.distinct(instanceIds);
    Map<String, CloudInstance> found = new LinkedHashMap<>();
    for (Map<String, Object> m : instances(ids)) {
      CloudInstance i = toInstance(m);
      found.put(i.id(), i);
    }
    Map<String, CloudInstance> out = new LinkedHashMap<>();
    for (String id : ids) {
      out.put(id, found.getOrDefault(id, CloudInstance.gone(id)));
    }
    return out;
  }

  /** DescribeInstances by InstanceIds.N, 100 per call, every page. */
  private List<Map<String, Object>> instances(List<String> ids) throws CloudException {
    List<Map<String, Object>> all = new ArrayList<>();
    for (List<String> chunk : Batches.chunks(ids, PAGE)) {
      String nextToken = null;
      for (int page = 0; page < MAX_PAGES; page++) {
        Map<String, Object> p = indexed("InstanceIds", chunk);
        p.put("MaxResults", PAGE);
        if (nextToken != null) {
          p.put("NextToken", nextToken);
        }
        VolcengineClient.Response r = client.call("ecs", "DescribeInstances", p);
        all.addAll(maps(r.result().get("Instances")));
        nextToken = VolcengineClient.str(r.result().get("NextToken"));
        if (nextToken.isEmpty()) {
          break;
        }
      }
    }
    return all;
  }

  CloudInstance toInstance(Map<String, Object> m) {
    String id = VolcengineClient.str(m.get("InstanceId"));
    String status = VolcengineClient.str(m.get("Status")).toUpperCase();
    String chargeType = VolcengineClient.str(m.get("InstanceChargeType"));
    boolean prepaid = "PrePaid".equalsIgnoreCase(chargeType);
    boolean protectedOn = bool(m.get("DeletionProtection"));
    String spotStrategy = VolcengineClient.str(m.get("SpotStrategy"));
    boolean spot = !spotStrategy.isEmpty() && !"NoSpot".equalsIgnoreCase(spotStrategy);
    String reason = null;
    if (prepaid && notExpired(VolcengineClient.str(m.get("ExpiredAt")))) {
      reason = VolcengineErrors.prepaidNotExpired(id);
    } else if (protectedOn) {
      reason = VolcengineErrors.deletionProtected(id);
    }
    String name = VolcengineClient.str(m.get("InstanceName"));
    return new CloudInstance(
            id, status, phaseOf(status), chargeType, prepaid, protectedOn, reason, spot)
        .withName(name.isEmpty() ? null : name)
        .withTags(tags(m.get("Tags")))
        .withDataDiskIds(listedDataVolumes(m));
  }

  /**
   * The ids of the data volumes the answer lists in the instance's {@code Volumes}, as a hint of
   * which volumes to look up by id ({@link CloudInstance#dataDiskIds()}); the volume's own
   * DescribeVolumes answer says where it is. Null (no hint: the operator looks the volumes up by
   * instance) when the answer has no {@code Volumes}, or any entry lacks a {@code VolumeId} or a
   * {@code Kind} of {@code data} or {@code system}: the SDK's model guarantees only {@code
   * VolumeId}, and a system volume must never be taken for a data disk.
   */
  static List<String> listedDataVolumes(Map<String, Object> instance) {
    if (!(instance.get("Volumes") instanceof List<?>)) {
      return null;
    }
    List<String> ids = new ArrayList<>();
    for (Object o : (List<?>) instance.get("Volumes")) {
      if (!(o instanceof Map<?, ?> v)) {
        return null;
      }
      String volumeId = VolcengineClient.str(v.get("VolumeId"));
      String kind = VolcengineClient.str(v.get("Kind"));
      if (volumeId.isEmpty()) {
        return null;
      }
      if ("data".equalsIgnoreCase(kind)) {
        ids.add(volumeId);
      } else if (!"system".equalsIgnoreCase(kind)) {
        return null;
      }
    }
    return ids;
  }

  /**
   * DescribeInstances returns Tags as [{Key, Value}]: an empty map when there are none (never
   * null).
   */
  static Map<String, String> tags(Object raw) {
    Map<String, String> out = new java.util.TreeMap<>();
    if (raw instanceof List<?> list) {
      for (Object o : list) {
        if (o instanceof Map<?, ?> t && t.get("Key") != null) {
          out.put(VolcengineClient.str(t.get("Key")), VolcengineClient.str(t.get("Value")));
        }
      }
    }
    return out;
  }

  /**
   * RUNNING → RUNNING; STOPPED and ERROR (failed to create) → STOPPED, both deletable; every
   * transition (CREATING, STARTING, STOPPING, REBOOTING, REBUILDING, RESIZING, DELETING) and any
   * state not known here → BUSY.
   */
  static InstancePhase phaseOf(String status) {
    return switch (status) {
      case "RUNNING" -> InstancePhase.RUNNING;
      case "STOPPED", "ERROR" -> InstancePhase.STOPPED;
      default -> InstancePhase.BUSY;
    };
  }

  /**
   * A prepaid instance is unexpired when its ExpiredAt lies ahead. Without a readable ExpiredAt the
   * adapter does not guess: it lets DeleteInstances decide, whose per-instance refusal carries the
   * same actionable message.
   */
  private boolean notExpired(String expiredAt) {
    if (expiredAt.isEmpty()) {
      return false;
    }
    try {
      return OffsetDateTime.parse(expiredAt).toInstant().isAfter(clock.instant());
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(expiredAt).isAfter(clock.instant());
      } catch (DateTimeParseException e2) {
        return false;
      }
    }
  }

  /**
   * The data volumes attached to each instance now, in two merged steps instead of one
   * DescribeVolumes per instance (its InstanceId filter takes one id): DescribeInstances (100
   * instances per call) lists each instance's {@code Volumes} by id, then DescribeVolumes by
   * VolumeIds.N (100 per call, Kind=data) gives each volume's status, attachment,
   * DeleteWithInstance and billing. Only what DescribeVolumes shows counts: a listed volume it does
   * not return (deleted meanwhile), or returns attached to another instance or to none, is not this
   * instance's disk. The SDK's DescribeInstances model guarantees only {@code VolumeId} in {@code
   * Volumes}; where the answer also says {@code Kind=system}, that volume is not looked up. One
   * instance alone takes one call: DescribeVolumes filtered by its InstanceId.
   */
  @Override
  public Map<String, List<CloudDisk>> describeDataDisks(List<String> instanceIds)
      throws CloudException {
    List<String> ids = Batches.distinct(instanceIds);
    if (ids.size() == 1) {
      return Map.of(ids.get(0), dataVolumesOf(ids.get(0)));
    }
    Map<String, List<String>> listed = new LinkedHashMap<>();
    List<String> volumeIds = new ArrayList<>();
    for (Map<String, Object> m : instances(ids)) {
      String instanceId = VolcengineClient.str(m.get("InstanceId"));
      for (Map<String, Object> v : maps(m.get("Volumes"))) {
        String volumeId = VolcengineClient.str(v.get("VolumeId"));
        if (volumeId.isEmpty() || "system".equalsIgnoreCase(VolcengineClient.str(v.get("Kind")))) {
          continue;
        }
        listed.computeIfAbsent(instanceId, k -> new ArrayList<>()).add(volumeId);
        volumeIds.add(volumeId);
      }
    }
    Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
    for (List<String> chunk : Batches.chunks(Batches.distinct(volumeIds), PAGE)) {
      Map<String, Object> filter = indexed("VolumeIds", chunk);
      filter.put("Kind", "data");
      for (Map<String, Object> v : describeVolumes(filter)) {
        volumes.put(VolcengineClient.str(v.get("VolumeId")), v);
      }
    }
    Map<String, List<CloudDisk>> out = new LinkedHashMap<>();
    for (String instanceId : ids) {
      List<CloudDisk> disks = new ArrayList<>();
      for (String volumeId : listed.getOrDefault(instanceId, List.of())) {
        Map<String, Object> v = volumes.get(volumeId);
        if (v == null || !"data".equalsIgnoreCase(VolcengineClient.str(v.get("Kind")))) {
          continue;
        }
        CloudDisk d = toDisk(v);
        if (instanceId.equals(d.instanceId())) {
          disks.add(d);
        }
      }
      out.put(instanceId, disks);
    }
    return out;
  }

  /** The data volumes attached to one instance: DescribeVolumes with InstanceId and Kind=data. */
  private List<CloudDisk> dataVolumesOf(String instanceId) throws CloudException {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("InstanceId", instanceId);
    p.put("Kind", "data");
    List<CloudDisk> disks = new ArrayList<>();
    for (Map<String, Object> v : describeVolumes(p)) {
      CloudDisk d = toDisk(v);
      // the filters already exclude the system volume and other instances; checking again costs
      // nothing
      if ("data".equalsIgnoreCase(VolcengineClient.str(v.get("Kind")))
          && instanceId.equals(d.instanceId())) {
        disks.add(d);
      }
    }
    return disks;
  }

  @Override
  public Map<String, CloudDisk> describeDisks(List<String> diskIds) throws CloudException {
    List<String> ids = Batches.distinct(diskIds);
    Map<String, CloudDisk> found = new LinkedHashMap<>();
    for (List<String> chunk : Batches.chunks(ids, PAGE)) {
      for (Map<String, Object> v : describeVolumes(indexed("VolumeIds", chunk))) {
        CloudDisk d = toDisk(v);
        found.put(d.id(), d);
      }
    }
    Map<String, CloudDisk> out = new LinkedHashMap<>();
    for (String id : ids) {
      out.put(id, found.getOrDefault(id, CloudDisk.gone(id)));
    }
    return out;
  }

  /** DescribeVolumes over every page (PageNumber/PageSize, until TotalCount volumes were read). */
  private List<Map<String, Object>> describeVolumes(Map<String, Object> filter)
      throws CloudException {
    List<Map<String, Object>> all = new ArrayList<>();
    for (int page = 1; page <= MAX_PAGES; page++) {
      Map<String, Object> p = new LinkedHashMap<>(filter);
      p.put("PageNumber", page);
      p.put("PageSize", PAGE);
      VolcengineClient.Response r = client.call("storage_ebs", "DescribeVolumes", p);
      List<Map<String, Object>> vols = maps(r.result().get("Volumes"));
      all.addAll(vols);
      long total = number(r.result().get("TotalCount"), all.size());
      if (vols.isEmpty() || all.size() >= total) {
        break;
      }
    }
    return all;
  }

  static CloudDisk toDisk(Map<String, Object> v) {
    String status = VolcengineClient.str(v.get("Status")).toLowerCase();
    String instanceId = VolcengineClient.str(v.get("InstanceId"));
    String payType = VolcengineClient.str(v.get("PayType")).toLowerCase();
    boolean prepaid =
        payType.isEmpty()
            ? number(v.get("BillingType"), 2) == 1 // 1 = subscription, 2 = pay-as-you-go
            : payType.startsWith("pre");
    return new CloudDisk(
        VolcengineClient.str(v.get("VolumeId")),
        instanceId.isEmpty() ? null : instanceId,
        status,
        diskPhaseOf(status),
        prepaid ? "PrePaid" : "PostPaid",
        prepaid,
        bool(v.get("DeleteWithInstance")),
        true);
  }

  /**
   * attached → ATTACHED; available → AVAILABLE; attaching, detaching, creating, deleting,
   * extending, error... → BUSY.
   */
  static DiskPhase diskPhaseOf(String status) {
    return switch (status) {
      case "attached" -> DiskPhase.ATTACHED;
      case "available" -> DiskPhase.AVAILABLE;
      default -> DiskPhase.BUSY;
    };
  }

  /**
   * Volcengine DeleteInstances has no flag for data disks: exactly the volumes with
   * DeleteWithInstance go with it.
   */
  @Override
  public boolean releasedWithInstance(
      CloudInstance instance, CloudDisk disk, boolean releaseDataDisks) {
    return disk.deleteWithInstance();
  }

  // ------------------------------------------------------------------------------------------------ mutate

  /**
   * Never called: Volcengine deletes running instances directly ({@code stopBeforeTerminate} is
   * false).
   */
  @Override
  public BatchResult stopInstances(List<CloudInstance> instances) throws CloudException {
    throw new CloudException(
        CloudError.of(
            ErrorKind.TERMINAL,
            "UnsupportedOperation",
            "the Volcengine adapter does not stop instances before deleting them: this call is a bug in Teardown",
            null,
            "StopInstances"));
  }

  @Override
  public BatchResult terminateInstances(TerminateRequest request) throws CloudException {
    List<String> ids = Batches.distinct(request.instanceIds());
    if (ids.isEmpty()) {
      return BatchResult.ok(null);
    }
    if (ids.size() > CAPABILITIES.maxInstancesPerTerminate()) {
      throw new IllegalArgumentException(
          "at most " + CAPABILITIES.maxInstancesPerTerminate() + " ids per call");
    }
    Map<String, Object> p = indexed("InstanceIds", ids);
    String token = clientToken(request.idempotencyToken());
    if (token != null) {
      p.put("ClientToken", token);
    }
    VolcengineClient.Response r = client.call("ecs", "DeleteInstances", p);
    Map<String, CloudError> failures = new LinkedHashMap<>();
    for (Map<String, Object> d : maps(r.result().get("OperationDetails"))) {
      String id = VolcengineClient.str(d.get("InstanceId"));
      if (d.get("Error") instanceof Map<?, ?> err
          && !VolcengineClient.str(err.get("Code")).isEmpty()) {
        failures.put(
            id,
            VolcengineErrors.classify(
                "DeleteInstances",
                200,
                VolcengineClient.str(err.get("Code")),
                VolcengineClient.str(err.get("Message")),
                r.requestId(),
                id));
      }
    }
    return BatchResult.withFailures(r.requestId(), failures);
  }

  @Override
  public BatchResult detachDisks(String instanceId, List<String> diskIds) throws CloudException {
    return perVolume(
        "DetachVolume",
        Batches.distinct(diskIds),
        id -> {
          Map<String, Object> p = new LinkedHashMap<>();
          p.put("VolumeId", id);
          p.put("InstanceId", instanceId);
          return p;
        });
  }

  @Override
  public BatchResult releaseDisks(ReleaseDisksRequest request) throws CloudException {
    // no recycle bin on Volcengine: purge never happens (recycleBin=false) and would be the same
    // call
    return perVolume(
        "DeleteVolume",
        Batches.distinct(request.diskIds()),
        id -> {
          Map<String, Object> p = new LinkedHashMap<>();
          p.put("VolumeId", id);
          String token =
              request.idempotencyToken() == null
                  ? null
                  : clientToken(request.idempotencyToken() + "-" + id);
          if (token != null) {
            p.put("ClientToken", token);
          }
          return p;
        });
  }

  /**
   * One call per volume (the EBS actions take one VolumeId; a release merged across deletions
   * carries several). A volume already gone is reported as NOT_FOUND, which the reconciler treats
   * as done. With one volume any other failure is the whole call's and is thrown. With several, an
   * error about that volume alone (a transient one, or a refusal of that volume: see {@link
   * VolcengineErrors#aboutOneVolume}) is kept for it and the loop goes on, so a refused volume
   * fails only its own item; throttling, credentials and refusals of the request itself stop the
   * loop (thrown; a retry with the same token sends every volume again with its same ClientToken,
   * which the cloud answers from its record for those already accepted).
   */
  private BatchResult perVolume(
      String action, List<String> ids, Function<String, Map<String, Object>> params)
      throws CloudException {
    Map<String, CloudError> failures = new LinkedHashMap<>();
    String requestId = null;
    for (String id : ids) {
      try {
        requestId = client.call("storage_ebs", action, params.apply(id)).requestId();
      } catch (CloudException e) {
        CloudError err = e.error();
        if (err.kind() == ErrorKind.NOT_FOUND) {
          failures.put(id, err);
        } else if (ids.size() > 1 && VolcengineErrors.aboutOneVolume(err)) {
          failures.put(id, withSubject(e, id).error());
        } else {
          throw withSubject(e, id);
        }
      }
    }
    return BatchResult.withFailures(requestId, failures);
  }

  /**
   * Puts the volume id into the actionable message of a terminal error (the call itself did not
   * know it).
   */
  private static CloudException withSubject(CloudException e, String id) {
    CloudError err = e.error();
    if (err.kind() != ErrorKind.TERMINAL || err.message() == null || err.message().contains(id)) {
      return e;
    }
    return new CloudException(err.withMessage(id + ": " + err.message()), e);
  }

  /**
   * A ClientToken is at most 64 ASCII characters. A longer (or non-ASCII) token is replaced by a
   * digest of itself, so the same request always carries the same token.
   */
  static String clientToken(String raw) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    if (raw.length() <= MAX_TOKEN && raw.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      return raw;
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(raw.getBytes(StandardCharsets.UTF_8));
      return "td-" + HexFormat.of().formatHex(d).substring(0, MAX_TOKEN - 3);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    client.close();
  }

  // ------------------------------------------------------------------------------------------------ helpers

  /** {@code Name.1=a, Name.2=b, ...}: the OpenAPI query form of a list. */
  private static Map<String, Object> indexed(String name, List<String> values) {
    Map<String, Object> p = new LinkedHashMap<>();
    for (int i = 0; i < values.size(); i++) {
      p.put(name + "." + (i + 1), values.get(i));
    }
    return p;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> maps(Object o) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (o instanceof List<?> l) {
      for (Object e : l) {
        if (e instanceof Map<?, ?> m) {
          out.add((Map<String, Object>) m);
        }
      }
    }
    return out;
  }

  private static boolean bool(Object o) {
    return o instanceof Boolean b ? b : "true".equalsIgnoreCase(VolcengineClient.str(o));
  }

  /**
   * Gson hands JSON numbers over as doubles (or longs at the top level); strings are accepted too.
   */
  private static long number(Object o, long def) {
    if (o instanceof Number n) {
      return n.longValue();
    }
    try {
      return o == null ? def : (long) Double.parseDouble(o.toString());
    } catch (NumberFormatException e) {
      return def;
    }
  }
}
