package dev.teardown.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * What every cloud simulator has: accepted keys, a call ledger, fault rules, per-action rate limits (documented
 * defaults, then the world's overrides, "*" for all actions) and the HTTP server. A subclass builds its world and
 * then calls {@link #listen}.
 */
public abstract class SimulatorBase implements CloudSimulator {
  protected final Clock clock;
  protected final Map<String, String> secrets = new HashMap<>();
  protected final CallLedger ledger = new CallLedger();
  protected final FaultInjector faults;
  protected final RateLimits rateLimits;
  private final String provider;
  private SimHttpServer server;

  protected SimulatorBase(String provider, WorldSpec.CloudWorld spec, Clock clock, long seed, int defaultPerSecond,
      Map<String, Integer> documentedLimits) {
    this.provider = provider;
    this.clock = clock;
    spec.credentials.forEach(k -> secrets.put(k.id, k.secret));
    this.faults = new FaultInjector(seed);
    spec.faults.forEach(faults::add);
    this.rateLimits = new RateLimits(clock, defaultPerSecond);
    documentedLimits.forEach(rateLimits::set);
    spec.rateLimits.forEach((action, limit) -> {
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
      server = new SimHttpServer(provider, host, port, this::handle);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the " + provider + " simulator on " + host + ":" + port, e);
    }
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
