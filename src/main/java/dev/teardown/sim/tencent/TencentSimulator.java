package dev.teardown.sim.tencent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.FaultRule;
import dev.teardown.sim.SimRequest;
import dev.teardown.sim.SimResponse;
import dev.teardown.sim.SimulatorBase;
import dev.teardown.sim.WorldSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * Tencent Cloud CVM + CBS (API 3.0, Version 2017-03-12) on one loopback HTTP port. Both products
 * share the port and are told apart by X-TC-Action, because the SDK sends the endpoint override as
 * Host for both. Every request's TC3-HMAC-SHA256 signature is recomputed; errors use Tencent's
 * envelope (HTTP 200, {@code {"Response":{"Error":{"Code","Message"},"RequestId"}}}); every call,
 * refused ones included, goes into the ledger. {@code GET /_sim/state} answers the world and the
 * ledger as JSON.
 *
 * <p>The irreversible second TerminateInstances / TerminateDisks on something in the recycle bin is
 * recorded in the ledger under the {@link #DESTROYED} parameter, so tests can prove it only happens
 * on purpose.
 */
public final class TencentSimulator extends SimulatorBase {
  public static final String PROVIDER = "tencentcloud";
  public static final String API_VERSION = "2017-03-12";

  /** Ledger parameter listing the ids a call destroyed out of the recycle bin (comma-separated). */
  public static final String DESTROYED = "Destroyed";

  /**
   * Documented default requests per second per action; world rateLimits override them (0 = no
   * limit).
   */
  static final Map<String, Integer> DEFAULT_RATE_LIMITS =
      Map.of(
          "TerminateInstances", 10,
          "TerminateDisks", 20,
          "DetachDisks", 20,
          "DescribeInstances", 40,
          "DescribeInstancesStatus", 40,
          "DescribeDisks", 40);

  private static final Set<String> ACTIONS = DEFAULT_RATE_LIMITS.keySet();
  private static final long MAX_CLOCK_SKEW_SECONDS = 300;

  private final ObjectMapper json = new ObjectMapper();
  private final Random random;
  private final TencentWorld world;
  private final Object lock = new Object();

  /**
   * Starts the simulator.
   *
   * @param port 0 for an ephemeral port
   */
  public TencentSimulator(
      WorldSpec.CloudWorld spec, Clock clock, long seed, String host, int port) {
    super(PROVIDER, spec, clock, seed, 0, DEFAULT_RATE_LIMITS);
    this.random = new Random(seed);
    this.world = new TencentWorld(spec, json, clock.millis());
    listen(host, port);
  }

  /** Effective calls that destroyed this instance or disk out of the recycle bin. */
  public long destroyCalls(String id) {
    return ledger
        .matching(
            c ->
                c.effective()
                    && c.params().containsKey(DESTROYED)
                    && Arrays.asList(c.params().get(DESTROYED).split(",")).contains(id))
        .size();
  }

  @Override
  public Object state() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("provider", PROVIDER);
    s.put("endpoint", endpoint().toString());
    synchronized (lock) {
      world.settle(clock.millis());
      s.put("world", world.state());
    }
    s.put("rateLimits", rateLimits.limits());
    s.put("ledger", ledger.asMaps());
    return s;
  }

  @Override
  public List<String> orphanedDisks(Collection<String> deletedInstanceIds) {
    synchronized (lock) {
      world.settle(clock.millis());
      return world.orphanedDisks(deletedInstanceIds);
    }
  }

  @Override
  public void attachNewDisk(WorldSpec.Disk disk) {
    synchronized (lock) {
      world.settle(clock.millis());
      world.attachNewDisk(disk);
    }
  }

  // ---------------------------------------------------------------- request handling

  @Override
  protected SimResponse handle(SimRequest req) {
    if ("GET".equals(req.method()) && "/_sim/state".equals(req.uri().getPath())) {
      try {
        return SimResponse.json(200, json.writeValueAsString(state()));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    String action = req.header("X-TC-Action");
    JsonNode body = parse(req.body());
    List<String> ids = body == null ? List.of() : idsOf(body);
    Map<String, String> params = body == null ? Map.of() : requestFlags(body);
    String requestId;
    synchronized (lock) {
      requestId = new UUID(random.nextLong(), random.nextLong()).toString();
    }
    String ledgerAction = action == null ? "" : action;
    try {
      if (action == null || action.isBlank()) {
        throw new TencentApiError(
            "MissingParameter", "The request is missing a required parameter `X-TC-Action`.");
      }
      authenticate(req);
      if (!API_VERSION.equals(req.header("X-TC-Version"))) {
        throw new TencentApiError(
            "NoSuchVersion",
            "The API version `" + req.header("X-TC-Version") + "` does not exist.");
      }
      if (!ACTIONS.contains(action)) {
        throw new TencentApiError(
            "InvalidAction", "The API action `" + action + "` does not exist.");
      }
      if (!"POST".equals(req.method())) {
        // The SDK posts JSON by default; form-style GET requests are not simulated.
        throw new TencentApiError(
            "UnsupportedProtocol", "This simulator only accepts POST with a JSON body.");
      }
      if (body == null || !body.isObject()) {
        throw new TencentApiError("InvalidParameter", "The request body is not a JSON object.");
      }
      if (!rateLimits.tryAcquire(action)) {
        throw new TencentApiError(
            "RequestLimitExceeded",
            "Your request rate for `"
                + action
                + "` exceeds the limit; please reduce the frequency of calls.");
      }
      Optional<FaultRule> fault = faults.match(action, ids);
      if (fault.isPresent() && fault.get().type != FaultRule.Type.TIMEOUT_AFTER_APPLY) {
        return injected(fault.get(), action, ids, params, requestId);
      }
      TencentWorld.Applied applied;
      long latency;
      synchronized (lock) {
        long now = clock.millis();
        world.settle(now);
        boolean visible =
            world.region() == null || world.region().equals(req.header("X-TC-Region"));
        applied =
            switch (action) {
              case "DescribeInstances" -> world.describeInstances(body, visible);
              case "DescribeInstancesStatus" -> world.describeInstancesStatus(body, visible);
              case "TerminateInstances" -> world.terminateInstances(body, visible, requestId, now);
              case "DescribeDisks" -> world.describeDisks(body, visible);
              case "DetachDisks" -> world.detachDisks(body, visible, now);
              case "TerminateDisks" -> world.terminateDisks(body, visible);
              default -> throw new IllegalStateException(action);
            };
        latency = world.timing("latency");
      }
      Map<String, String> ledgerParams = new LinkedHashMap<>(params);
      ledgerParams.putAll(applied.ledgerParams());
      if (fault.isPresent()) {
        ledgerParams.put("fault", "TIMEOUT_AFTER_APPLY");
      }
      record(action, ids, "OK", applied.effective(), requestId, ledgerParams);
      ObjectNode response = applied.fields();
      response.put("RequestId", requestId);
      SimResponse ok = envelope(response);
      if (fault.isPresent()) {
        // Applied, but the answer is lost: the client times out or sees the connection close.
        return new SimResponse(ok.status(), ok.headers(), ok.body(), fault.get().delayMs, true);
      }
      return ok.delayed(latency);
    } catch (TencentApiError e) {
      record(ledgerAction, ids, e.code(), false, requestId, params);
      return error(e.code(), e.getMessage(), requestId);
    }
  }

  private SimResponse injected(
      FaultRule f, String action, List<String> ids, Map<String, String> params, String requestId) {
    Map<String, String> ledgerParams = new LinkedHashMap<>(params);
    ledgerParams.put("fault", f.type.name());
    SimResponse broken = broken(f, requestId);
    if (broken != null) {
      record(action, ids, f.type.name(), false, requestId, ledgerParams);
      return broken;
    }
    switch (f.type) {
      case ERROR -> {
        String code = f.code == null ? "InternalError" : f.code;
        record(action, ids, code, false, requestId, ledgerParams);
        return error(code, f.message == null ? "Injected error." : f.message, requestId);
      }
      case HTTP_ERROR -> {
        record(action, ids, "HTTP " + f.httpStatus, false, requestId, ledgerParams);
        byte[] page =
            ("<html><body><h1>" + f.httpStatus + "</h1></body></html>")
                .getBytes(StandardCharsets.UTF_8);
        return new SimResponse(f.httpStatus, Map.of("Content-Type", "text/html"), page, 0, false);
      }
      default -> {
        record(action, ids, "TIMEOUT", false, requestId, ledgerParams);
        return SimResponse.timeout(f.delayMs);
      }
    }
  }

  /**
   * Verifies the request as Tencent's gateway does; throws the gateway's AuthFailure code on any
   * mismatch.
   */
  private void authenticate(SimRequest req) {
    Tc3Signature.Authorization auth = Tc3Signature.Authorization.parse(req.header("Authorization"));
    if (auth == null) {
      throw new TencentApiError(
          "AuthFailure.InvalidAuthorization",
          "The `Authorization` header is missing or malformed.");
    }
    long ts;
    try {
      ts = Long.parseLong(req.header("X-TC-Timestamp"));
    } catch (NumberFormatException e) {
      throw new TencentApiError(
          "MissingParameter", "The request is missing a valid `X-TC-Timestamp`.");
    }
    long now = clock.millis() / 1000;
    if (Math.abs(now - ts) > MAX_CLOCK_SKEW_SECONDS) {
      throw new TencentApiError(
          "AuthFailure.SignatureExpire",
          "Signature expired: timestamp "
              + ts
              + " is more than 5 minutes away from server time "
              + now
              + ".");
    }
    String secretKey = secrets.get(auth.secretId());
    if (secretKey == null) {
      throw new TencentApiError(
          "AuthFailure.SecretIdNotFound", "The SecretId is not found; check it and try again.");
    }
    String host = req.header("Host");
    Map<String, String> signed = new LinkedHashMap<>();
    for (String name : auth.signedHeaders().split(";")) {
      String value = req.header(name);
      if (value == null) {
        throw new TencentApiError(
            "AuthFailure.SignatureFailure", "The signed header `" + name + "` is missing.");
      }
      signed.put(name.toLowerCase(Locale.ROOT), value);
    }
    if (host == null || !signed.containsKey("host") || !signed.containsKey("content-type")) {
      throw new TencentApiError(
          "AuthFailure.SignatureFailure", "`host` and `content-type` must be signed.");
    }
    String payloadHash =
        "UNSIGNED-PAYLOAD".equals(req.header("X-TC-Content-SHA256"))
            ? Tc3Signature.sha256Hex("UNSIGNED-PAYLOAD".getBytes(StandardCharsets.UTF_8))
            : Tc3Signature.sha256Hex(req.body());
    String query = req.uri().getRawQuery() == null ? "" : req.uri().getRawQuery();
    String expected =
        Tc3Signature.expected(
            secretKey, req.method(), query, signed, payloadHash, ts, Tc3Signature.serviceOf(host));
    if (!Tc3Signature.matches(expected, auth.signature())) {
      throw new TencentApiError(
          "AuthFailure.SignatureFailure",
          "The provided credentials could not be validated. Please check your signature is correct.");
    }
  }

  private JsonNode parse(byte[] body) {
    if (body.length == 0) {
      return json.createObjectNode();
    }
    try {
      return json.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  /** The ids a call names, for the ledger and for targeted faults. */
  private static List<String> idsOf(JsonNode body) {
    List<String> ids = new ArrayList<>();
    for (String field : List.of("InstanceIds", "DiskIds")) {
      body.path(field).forEach(v -> ids.add(v.asText()));
    }
    body.path("Filters")
        .forEach(
            f -> {
              String name = f.path("Name").asText();
              if (name.equals("instance-id") || name.equals("disk-id")) {
                f.path("Values").forEach(v -> ids.add(v.asText()));
              }
            });
    return ids;
  }

  private static Map<String, String> requestFlags(JsonNode body) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String f : List.of("ReleasePrepaidDataDisks", "ReleaseAddress", "InstanceId")) {
      if (body.hasNonNull(f)) {
        out.put(f, body.get(f).asText());
      }
    }
    return out;
  }

  private void record(
      String action,
      List<String> ids,
      String outcome,
      boolean effective,
      String requestId,
      Map<String, String> params) {
    ledger.record(
        new CallLedger.Call(
            PROVIDER,
            action,
            List.copyOf(ids),
            outcome,
            effective,
            requestId,
            clock.instant(),
            Map.copyOf(params)));
  }

  private SimResponse envelope(ObjectNode response) {
    ObjectNode root = json.createObjectNode();
    root.set("Response", response);
    try {
      return SimResponse.json(200, json.writeValueAsString(root));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private SimResponse error(String code, String message, String requestId) {
    ObjectNode response = json.createObjectNode();
    response.putObject("Error").put("Code", code).put("Message", message);
    response.put("RequestId", requestId);
    return envelope(response);
  }
}
