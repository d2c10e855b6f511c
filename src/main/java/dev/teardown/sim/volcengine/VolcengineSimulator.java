package dev.teardown.sim.volcengine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.FaultRule;
import dev.teardown.sim.SimRequest;
import dev.teardown.sim.SimResponse;
import dev.teardown.sim.SimulatorBase;
import dev.teardown.sim.WorldSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A wire-level simulator of Volcengine ECS and EBS (OpenAPI version 2020-04-01, services {@code
 * ecs} and {@code storage_ebs}) as volcengine-java-sdk-core's UniversalApi calls them: {@code GET
 * /?Action=..&Version=..&params} signed with HMAC-SHA256, answered with {@code
 * {"ResponseMetadata":{...[,"Error"]},"Result":{...}}}.
 *
 * <p>Actions: ecs DescribeInstances, DeleteInstances; storage_ebs DescribeVolumes, DetachVolume,
 * DeleteVolume. DeleteInstances and DeleteVolume honour ClientToken: the same token with the same
 * parameters replays the recorded answer without a second effect; the same token with other
 * parameters is IdempotentParameterMismatch. Choices where the vendor documents nothing (each is a
 * guess, kept in one place here): an unexpired PrePaid instance is refused per instance with {@code
 * InvalidInstanceChargeType}, a protected one with {@code OperationDenied.DeletionProtection}; a
 * volume with DeleteWithInstance=false survives its instance as {@code available}; a system volume
 * cannot be detached ({@code OperationDenied.SystemVolume}); a PrePaid or system volume cannot be
 * deleted ({@code VolumeStatusForbidDelete}); every action allows 20 requests per second unless the
 * world says otherwise; X-Date must be within 15 minutes of the simulator's clock.
 *
 * <p>Also answers {@code GET /_sim/state} with the world and the call ledger as JSON.
 */
public final class VolcengineSimulator extends SimulatorBase {

  public static final String PROVIDER = "volcengine";
  public static final String API_VERSION = "2020-04-01";
  public static final int DEFAULT_RATE_LIMIT_PER_SECOND = 20;
  static final int MAX_IDS = 100;
  static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(15);
  static final Map<String, String> SERVICE_OF_ACTION =
      Map.of(
          "DescribeInstances", "ecs",
          "DeleteInstances", "ecs",
          "DescribeVolumes", "storage_ebs",
          "DetachVolume", "storage_ebs",
          "DeleteVolume", "storage_ebs");
  private static final DateTimeFormatter X_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
  private static final DateTimeFormatter REQUEST_ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

  private final Object lock = new Object();
  private final VolcengineWorld world;
  private final Random random;
  private final Map<String, Recorded> tokens = new HashMap<>();
  private final ObjectMapper json = new ObjectMapper();

  /** An answer recorded under a ClientToken. */
  private record Recorded(String fingerprint, Map<String, Object> result) {}

  /** Everything about one request the handlers need. */
  private record Call(
      String action,
      String version,
      String service,
      String region,
      String requestId,
      Map<String, String> params,
      List<String> ids,
      String accessKeyId) {}

  public VolcengineSimulator(
      WorldSpec.CloudWorld spec, Clock clock, long seed, String host, int port) {
    super(PROVIDER, spec, clock, seed, DEFAULT_RATE_LIMIT_PER_SECOND, Map.of());
    this.world = new VolcengineWorld(spec, clock);
    this.random = new Random(seed);
    listen(host, port);
  }

  /** The region the fleet lives in; requests signed for another region see an empty world. */
  public String region() {
    return world.region;
  }

  /** The instance's status now, or empty when it no longer exists. */
  public Optional<String> instanceStatus(String id) {
    synchronized (lock) {
      world.advance();
      VolcengineWorld.Instance i = world.instances.get(id);
      return i == null ? Optional.empty() : Optional.of(i.status);
    }
  }

  /** The volume's status now, or empty when it no longer exists. */
  public Optional<String> volumeStatus(String id) {
    synchronized (lock) {
      world.advance();
      VolcengineWorld.Volume v = world.volumes.get(id);
      return v == null ? Optional.empty() : Optional.of(v.status);
    }
  }

  /** The id of the system volume the simulator gives every instance. */
  public static String systemVolumeId(String instanceId) {
    return VolcengineWorld.systemVolumeId(instanceId);
  }

