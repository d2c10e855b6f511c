package dev.teardown.sim.compshare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.FaultRule;
import dev.teardown.sim.SimRequest;
import dev.teardown.sim.SimResponse;
import dev.teardown.sim.SimulatorBase;
import dev.teardown.sim.WorldSpec;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * UCloud CompShare over its real wire protocol: {@code POST <base URL>} with a flat JSON body
 * (lists flattened as {@code Key.N}, 0-based), the UCloud SHA1 signature verified against the
 * world's key pairs ({@link CompShareSignature}), HTTP 200 envelopes {@code
 * {"RetCode":0,"Action":"<Action>Response",...}} with the request id in header {@code
 * X-UCLOUD-REQUEST-UUID}. Actions: DescribeCompShareInstance, StopCompShareInstance,
 * TerminateCompShareInstance, DetachCompshareDisk, DeleteCompshareDisk; the world model is {@link
 * CompShareWorld}.
 *
 * <p>Spot instances are reported with {@code ChargeType "Spot"} (CreateCompShareInstance documents
 * Spot as the preemptible charge type; the Describe model has no separate flag). Timings (world
 * {@code timingsMs}): {@code stop}, {@code start}, {@code terminate}, {@code detach}, {@code
 * release} (disk deletion), {@code lock} (operation lock TTL, default 600000), {@code
 * recycleListed} (how long a recycled Month/Year host stays listed as Stopped after its terminate,
 * default 0) and {@code latency} (added to every API answer). Rate limits (world {@code
 * rateLimits}, per action, {@code "*"} for all): CompShare documents none, so there is no limit
 * unless configured. Instances without a zone live in every zone of the region; disks follow their
 * instance. World fields CompShare has no counterpart for are ignored: deletion protection, expiry,
 * and a disk's charge type, deleteWithInstance and portable flags (whether data disks go with the
 * instance is decided per terminate call by ReleaseUDisk).
 */
public final class CompShareSimulator extends SimulatorBase {
  public static final String PROVIDER = "ucloud-compshare";
  public static final String REQUEST_ID_HEADER = "X-UCLOUD-REQUEST-UUID";

  static final String DESCRIBE = "DescribeCompShareInstance";
  static final String STOP = "StopCompShareInstance";
  static final String TERMINATE = "TerminateCompShareInstance";
  static final String DETACH = "DetachCompshareDisk";
  static final String DELETE_DISK = "DeleteCompshareDisk";
  private static final Set<String> ACTIONS = Set.of(DESCRIBE, STOP, TERMINATE, DETACH, DELETE_DISK);
  private static final int MAX_IDS = 100;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final CompShareWorld world;
  private final Random requestIds;

  public CompShareSimulator(
      WorldSpec.CloudWorld spec, Clock clock, long seed, String host, int port) {
    super(PROVIDER, spec, clock, seed, 0, Map.of());
    this.world = new CompShareWorld(spec, clock.millis());
    this.requestIds = new Random(seed);
    listen(host, port);
  }

  // ---- HTTP
  // -------------------------------------------------------------------------------------------------

