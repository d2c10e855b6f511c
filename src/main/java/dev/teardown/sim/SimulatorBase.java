package dev.teardown.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What every cloud simulator has: accepted keys, a call ledger, fault rules, per-action rate limits
 * (documented defaults, then the world's overrides, "*" for all actions) and the HTTP server. A
 * subclass builds its world and then calls {@link #listen}.
 */
public abstract class SimulatorBase implements CloudSimulator {
  protected final Clock clock;
  protected final Map<String, String> secrets = new HashMap<>();
  protected final CallLedger ledger = new CallLedger();
  protected final FaultInjector faults;
  protected final RateLimits rateLimits;
  private final String provider;
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
