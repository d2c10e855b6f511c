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

  static final Capabilities CAPABILITIES = new Capabilities(100, 1, 1, false, false, false);
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
        15);
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
    for (List<String> chunk : Batches.chunks(ids, PAGE)) {
      String nextToken = null;
      for (int page = 0; page < MAX_PAGES; page++) {
        Map<String, Object> p = indexed("InstanceIds", chunk);
        p.put("MaxResults", PAGE);
        if (nextToken != null) {
          p.put("NextToken", nextToken);
        }
        VolcengineClient.Response r = client.call("ecs", "DescribeInstances", p);
        for (Map<String, Object> m : maps(r.result().get("Instances"))) {
          CloudInstance i = toInstance(m);
          found.put(i.id(), i);
        }
        nextToken = VolcengineClient.str(r.result().get("NextToken"));
        if (nextToken.isEmpty()) {
          break;
        }
      }
    }
    Map<String, CloudInstance> out = new LinkedHashMap<>();
    for (String id : ids) {
      out.put(id, found.getOrDefault(id, CloudInstance.gone(id)));
    }
    return out;
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
        id,
        status,
        phaseOf(status),
        chargeType,
        prepaid,
        protectedOn,
        reason,
        spot,
        name.isEmpty() ? null : name,
        tags(m.get("Tags")));
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

  @Override
  public Map<String, List<CloudDisk>> describeDataDisks(List<String> instanceIds)
      throws CloudException {
    Map<String, List<CloudDisk>> out = new LinkedHashMap<>();
    for (String instanceId : Batches.distinct(instanceIds)) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("InstanceId", instanceId);
      p.put("Kind", "data");
      List<CloudDisk> disks = new ArrayList<>();
      for (Map<String, Object> v : describeVolumes(p)) {
        CloudDisk d = toDisk(v);
        // the Kind filter already excludes the system volume; checking again costs nothing
        if ("data".equalsIgnoreCase(VolcengineClient.str(v.get("Kind")))
            && instanceId.equals(d.instanceId())) {
          disks.add(d);
        }
      }
      out.put(instanceId, disks);
    }
    return out;
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
   * One call per volume (the EBS actions take one VolumeId). A volume already gone is reported as
   * NOT_FOUND, which the reconciler treats as done. With one volume (the capability) any other
   * failure is the whole call's and is thrown; with several, throttling and terminal errors stop
   * the loop (thrown), other errors are kept per volume.
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
        } else if (ids.size() == 1
            || err.kind() == ErrorKind.THROTTLED
            || err.kind() == ErrorKind.TERMINAL) {
          throw withSubject(e, id);
        } else {
          failures.put(id, err);
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