  @Override
  public Object state() {
    synchronized (lock) {
      world.advance();
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("provider", PROVIDER);
      s.put("now", clock.instant().toString());
      s.put("world", world.snapshot());
      s.put("ledger", ledger.asMaps());
      s.put("rateLimits", rateLimits.limits());
      return s;
    }
  }

  @Override
  public void attachNewDisk(WorldSpec.Disk disk) {
    synchronized (lock) {
      world.advance();
      world.attachNewVolume(disk);
    }
  }

  @Override
  public List<String> orphanedDisks(Collection<String> deletedInstanceIds) {
    synchronized (lock) {
      world.advance();
      return world.orphanedDisks(deletedInstanceIds);
    }
  }

  // ------------------------------------------------------------------------------------------------ HTTP

  @Override
  protected SimResponse handle(SimRequest req) {
    if ("/_sim/state".equals(req.uri().getPath())) {
      return SimResponse.json(200, write(state()));
    }
    Map<String, String> params = VolcengineSignature.decodeQuery(req.uri().getRawQuery());
    String action = params.getOrDefault("Action", "");
    VolcengineSignature.Authorization auth = VolcengineSignature.parse(req.header("authorization"));
    synchronized (lock) {
      Call call =
          new Call(
              action,
              params.getOrDefault("Version", ""),
              auth != null ? auth.service() : SERVICE_OF_ACTION.getOrDefault(action, ""),
              auth != null ? auth.region() : world.region,
              newRequestId(),
              ledgerParams(params),
              idsOf(action, params),
              auth == null ? null : auth.accessKeyId());
      FaultRule afterApply = null;
      try {
        authenticate(req, params, auth);
        route(call);
        Optional<FaultRule> fault = faults.match(action, call.ids());
        if (fault.isPresent()) {
          FaultRule f = fault.get();
          switch (f.type) {
            case ERROR ->
                throw VolcengineApiError.of(
                    f.code, f.message != null ? f.message : "Injected fault " + f.code + ".");
            case HTTP_ERROR -> {
              String code =
                  f.code != null ? f.code : VolcengineApiError.codeForStatus(f.httpStatus);
              throw new VolcengineApiError(
                  f.httpStatus,
                  code,
                  f.message != null ? f.message : "Injected HTTP " + f.httpStatus + ".");
            }
            case TIMEOUT -> {
              record(call, "Timeout", false);
              return SimResponse.timeout(f.delayMs);
            }
            case TIMEOUT_AFTER_APPLY -> afterApply = f;
            default -> {
              record(call, f.type.name(), false);
              return broken(f, call.requestId());
            }
          }
        }
        if (!rateLimits.tryAcquire(action)) {
          throw VolcengineApiError.of(
              "FlowLimitExceeded", "Request was denied due to request throttling.");
        }
        VolcengineWorld.Outcome outcome = apply(call, params);
        record(call, "OK", outcome.effective());
        if (afterApply != null) {
          return SimResponse.timeout(afterApply.delayMs); // the cloud did it; the answer is lost
        }
        return SimResponse.json(200, write(envelope(call, null, outcome.result())));
      } catch (VolcengineApiError e) {
        record(call, e.code, false);
        if (afterApply != null) {
          return SimResponse.timeout(afterApply.delayMs);
        }
        return SimResponse.json(e.status, write(envelope(call, e, null)));
      }
    }
  }

  private void authenticate(
      SimRequest req, Map<String, String> params, VolcengineSignature.Authorization auth) {
    if (req.header("authorization") == null) {
      throw VolcengineApiError.of(
          "MissingSignature", "The request must contain an Authorization header.");
    }
    if (auth == null) {
      throw VolcengineApiError.of("MissingSignature", "The Authorization header is malformed.");
    }
    String secret = secrets.get(auth.accessKeyId());
    if (secret == null) {
      throw VolcengineApiError.of(
          "InvalidAccessKey", "The AccessKeyId you provided does not exist in our records.");
    }
    String xDate = req.header("x-date");
    Instant signedAt;
    try {
      signedAt = LocalDateTime.parse(xDate == null ? "" : xDate, X_DATE).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw VolcengineApiError.of("InvalidTimestamp", "The X-Date header is missing or malformed.");
    }
    if (Duration.between(signedAt, clock.instant()).abs().compareTo(MAX_CLOCK_SKEW) > 0) {
      throw VolcengineApiError.of(
          "InvalidTimestamp", "The request timestamp is too far from the server time.");
    }
    String canonical =
        VolcengineSignature.canonicalRequest(
            req.method(),
            req.uri().getRawPath(),
            params,
            auth.signedHeaders(),
            req::header,
            req.body());
    String expected =
        VolcengineSignature.sign(
            secret,
            auth.date(),
            auth.region(),
            auth.service(),
            VolcengineSignature.stringToSign(xDate, auth.scope(), canonical));
    if (!xDate.startsWith(auth.date())
        || !VolcengineSignature.matches(expected, auth.signature())) {
      throw VolcengineApiError.of(
          "SignatureDoesNotMatch",
          "The request signature we calculated does not match the signature you provided. Check your Secret Access "
              + "Key and signing method. Consult the service documentation for details.");
    }
  }