  @Override
  protected SimResponse handle(SimRequest req) {
    String path = req.uri().getPath();
    if ("GET".equals(req.method()) && "/_sim/state".equals(path)) {
      return SimResponse.json(200, write(state()));
    }
    if (!"POST".equals(req.method())) {
      return SimResponse.json(405, "{\"error\":\"UCloud API calls are POST with a JSON body\"}");
    }
    Map<String, String> params = parse(req.bodyText());
    String action = params.get("Action");
    String requestId = nextRequestId();
    List<String> ids = ids(params);

    if (action == null || action.isBlank()) {
      return refuse(null, ids, params, requestId, CompShareCodes.MISSING_ACTION, "Missing Action");
    }
    String signature = params.get("Signature");
    if (signature == null || signature.isBlank()) {
      return refuse(
          action, ids, params, requestId, CompShareCodes.MISSING_SIGNATURE, "Missing signature");
    }
    String privateKey = secrets.get(params.get("PublicKey"));
    if (privateKey == null) {
      return refuse(
          action, ids, params, requestId, CompShareCodes.USER_NOT_EXISTS, "User Not Exists");
    }
    if (!CompShareSignature.sign(params, privateKey).equals(signature)) {
      return refuse(
          action,
          ids,
          params,
          requestId,
          CompShareCodes.SIGNATURE_ERROR,
          "Signature VerifyAC Error");
    }
    if (!ACTIONS.contains(action)) {
      return refuse(
          action,
          ids,
          params,
          requestId,
          CompShareCodes.ACTION_NOT_FOUND,
          "Action [" + action + "] not found");
    }
    if (!rateLimits.tryAcquire(action)) {
      return refuse(
          action,
          ids,
          params,
          requestId,
          CompShareCodes.RATE_LIMITED,
          "Request frequency limit exceeded for " + action + ", slow down");
    }
    String region = params.get("Region");
    if (region == null || region.isBlank()) {
      return refuse(
          action, ids, params, requestId, CompShareCodes.MISSING_PARAMS, "Missing params [Region]");
    }
    if (world.region != null && !world.region.equals(region)) {
      return refuse(
          action,
          ids,
          params,
          requestId,
          CompShareCodes.PARAMS_NOT_AVAILABLE,
          "Params [Region] not available");
    }

    FaultRule fault = faults.match(action, ids).orElse(null);
    if (fault != null && fault.type != FaultRule.Type.TIMEOUT_AFTER_APPLY) {
      return injected(fault, action, ids, params, requestId);
    }

    CompShareWorld.Outcome outcome;
    synchronized (world) {
      long now = clock.millis();
      world.advance(now);
      outcome = apply(action, params, now);
    }
    Map<String, String> recorded = recordable(params);
    if (fault != null) {
      recorded.put("_fault", fault.type.name()); // applied, but the answer is lost
    }
    ledger.record(
        new CallLedger.Call(
            PROVIDER,
            action,
            ids,
            outcome.ok() ? "OK" : String.valueOf(outcome.refusal().retCode()),
            outcome.effective(),
            requestId,
            clock.instant(),
            recorded));
    if (fault != null) {
      return SimResponse.timeout(fault.delayMs);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    if (outcome.ok()) {
      body.put("RetCode", 0);
      body.put("Action", action + "Response");
      body.putAll(outcome.fields());
    } else {
      body.put("RetCode", outcome.refusal().retCode());
      body.put("Action", action + "Response");
      body.put("Message", outcome.refusal().message());
    }
    return answer(body, requestId);
  }

  private CompShareWorld.Outcome apply(String action, Map<String, String> p, long now) {
    String zone = p.get("Zone");
    return switch (action) {
      case DESCRIBE -> describe(zone, p);
      case STOP ->
          required(p, "Zone", "UHostId") != null
              ? missing(p, "Zone", "UHostId")
              : world.stop(zone, p.get("UHostId"), Boolean.parseBoolean(p.get("Force")), now);
      case TERMINATE ->
          required(p, "Zone", "UHostId") != null
              ? missing(p, "Zone", "UHostId")
              : world.terminate(
                  zone, p.get("UHostId"), Boolean.parseBoolean(p.get("ReleaseUDisk")), now);
      case DETACH ->
          required(p, "UHostId", "UDiskId") != null
              ? missing(p, "UHostId", "UDiskId")
              : world.detach(zone, p.get("UHostId"), p.get("UDiskId"), now);
      case DELETE_DISK ->
          required(p, "Zone", "UDiskId") != null
              ? missing(p, "Zone", "UDiskId")
              : world.deleteDisk(p.get("UDiskId"), now);
      default -> throw new IllegalStateException(action);
    };
  }

  private CompShareWorld.Outcome describe(String zone, Map<String, String> p) {
    List<String> wanted = indexed(p, "UHostIds");
    if (wanted.size() > MAX_IDS) {
      return CompShareWorld.Outcome.refused(
          CompShareCodes.PARAMS_NOT_AVAILABLE,
          "Params [UHostIds] not available: at most " + MAX_IDS + " ids per call");
    }
    int offset;
    int limit;
    try {
      offset = p.containsKey("Offset") ? Integer.parseInt(p.get("Offset")) : 0;
      limit = p.containsKey("Limit") ? Integer.parseInt(p.get("Limit")) : 20;
    } catch (NumberFormatException e) {
      return CompShareWorld.Outcome.refused(
          CompShareCodes.PARAMS_NOT_AVAILABLE, "Params [Offset/Limit] not available");
    }
    limit = Math.min(Math.max(limit, 1), 100);
    List<CompShareWorld.Instance> matching = new ArrayList<>();
    for (CompShareWorld.Instance i : world.visibleInstances(zone)) {
      if (wanted.isEmpty() || wanted.contains(i.id)) {
        matching.add(i);
      }
    }
    if (offset < 0 || offset > matching.size()) {
      return CompShareWorld.Outcome.refused(
          CompShareCodes.PARAMS_NOT_AVAILABLE,
          "Params [Offset] not available: it exceeds TotalCount " + matching.size());
    }
    List<Map<String, Object>> set = new ArrayList<>();
    for (CompShareWorld.Instance i :
        matching.subList(offset, Math.min(matching.size(), offset + limit))) {
      set.add(uhost(i, zone));
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("TotalCount", matching.size());
    fields.put("UHostSet", set);
    return CompShareWorld.Outcome.ok(fields, false);
  }

  private Map<String, Object> uhost(CompShareWorld.Instance i, String askedZone) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("UHostId", i.id);
    m.put("Name", i.name);
    m.put("Zone", i.zone != null ? i.zone : askedZone != null ? askedZone : world.region + "-01");
    m.put("State", i.state);
    m.put("ChargeType", i.chargeType);
    m.put("InstanceType", "UHost");
    m.put("MachineType", "G");
    m.put("GpuType", "4090");
    m.put("GPU", 1);
    m.put("CPU", 16);
    m.put("Memory", 65536);
    m.put("IsExpire", "No");
    m.put("AutoRenew", "No");
    List<Map<String, Object>> disks = new ArrayList<>();
    disks.add(disk(i.bootDiskId, true, 100, "vda"));
    char drive = 'b';
    for (CompShareWorld.Disk d : world.dataDisksOf(i.id)) {
      disks.add(disk(d.id, false, d.sizeGb, "vd" + drive++));
    }
    m.put("DiskSet", disks);
    return m;
  }

  private static Map<String, Object> disk(String id, boolean boot, int size, String drive) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("DiskId", id);
    m.put("IsBoot", boot ? "True" : "False");
    m.put("Type", boot ? "Boot" : "Data");
    m.put("DiskType", "CLOUD_SSD");
    m.put("Size", size);
    m.put("Drive", drive);
    m.put("Encrypted", "false");
    return m;
  }

