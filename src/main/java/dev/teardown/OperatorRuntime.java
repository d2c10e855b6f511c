package dev.teardown;

import com.sun.net.httpserver.HttpServer;
import dev.teardown.config.LabelSelector;
import dev.teardown.config.OperatorConfig;
import dev.teardown.controller.ConnectionCache;
import dev.teardown.controller.DeletionCloner;
import dev.teardown.controller.DeletionReconciler;
import dev.teardown.controller.ProviderRegistry;
import dev.teardown.metrics.OperatorMetrics;
import dev.teardown.metrics.TeardownMetrics;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator wired up: reconciler, connection cache, metrics and health endpoints, optional
 * leader election.
 */
public final class OperatorRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OperatorRuntime.class);

  private final Operator operator;
  private final PrometheusMeterRegistry meters;
  private final ConnectionCache connections;
  private final HttpServer http;
  private final DeletionReconciler reconciler;

  private OperatorRuntime(
      Operator operator,
      PrometheusMeterRegistry meters,
      ConnectionCache connections,
      HttpServer http,
      DeletionReconciler reconciler) {
    this.reconciler = reconciler;
    this.operator = operator;
    this.meters = meters;
    this.connections = connections;
    this.http = http;
  }

  /**
   * Starts the operator on a client.
   *
   * @param exitOnLostLease true in production (a replica that lost its lease must stop reconciling
   *     at once)
   */
  public static OperatorRuntime start(
      KubernetesClient client, OperatorConfig config, Clock clock, boolean exitOnLostLease)
      throws IOException {
    return start(client, config, clock, exitOnLostLease, ProviderRegistry.discover());
  }

  /** Starts the operator with an explicit set of cloud adapters. */
  public static OperatorRuntime start(
      KubernetesClient client,
      OperatorConfig config,
      Clock clock,
      boolean exitOnLostLease,
      ProviderRegistry registry)
      throws IOException {
    int port = config.metricsPort() > 0 ? config.metricsPort() : -1;
    return start(client, config, clock, exitOnLostLease, registry, port);
  }

  /**
   * Starts the operator with an explicit set of cloud adapters and HTTP port ({@code 0}: any free
   * port, for tests; {@code -1}: no HTTP server). The HTTP server is up before the operator starts,
   * so probes see it starting.
   */
  public static OperatorRuntime start(
      KubernetesClient client,
      OperatorConfig config,
      Clock clock,
      boolean exitOnLostLease,
      ProviderRegistry registry,
      int httpPort)
      throws IOException {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TeardownMetrics.install(meters);
    // Without leader election this replica reconciles as soon as it starts; with it, once it holds
    // the Lease.
    AtomicBoolean leader = new AtomicBoolean(false);
    ConnectionCache connections =
        new ConnectionCache(
            meters,
            config.endpoints(),
            ConnectionCache.Settings.defaults()
                .withRateShare(config.rateShare())
                .withWindow(config.batchWindow()));
    OperatorMetrics metrics =
        new OperatorMetrics(MicrometerMetrics.withoutPerResourceMetrics(meters), meters, leader);
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  // Server-side apply of the primary is off, in production too (real API servers
                  // support it): the
                  // reconciler owns the whole status and writes it with a resourceVersion
                  // precondition, so a write based
                  // on a stale read is refused (409) instead of applied; an apply without that
                  // precondition would be
                  // last-writer-wins. The finalizer goes through an ordinary patch. (The in-process
                  // mock API of the
                  // zero-dependency sandbox does not implement SSA either.)
                  .withUseSSAToPatchPrimaryResource(false)
                  .withResourceCloner(
                      new DeletionCloner(client.getKubernetesSerialization()::clone))
                  .withConcurrentReconciliationThreads(config.reconcileThreads())
                  // stopping waits for reconciles in flight to finish their cloud call and status
                  // write
                  .withReconciliationTerminationTimeout(drainTime(config))
                  .withMetrics(metrics);
              if (config.leaderElection()) {
                o.withLeaderElectionConfiguration(
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                            config.leaseName())
                        .withLeaseNamespace(config.leaseNamespace())
                        .withExitOnStopLeading(exitOnLostLease)
                        .withLeaderCallbacks(
                            new LeaderCallbacks(
                                () -> leader.set(true), () -> leader.set(false), id -> {}))
                        .build());
              }
            });
    DeletionReconciler reconciler =
        new DeletionReconciler(registry, connections, config, clock, meters);
    operator.register(
        reconciler,
        c -> {
          // The informer keeps every deletion, finished ones included, until it is deleted: its
          // copies are stored without metadata.managedFields (see withoutManagedFields).
          c.withItemStore(new TransformingItemStore<>(OperatorRuntime::withoutManagedFields));
          if (!config.namespaces().isEmpty()) {
            c.settingNamespaces(config.namespaces());
          }
          if (!config.selector().isEmpty()) { // a shard: only the deletions with these labels
            LabelSelector shard = LabelSelector.parse(config.selector());
            c.withLabelSelector(config.selector());
            c.withGenericFilter(r -> shard.matches(r.getMetadata().getLabels()));
          }
        });
    HttpServer http = httpPort >= 0 ? serve(httpPort, meters, operator) : null;
    try {
      operator.start();
    } catch (RuntimeException e) {
      if (http != null) {
        http.stop(0);
      }
      connections.close();
      meters.close();
      throw e;
    }
    if (!config.leaderElection()) {
      leader.set(true);
    }
    log.info(
        "Teardown operator started (providers: {}, namespaces: {}, leader election: {})",
        registry.all().keySet(),
        config.namespaces().isEmpty() ? "all" : config.namespaces(),
        config.leaderElection());
    return new OperatorRuntime(operator, meters, connections, http, reconciler);
  }

  /**
   * The object as the informer stores it: without {@code metadata.managedFields}. A real API server
   * keeps one entry per field manager and subresource, each with the set of every field it wrote
   * (the whole status, conditions included), so they are a large share of a finished deletion's
   * size; Teardown never reads them. A status PUT or finalizer patch built from a stored copy
   * carries no managedFields, and the API server then keeps the ones it has. Used through JOSDK's
   * {@link TransformingItemStore}.
   */
  static <R extends HasMetadata> R withoutManagedFields(R r) {
    if (r.getMetadata() != null) {
      r.getMetadata().setManagedFields(null);
    }
    return r;
  }

  /**
   * How long stopping waits for reconciles in flight (a cloud call of up to the cloud timeout, then
   * the status write). The pod's terminationGracePeriodSeconds must be longer (DeployManifestsTest
   * checks it).
   */
  public static Duration drainTime(OperatorConfig config) {
    return config.cloudTimeout().multipliedBy(2).plusSeconds(5);
  }

  private static HttpServer serve(int port, PrometheusMeterRegistry meters, Operator operator)
      throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(port), 16);
    http.createContext("/metrics", ex -> reply(ex, 200, meters::scrape));
    // Liveness: 200 only once the operator has started and every informer is watching. 503 while
    // starting (the
    // startupProbe allows for that) and when an informer has stopped (the API server is gone or
    // access was lost),
    // so the kubelet restarts a replica that can no longer see its resources.
    http.createContext(
        "/healthz",
        ex -> {
          Health h = health(operator);
          reply(ex, h.ok() ? 200 : 503, () -> h.text() + "\n");
        });
    // Readiness: started. A standby replica (leader election) is ready too: it serves metrics and
    // takes over.
    http.createContext(
        "/readyz",
        ex -> {
          boolean ok = operator.getRuntimeInfo().isStarted();
          reply(ex, ok ? 200 : 503, () -> ok ? "ready\n" : "starting\n");
        });
    http.start();
    return http;
  }

  /** The operator's health as the probes see it. */
  record Health(boolean ok, String text) {}

  static Health health(Operator operator) {
    RuntimeInfo info = operator.getRuntimeInfo();
    if (!info.isStarted()) {
      return new Health(false, "starting");
    }
    if (!info.allEventSourcesAreHealthy()) {
      return new Health(
          false,
          "unhealthy event sources: "
              + info.unhealthyEventSources().entrySet().stream()
                  .map(e -> e.getKey() + " " + e.getValue().keySet())
                  .collect(Collectors.joining(", ")));
    }
    return new Health(true, "ok");
  }

  private static void reply(com.sun.net.httpserver.HttpExchange ex, int code, Supplier<String> body)
      throws IOException {
    try (ex) {
      byte[] b = body.get().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      ex.sendResponseHeaders(code, b.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(b);
      }
    }
  }

  public PrometheusMeterRegistry meters() {
    return meters;
  }

  public Operator operator() {
    return operator;
  }

  public int metricsPort() {
    return http == null ? 0 : http.getAddress().getPort();
  }

  static String localHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "teardown";
    }
  }

  @Override
  public void close() {
    try {
      operator.stop();
      // reconciles have drained: the answers kept for the next write go to the server now
      int written = reconciler.writeKeptAnswers();
      if (written > 0) {
        log.info("wrote the kept answers of {} deletions before stopping", written);
      }
    } finally {
      if (http != null) {
        http.stop(0);
      }
      connections.close();
      meters.close();
    }
  }
}
