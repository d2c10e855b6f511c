package dev.teardown.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What every cloud simulator has: accepted keys, a call ledger and the one place calls are recorded
 * in it ({@link #record}), fault rules, per-action rate limits (documented defaults, then the
 * world's overrides, "*" for all actions), request ids drawn from the seed, JSON writing and the
 * HTTP server. Parameters are read with {@link Params}. A cloud's simulator class runs its request
 * pipeline (authenticate, route, throttle, inject faults, apply, record, answer); its world model
 * and its wire format live in classes of their own. A subclass builds its world and then calls
 * {@link #listen}.
 */
public abstract class SimulatorBase implements CloudSimulator {
  protected final Clock clock;
  protected final Map<String, String> secrets = new HashMap<>();
  protected final CallLedger ledger = new CallLedger();
  protected final FaultInjector faults;
  protected final RateLimits rateLimits;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String provider;
  private final Random requestIds;
  private SimHttpServer server;
  private final List<Consumer<SimRequest>> requestListeners = new CopyOnWriteArrayList<>();

  protected SimulatorBase(
      String provider,
      WorldSpec.CloudWorld spec,
      Clock clock,
      long seed,
      int defaultPerSecond,
      Map<String, Integer> documentedLimits) {
    this.provider = provider;
    this.clock = clock;
    this.requestIds = new Random(seed);
    spec.credentials.forEach(k -> secrets.put(k.id, k.secret));
    this.faults = new FaultInjector(seed);
    spec.faults.forEach(faults::add);
    this.rateLimits = new RateLimits(clock, defaultPerSecond);
    documentedLimits.forEach(rateLimits::set);
    spec.rateLimits.forEach(
        (action, limit) -> {
          if ("*".equals(action)) {
            rateLimits.setDefault(limit);
          } else {
            rateLimits.set(action, limit);
          }
        });
  }

  /** Starts serving; the last thing a subclass constructor does, once its world exists. */
  protected final void listen(String host, int port) {
    try {
      server =
          new SimHttpServer(
              provider,
              host,
              port,
              request -> {
                requestListeners.forEach(l -> l.accept(request));
                return handle(request);
              });
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start the " + provider + " simulator on " + host + ":" + port, e);
    }
  }

  /**
   * The answer of a fault that breaks the transport or the body, the same on every cloud (nothing
   * was applied); null for the other fault types, which each simulator answers in its own envelope.
   */
  protected static SimResponse broken(FaultRule f, String requestId) {
    return switch (f.type) {
      case RESET -> new SimResponse(0, Map.of(), new byte[0], 0, true);
      case TRUNCATED_BODY ->
          new SimResponse(
              200,
              Map.of("Content-Type", "application/json"),
              ("{\"Response\":{\"RequestId\":\""
                      + requestId
                      + "\",\"TotalCount\":1,\"InstanceSet\":[{\"InstanceId\":\"ins-")
                  .getBytes(StandardCharsets.UTF_8),
              0,
              false);
      case NON_JSON_BODY ->
          new SimResponse(
              200,
              Map.of("Content-Type", "text/plain"),
              "upstream connect error or disconnect/reset before headers. reset reason: connection termination"
                  .getBytes(StandardCharsets.UTF_8),
              0,
              false);
      case HTML_PAGE ->
          new SimResponse(
              f.httpStatus,
              Map.of("Content-Type", "text/html"),
              ("<html><head><title>"
                      + f.httpStatus
                      + " Bad Gateway</title></head><body><center><h1>"
                      + f.httpStatus
                      + " Bad Gateway</h1></center><hr><center>nginx</center></body></html>")
                  .getBytes(StandardCharsets.UTF_8),
              0,
              false);
      default -> null;
    };
  }

  /**
   * Records one answered call in the ledger: the action ("" when the request named none), the ids
   * it named, "OK" or the code it was refused with, whether it changed the world, its request id
   * and the parameters worth keeping. Listeners run before the answer goes out.
   */
  protected final void record(
      String action,
      List<String> ids,
      String outcome,
      boolean effective,
      String requestId,
      Map<String, String> params) {
    ledger.record(
        new CallLedger.Call(
            provider,
            action == null ? "" : action,
            List.copyOf(ids),
            outcome,
            effective,
            requestId,
            clock.instant(),
            Collections.unmodifiableMap(new LinkedHashMap<>(params))));
  }

  /** A random UUID from the seeded sequence, the request id format of Tencent and UCloud. */
  protected final synchronized String uuidRequestId() {
    return new UUID(requestIds.nextLong(), requestIds.nextLong()).toString();
  }

  /** {@code prefix} followed by {@code digits} random upper-case hex digits from the seed. */
  protected final synchronized String hexRequestId(String prefix, int digits) {
    StringBuilder sb = new StringBuilder(prefix);
    for (int i = 0; i < digits; i++) {
      sb.append(Character.toUpperCase(Character.forDigit(requestIds.nextInt(16), 16)));
    }
    return sb.toString();
  }

  /** Plain data (maps, lists, Jackson nodes) as JSON text. */
  public static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The answer of {@code GET /_sim/state}: {@link #state()} as JSON. */
  protected final SimResponse stateResponse() {
    return SimResponse.json(200, toJson(state()));
  }

  /** Answers one HTTP request, including {@code GET /_sim/state}. */
  protected abstract SimResponse handle(SimRequest request);

  @Override
  public String provider() {
    return provider;
  }

  @Override
  public URI endpoint() {
    return server.uri();
  }

  @Override
  public CallLedger ledger() {
    return ledger;
  }

  @Override
  public FaultInjector faults() {
    return faults;
  }

  /**
   * Adds a listener told of every request as it arrives, on the server's thread, before the cloud
   * looks at it: a listener that blocks keeps the request in flight, not yet applied (crash tests
   * kill the operator then).
   */
  public void onRequest(Consumer<SimRequest> listener) {
    requestListeners.add(listener);
  }

  /** Per-action request limits, adjustable while running. */
  public RateLimits rateLimits() {
    return rateLimits;
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
