package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.CloudProviderFactory;
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.cloud.Credentials;
import dev.teardown.cloud.batch.BatchingProvider;
import dev.teardown.cloud.batch.Coalescer;
import dev.teardown.cloud.batch.SlidingWindowBudget;
import dev.teardown.cloud.batch.TransitionClock;
import dev.teardown.metrics.InstrumentedProvider;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The one place every cloud call goes through, per (provider, region, zone, endpoint, credentials):
 * SDK clients are built once and reused across reconciles and resources. The key holds a SHA-256
 * fingerprint of the Secret's values, never the values, so a rotated Secret gets a new client.
 *
 * <p>Each connection is {@code BatchingProvider → InstrumentedProvider → adapter}: calls of all
 * deletions on the connection are merged ({@link BatchingProvider}), every port call is counted,
 * and the adapter charges the connection's {@link SlidingWindowBudget} once per SDK call. One
 * {@link TransitionClock} learns from all of them.
 */
public final class ConnectionCache implements AutoCloseable {
  private static final int MAX = 256;

  /** How long a batch stays open for more deletions' calls. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMillis(200);

  /** Margin over the one-second window of the budget (latency differences between calls). */
  static final Duration BUDGET_MARGIN = Duration.ofMillis(100);

  /**
   * SDK calls one port call may make (a look, the call, a look after a refusal); bounds a
   * submitter's wait.
   */
  static final int SDK_CALLS_PER_PORT_CALL = 3;

  /**
   * How the cache builds connections.
   *
   * @param window how long a batch stays open for more deletions' calls
   * @param rateShare this operator's share of every rate budget (several shards on the same keys)
   * @param nanos monotonic clock
   * @param pollFloor the soonest a deletion looks again after acting or while waiting
   * @param pollCap the latest
   * @param pollGrid next looks are rounded up to a multiple of this, so deletions due about
   *     together come back together and their calls are merged
   */
  public record Settings(
      Duration window,
      double rateShare,
      LongSupplier nanos,
      Duration pollFloor,
      Duration pollCap,
      Duration pollGrid) {
    public static Settings defaults() {
      return new Settings(
          DEFAULT_WINDOW,
          1.0,
          System::nanoTime,
          Duration.ofMillis(200),
          Duration.ofMinutes(1),
          Duration.ofMillis(250));
    }

    public Settings withRateShare(double share) {
      return new Settings(window, share, nanos, pollFloor, pollCap, pollGrid);
    }

    public Settings withWindow(Duration w) {
      return new Settings(w, rateShare, nanos, pollFloor, pollCap, pollGrid);
    }
  }

  private final Map<String, CloudProvider> cache = new LinkedHashMap<>(16, 0.75f, true);
  private final MeterRegistry registry;

  /** The configured endpoint overrides; "provider.service" keys are per-service ones. */
  private final Map<String, URI> endpoints;

  private final Settings settings;
  private final TransitionClock transitions;
  private final ScheduledExecutorService timer;
  private final ExecutorService calls;

  public ConnectionCache(MeterRegistry registry) {
    this(registry, Map.of(), Settings.defaults());
  }

  public ConnectionCache(MeterRegistry registry, Map<String, URI> endpoints) {
    this(registry, endpoints, Settings.defaults());
  }

  public ConnectionCache(MeterRegistry registry, Settings settings) {
    this(registry, Map.of(), settings);
  }

  public ConnectionCache(MeterRegistry registry, Map<String, URI> endpoints, Settings settings) {
    this.registry = registry;
    this.endpoints = Map.copyOf(endpoints);
    this.settings = settings;
    this.transitions =
        new TransitionClock(settings.nanos(), settings.pollFloor(), settings.pollCap());
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("teardown-batch-timer"));
    this.calls = Executors.newCachedThreadPool(daemon("teardown-batch-call"));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** What the cloud has been doing: when a deletion should look again. */
  public TransitionClock transitions() {
    return transitions;
  }

  /**
   * When a deletion that just acted or is waiting on the cloud should look again: when the earliest
   * of its outstanding calls is expected to have finished, as learned per provider and action
   * ({@link TransitionClock}).
   */
  public Duration nextLook(String provider, CloudInstanceDeletionStatus status, Duration fallback) {
    List<String> ids = new ArrayList<>();
    for (InstanceStatus i : status.getInstances()) {
      ids.add(i.getId());
      i.getDataDisks().forEach(d -> ids.add(d.getId()));
    }
    return aligned(
        transitions.expectedDelay(provider, ids, fallback),
        settings.nanos().getAsLong(),
        settings.pollGrid());
  }

  /**
   * The delay that ends at the first multiple of {@code grid} (on the monotonic clock) at or after
   * now + delay.
   */
  static Duration aligned(Duration delay, long nowNanos, Duration grid) {
    long g = grid.toNanos();
    if (g <= 0) {
      return delay;
    }
    long due = nowNanos + delay.toNanos();
    long tick = Math.floorDiv(due + g - 1, g) * g;
    return Duration.ofNanos(tick - nowNanos);
  }

  public synchronized CloudProvider connect(
      CloudProviderFactory factory,
      String region,
      String zone,
      Map<String, String> secret,
      URI endpoint,
      Duration timeout)
      throws CloudException {
    Provider p = factory.provider();
    Map<String, URI> services = new TreeMap<>();
    endpoints.forEach(
        (k, v) -> {
          if (k.startsWith(p.value() + ".")) {
            services.put(k.substring(p.value().length() + 1), v);
          }
        });
    String key =
        p.value()
            + "|"
            + region
            + "|"
            + zone
            + "|"
            + endpoint
            + services
            + "|"
            + fingerprint(secret);
    CloudProvider cp = cache.get(key);
    if (cp == null) {
      SlidingWindowBudget budget =
          new SlidingWindowBudget(settings.nanos(), settings.rateShare(), BUDGET_MARGIN);
      CloudProvider adapter =
          factory.connect(
              new ConnectionSpec(
                  region, zone, new Credentials(secret), endpoint, timeout, services, budget));
      budget.configure(adapter.requestsPerSecond());
      Duration callBound =
          (timeout == null ? Duration.ofSeconds(20) : timeout)
              .multipliedBy(SDK_CALLS_PER_PORT_CALL);
      Coalescer coalescer =
          new Coalescer(
              settings.window(),
              callBound,
              (task, delay) -> {
                var f = timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
              },
              calls);
      cp =
          new BatchingProvider(
              p.value(),
              new InstrumentedProvider(p.value(), adapter, registry),
              coalescer,
              transitions);
      cache.put(key, cp);
      if (cache.size() > MAX) {
        var eldest = cache.entrySet().iterator().next();
        eldest.getValue().close();
        cache.remove(eldest.getKey());
      }
    }
    return cp;
  }

  static String fingerprint(Map<String, String> secret) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      new TreeMap<>(secret)
          .forEach(
              (k, v) -> {
                md.update(k.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(v == null ? new byte[0] : v.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
              });
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    cache.values().forEach(CloudProvider::close);
    cache.clear();
    timer.shutdownNow();
    calls.shutdown();
  }
}