  private static void route(Call call) {
    if (!call.service().equals("ecs") && !call.service().equals("storage_ebs")) {
      throw VolcengineApiError.of(
          "ServiceNotFound", "The service " + call.service() + " does not exist.");
    }
    if (!call.service().equals(SERVICE_OF_ACTION.get(call.action()))
        || !API_VERSION.equals(call.version())) {
      throw VolcengineApiError.of(
          "InvalidActionOrVersion",
          "Could not find operation "
              + call.action()
              + " for version "
              + call.version()
              + " of "
              + call.service()
              + ".");
    }
  }

  private VolcengineWorld.Outcome apply(Call call, Map<String, String> params) {
    world.advance();
    boolean visible = world.region.equals(call.region());
    String token = params.get("ClientToken");
    boolean idempotent =
        token != null
            && !token.isEmpty()
            && (call.action().equals("DeleteInstances") || call.action().equals("DeleteVolume"));
    String tokenKey = null;
    String fingerprint = null;
    if (idempotent) {
      if (token.length() > 64 || !token.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
        throw VolcengineApiError.of(
            "InvalidClientToken.Malformed", "The specified ClientToken is malformed.");
      }
      tokenKey = call.accessKeyId() + "|" + call.action() + "|" + token;
      Map<String, String> fp = new TreeMap<>(call.params());
      fp.remove("ClientToken");
      fingerprint = fp.toString();
      Recorded r = tokens.get(tokenKey);
      if (r != null) {
        if (!r.fingerprint().equals(fingerprint)) {
          throw VolcengineApiError.of(
              "IdempotentParameterMismatch",
              "The request uses the same client token as a previous, but non-identical request. Do not reuse a "
                  + "client token with different requests, unless the requests are identical.");
        }
        return new VolcengineWorld.Outcome(r.result(), false);
      }
    }
    VolcengineWorld.Outcome outcome =
        switch (call.action()) {
          case "DescribeInstances" -> {
            List<String> ids = listParam(params, "InstanceIds");
            if (ids.size() > MAX_IDS) {
              throw VolcengineApiError.of(
                  "InvalidArgument", "At most 100 InstanceIds may be given.");
            }
            int max = intParam(params, "MaxResults", 10, 1, 100, "InvalidArgument");
            yield world.describeInstances(
                ids, max, params.get("NextToken"), params.get("Status"), visible);
          }
          case "DeleteInstances" -> {
            List<String> ids = listParam(params, "InstanceIds");
            if (ids.isEmpty()) {
              throw VolcengineApiError.of(
                  "MissingParameter", "The parameter InstanceIds is required.");
            }
            if (ids.size() > MAX_IDS) {
              throw VolcengineApiError.of(
                  "InvalidArgument", "At most 100 InstanceIds may be given.");
            }
            yield world.deleteInstances(ids, visible);
          }
          case "DescribeVolumes" -> {
            List<String> ids = listParam(params, "VolumeIds");
            if (ids.size() > MAX_IDS) {
              throw VolcengineApiError.of(
                  "InvalidParameter", "At most 100 VolumeIds may be given.");
            }
            String kind = params.get("Kind");
            if (kind != null && !kind.isEmpty() && !kind.equals("system") && !kind.equals("data")) {
              throw VolcengineApiError.of("InvalidParameter", "Kind must be system or data.");
            }
            int page = intParam(params, "PageNumber", 1, 1, Integer.MAX_VALUE, "InvalidParameter");
            int size = intParam(params, "PageSize", 15, 1, 100, "InvalidParameter");
            yield world.describeVolumes(
                ids,
                params.get("InstanceId"),
                kind,
                params.get("VolumeStatus"),
                page,
                size,
                visible);
          }
          case "DetachVolume" ->
              world.detachVolume(
                  required(params, "VolumeId", "MissingParameter"),
                  required(params, "InstanceId", "MissingParameter"),
                  visible);
          case "DeleteVolume" ->
              world.deleteVolume(required(params, "VolumeId", "MissingVolumeID"), visible);
          default -> throw new IllegalStateException("routed an unknown action " + call.action());
        };
    if (idempotent) {
      tokens.put(tokenKey, new Recorded(fingerprint, outcome.result()));
    }
    return outcome;
  }