  private SimResponse injected(
      FaultRule f, String action, List<String> ids, Map<String, String> params, String rid) {
    SimResponse broken = broken(f, rid);
    if (broken != null) {
      record(action, ids, params, rid, f.type.name());
      return broken;
    }
    switch (f.type) {
      case HTTP_ERROR -> {
        record(action, ids, params, rid, "HTTP_" + f.httpStatus);
        return SimResponse.json(
            f.httpStatus,
            "{\"error\":\"injected HTTP " + f.httpStatus + "\"}",
            Map.of(REQUEST_ID_HEADER, rid));
      }
      case TIMEOUT -> {
        record(action, ids, params, rid, "TIMEOUT");
        return SimResponse.timeout(f.delayMs);
      }
      default -> {
        int code;
        String message = f.message;
        if (f.code != null && f.code.contains("InstanceOperationInProgress")) {
          code = CompShareCodes.OPERATION_IN_PROGRESS;
          message =
              message != null ? message : "InstanceOperationInProgress: injected, retry after 60s";
        } else {
          try {
            code = f.code == null ? CompShareCodes.INTERNAL_ERROR : Integer.parseInt(f.code.trim());
          } catch (NumberFormatException e) {
            code = CompShareCodes.INTERNAL_ERROR;
            message = message != null ? message : f.code;
          }
        }
        return refuse(
            action, ids, params, rid, code, message != null ? message : "injected error " + code);
      }
    }
  }

  private SimResponse refuse(
      String action,
      List<String> ids,
      Map<String, String> params,
      String rid,
      int code,
      String message) {
    record(action, ids, params, rid, String.valueOf(code));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("RetCode", code);
    if (action != null) {
      body.put("Action", action + "Response");
    }
    body.put("Message", message);
    return answer(body, rid);
  }

