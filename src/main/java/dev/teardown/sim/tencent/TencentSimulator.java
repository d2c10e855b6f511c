package dev.teardown.sim.tencent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.teardown.sim.FaultRule;
import dev.teardown.sim.Params;
import dev.teardown.sim.SimRequest;
import dev.teardown.sim.SimResponse;
import dev.teardown.sim.SimulatorBase;
import dev.teardown.sim.WorldSpec;
import java.time.Clock;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Tencent Cloud CVM + CBS (API 3.0, Version 2017-03-12) on one loopback HTTP port. Both products
 * share the port and are told apart by X-TC-Action, because the SDK sends the endpoint override as
 * Host for both. Every request's TC3-HMAC-SHA256 signature is recomputed; errors use Tencent's
 * envelope (HTTP 200, {@code {"Response":{"Error":{"Code","Message"},"RequestId"}}}); every call,
 * refused ones included, goes into the ledger. {@code GET /_sim/state} answers the world and the
 * ledger as JSON.
 *
 * <p>This class runs the request pipeline (authenticate, check version and action, throttle, inject
 * faults, apply, record, answer). The world model is {@link TencentWorld} with the actions of
 * {@link TencentCvm} and {@link TencentCbs}; the wire format is {@link TencentRequests} (signature,
 * parameters, paging) and {@link TencentResponses} (envelopes and Describe answers).
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

  private final TencentWorld world;
  private final TencentCvm cvm;
  private final TencentCbs cbs;
  private final Object lock = new Object();

  /**
   * Starts the simulator.
   *
   * @param port 0 for an ephemeral port
   */
  public TencentSimulator(
      WorldSpec.CloudWorld spec, Clock clock, long seed, String host, int port) {
    super(PROVIDER, spec, clock, seed, 0, DEFAULT_RATE_LIMITS);
    this.world = new TencentWorld(spec, clock.millis());
    this.cvm = new TencentCvm(world);
    this.cbs = new TencentCbs(world);
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
      return stateResponse();
    }
    String action = req.header("X-TC-Action");
    JsonNode body = TencentRequests.parse(req.body());
    List<String> ids = body == null ? List.of() : TencentRequests.idsOf(body);
    Map<String, String> params = body == null ? Map.of() : TencentRequests.ledgerFlags(body);
    String requestId = uuidRequestId();
    try {
      if (action == null || action.isBlank()) {
        throw TencentRequests.ERRORS.missing("X-TC-Action");
      }
      TencentRequests.authenticate(req, secrets, clock);
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
      Map<String, String> ledgerParams = new LinkedHashMap<>(params);
      ObjectNode fields;
      long latency;
      synchronized (lock) {
        long now = clock.millis();
        world.settle(now);
        boolean visible =
            world.region() == null || world.region().equals(req.header("X-TC-Region"));
        fields = apply(action, body, visible, requestId, now, ledgerParams);
        latency = world.timing("latency");
      }
      if (fault.isPresent()) {
        ledgerParams.put("fault", "TIMEOUT_AFTER_APPLY");
      }
      boolean effective =
          !action.startsWith("Describe"); // every accepted mutation changes the world
      record(action, ids, "OK", effective, requestId, ledgerParams);
      SimResponse ok = TencentResponses.ok(fields, requestId);
      if (fault.isPresent()) {
        // Applied, but the answer is lost: the client times out or sees the connection close.
        return new SimResponse(ok.status(), ok.headers(), ok.body(), fault.get().delayMs, true);
      }
      return ok.delayed(latency);
    } catch (TencentApiError e) {
      record(action, ids, e.code(), false, requestId, params);
      return TencentResponses.error(e.code(), e.getMessage(), requestId);
    }
  }

  /**
   * Reads the action's parameters, applies it to the world and answers its response fields; adds
   * what a mutating call did to {@code ledger}.
   */
  private ObjectNode apply(
      String action,
      JsonNode body,
      boolean visible,
      String requestId,
      long now,
      Map<String, String> ledger) {
    Params p = TencentRequests.params(body);
    switch (action) {
      case "DescribeInstances" -> {
        List<String> ids = p.list("InstanceIds");
        var filters = TencentRequests.filters(body, TencentCvm.INSTANCE_FILTERS);
        return TencentResponses.instances(
            world, cvm.describeInstances(ids, filters, visible), TencentRequests.Page.of(p));
      }
      case "DescribeInstancesStatus" -> {
        List<String> ids = p.list("InstanceIds");
        return TencentResponses.statuses(
            cvm.describeInstancesStatus(ids, visible), TencentRequests.Page.of(p));
      }
      case "TerminateInstances" -> {
        List<String> ids = TencentRequests.distinct(p.requiredList("InstanceIds"));
        put(
            ledger,
            cvm.terminateInstances(
                ids, p.bool("ReleasePrepaidDataDisks", false), visible, requestId, now));
        return TencentResponses.empty();
      }
      case "DescribeDisks" -> {
        List<String> ids = p.list("DiskIds");
        var filters = TencentRequests.filters(body, TencentCbs.DISK_FILTERS);
        return TencentResponses.disks(
            world, cbs.describeDisks(ids, filters, visible), TencentRequests.Page.of(p));
      }
      case "DetachDisks" -> {
        List<String> ids = TencentRequests.distinct(p.requiredList("DiskIds"));
        String onInstance = cbs.detachDisks(ids, p.text("InstanceId"), visible, now);
        if (onInstance != null) {
          ledger.put("InstanceId", onInstance);
        }
        return TencentResponses.empty();
      }
      case "TerminateDisks" -> {
        List<String> ids = TencentRequests.distinct(p.requiredList("DiskIds"));
        put(ledger, cbs.terminateDisks(ids, visible));
        return TencentResponses.empty();
      }
      default -> throw new IllegalStateException(action);
    }
  }

  /**
   * What a terminate call did, as the ledger shows it: Terminated, Recycled, {@link #DESTROYED}.
   */
  private static void put(Map<String, String> ledger, TencentWorld.Released released) {
    putIds(ledger, "Terminated", released.terminated());
    putIds(ledger, "Recycled", released.recycled());
    putIds(ledger, DESTROYED, released.destroyed());
  }

  private static void putIds(Map<String, String> ledger, String key, List<String> ids) {
    if (!ids.isEmpty()) {
      ledger.put(key, String.join(",", ids));
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
        return TencentResponses.error(
            code, f.message == null ? "Injected error." : f.message, requestId);
      }
      case HTTP_ERROR -> {
        record(action, ids, "HTTP " + f.httpStatus, false, requestId, ledgerParams);
        return TencentResponses.httpErrorPage(f);
      }
      default -> {
        record(action, ids, "TIMEOUT", false, requestId, ledgerParams);
        return SimResponse.timeout(f.delayMs);
      }
    }
  }
}