  private Map<String, Object> envelope(
      Call call, VolcengineApiError error, Map<String, Object> result) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("RequestId", call.requestId());
    meta.put("Action", call.action());
    meta.put("Version", call.version());
    meta.put("Service", call.service());
    meta.put("Region", call.region());
    if (error != null) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("Code", error.code);
      if (error.codeN != null) {
        e.put("CodeN", error.codeN);
      }
      e.put("Message", error.getMessage());
      meta.put("Error", e);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ResponseMetadata", meta);
    if (result != null) {
      body.put("Result", result);
    }
    return body;
  }

  private void record(Call call, String outcome, boolean effective) {
    ledger.record(
        new CallLedger.Call(
            PROVIDER,
            call.action(),
            call.ids(),
            outcome,
            effective,
            call.requestId(),
            clock.instant(),
            call.params()));
  }

  private String newRequestId() {
    StringBuilder sb = new StringBuilder(REQUEST_ID_TIME.format(clock.instant()));
    for (int i = 0; i < 18; i++) {
      sb.append(Character.toUpperCase(Character.forDigit(random.nextInt(16), 16)));
    }
    return sb.toString();
  }

  private String write(Object o) {
    try {
      return json.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------------------------------------ parameters

  /**
   * Request parameters as the ledger keeps them: without the empty-name parameter UniversalApi
   * adds.
   */
  private static Map<String, String> ledgerParams(Map<String, String> params) {
    Map<String, String> m = new LinkedHashMap<>(params);
    m.remove("");
    return Map.copyOf(m);
  }

  /** The instance and volume ids a call names, for the ledger and for fault targeting. */
  static List<String> idsOf(String action, Map<String, String> params) {
    List<String> ids = new ArrayList<>();
    try {
      collectIds(action, params, ids);
    } catch (VolcengineApiError malformed) {
      // the call is refused later with this error; the ledger keeps the ids that could be read
    }
    return List.copyOf(ids);
  }

  private static void collectIds(String action, Map<String, String> params, List<String> ids) {
    switch (action) {
      case "DescribeInstances", "DeleteInstances" -> ids.addAll(listParam(params, "InstanceIds"));
      case "DescribeVolumes" -> {
        ids.addAll(listParam(params, "VolumeIds"));
        Optional.ofNullable(params.get("InstanceId")).filter(s -> !s.isEmpty()).ifPresent(ids::add);
      }
      case "DetachVolume", "DeleteVolume" -> {
        Optional.ofNullable(params.get("VolumeId")).filter(s -> !s.isEmpty()).ifPresent(ids::add);
        Optional.ofNullable(params.get("InstanceId")).filter(s -> !s.isEmpty()).ifPresent(ids::add);
      }
      default -> {}
    }
  }

  /** {@code Name.1, Name.2, ...} in index order. */
  static List<String> listParam(Map<String, String> params, String name) {
    TreeMap<Integer, String> byIndex = new TreeMap<>();
    String prefix = name + ".";
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        try {
          byIndex.put(Integer.parseInt(e.getKey().substring(prefix.length())), e.getValue());
        } catch (NumberFormatException ignored) {
          throw VolcengineApiError.of(
              "InvalidArgument", "The parameter " + e.getKey() + " is invalid.");
        }
      }
    }
    return new ArrayList<>(new TreeSet<>(byIndex.keySet()).stream().map(byIndex::get).toList());
  }

  private static int intParam(
      Map<String, String> params, String name, int def, int min, int max, String code) {
    String v = params.get(name);
    if (v == null || v.isEmpty()) {
      return def;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw VolcengineApiError.of(
            code, "The parameter " + name + " must be between " + min + " and " + max + ".");
      }
      return n;
    } catch (NumberFormatException e) {
      throw VolcengineApiError.of(code, "The parameter " + name + " is not a number.");
    }
  }

  private static String required(Map<String, String> params, String name, String code) {
    String v = params.get(name);
    if (v == null || v.isEmpty()) {
      throw VolcengineApiError.of(code, "The parameter " + name + " is required.");
    }
    return v;
  }
}