  private void record(
      String action, List<String> ids, Map<String, String> params, String rid, String outcome) {
    ledger.record(
        new CallLedger.Call(
            PROVIDER,
            action == null ? "" : action,
            ids,
            outcome,
            false,
            rid,
            clock.instant(),
            recordable(params)));
  }

  private SimResponse answer(Map<String, Object> body, String requestId) {
    SimResponse r = SimResponse.json(200, write(body), Map.of(REQUEST_ID_HEADER, requestId));
    long latency = world.timing("latency");
    return latency > 0 ? r.delayed(latency) : r;
  }

  // ---- parameters
  // ---------------------------------------------------------------------------------------------

  /**
   * The flat body as signed text per key; a body that is not a JSON object yields no parameters.
   */
  static Map<String, String> parse(String body) {
    Map<String, String> out = new TreeMap<>();
    try {
      JsonNode root = JSON.readTree(body);
      if (root != null && root.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          String v = CompShareSignature.valueText(e.getValue());
          if (v != null) {
            out.put(e.getKey(), v);
          }
        }
      }
    } catch (JsonProcessingException e) {
      // unreadable body: no parameters, so the call is refused as Missing Action
    }
    return out;
  }

  /** {@code Key.0, Key.1, ...} in index order. */
  static List<String> indexed(Map<String, String> p, String key) {
    Map<Integer, String> byIndex = new TreeMap<>();
    String prefix = key + ".";
    p.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            try {
              byIndex.put(Integer.parseInt(k.substring(prefix.length())), v);
            } catch (NumberFormatException e) {
              // Key.N.Sub: not a plain list item
            }
          }
        });
    return new ArrayList<>(byIndex.values());
  }

  private static List<String> ids(Map<String, String> p) {
    List<String> ids = new ArrayList<>(indexed(p, "UHostIds"));
    for (String k : List.of("UHostId", "UDiskId")) {
      if (p.get(k) != null) {
        ids.add(p.get(k));
      }
    }
    return ids;
  }

  private static Map<String, String> recordable(Map<String, String> p) {
    Map<String, String> m = new TreeMap<>(p);
    m.remove("Signature");
    m.remove("PublicKey");
    m.remove("Action");
    return m;
  }

  private static String required(Map<String, String> p, String... names) {
    for (String n : names) {
      if (p.get(n) == null || p.get(n).isBlank()) {
        return n;
      }
    }
    return null;
  }

  private static CompShareWorld.Outcome missing(Map<String, String> p, String... names) {
    return CompShareWorld.Outcome.refused(
        CompShareCodes.MISSING_PARAMS, "Missing params [" + required(p, names) + "]");
  }

  private synchronized String nextRequestId() {
    return new UUID(requestIds.nextLong(), requestIds.nextLong()).toString();
  }

  private static String write(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- state
  // --------------------------------------------------------------------------------------------------

  @Override
  public Object state() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("provider", PROVIDER);
    Map<String, Object> w = new LinkedHashMap<>();
    synchronized (world) {
      long now = clock.millis();
      world.advance(now);
      w.put("region", world.region);
      List<Map<String, Object>> instances = new ArrayList<>();
      for (CompShareWorld.Instance i : world.instances.values()) {
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
        instances.add(m);
      }
      List<Map<String, Object>> disks = new ArrayList<>();
      for (CompShareWorld.Disk d : world.disks.values()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id);
        m.put("instanceId", d.instanceId);
        m.put("originalInstanceId", d.originalInstanceId);
        m.put("state", d.state);
        disks.add(m);
      }
      w.put("instances", instances);
      w.put("disks", disks);
    }
    out.put("world", w);
    out.put("ledger", ledger.asMaps());
    return out;
  }

  @Override
  public void attachNewDisk(WorldSpec.Disk disk) {
    synchronized (world) {
      world.advance(clock.millis());
      world.attachNewDisk(disk);
    }
  }

  @Override
  public List<String> orphanedDisks(Collection<String> deletedInstanceIds) {
    synchronized (world) {
      world.advance(clock.millis());
      return world.orphanedDisks(deletedInstanceIds);
    }
  }
}
