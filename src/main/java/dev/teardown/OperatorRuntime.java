package dev.teardown;

import com.sun.net.httpserver.HttpServer;
import dev.teardown.config.LabelSelector;
import dev.teardown.config.OperatorConfig;
import dev.teardown.controller.ConnectionCache;
import dev.teardown.controller.DeletionReconciler;
import dev.teardown.controller.ProviderRegistry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The operator wired up: reconciler, connection cache, metrics and health endpoints, optional leader election. */
public final class OperatorRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OperatorRuntime.class);

  private final Operator operator;
  private final PrometheusMeterRegistry meters;
  private final ConnectionCache connections;
  private final HttpServer http;

  private OperatorRuntime(Operator operator, PrometheusMeterRegistry meters, ConnectionCache connections, HttpServer http) {
    this.operator = operator;
    this.meters = meters;
    this.connections = connections;
    this.http = http;
  }

  /**
   * Starts the operator on a client.
   *
   * @param exitOnLostLease true in production (a replica that lost its lease must stop reconciling at once)
   */
  public static OperatorRuntime start(KubernetesClient client, OperatorConfig config, Clock clock, boolean exitOnLostLease)
      throws IOException {
    return start(client, config, clock, exitOnLostLease, ProviderRegistry.discover());
  }

  /** Starts the operator with an explicit set of cloud adapters. */
  public static OperatorRuntime start(KubernetesClient client, OperatorConfig config, Clock clock, boolean exitOnLostLease,
      ProviderRegistry registry) throws IOException {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ConnectionCache connections = new ConnectionCache(meters, ConnectionCache.Settings.defaults()
        .withRateShare(config.rateShare()).withWindow(config.batchWindow()));
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          // Server-side apply of the primary is off: the embedded API (sandbox, tests) does not implement it, and
          // the reconciler writes only status, for which a JSON-patch diff is exact.
          .withUseSSAToPatchPrimaryResource(false)
          .withConcurrentReconciliationThreads(config.reconcileThreads())
          // stopping waits for reconciles in flight to finish their cloud call and status write
          .withReconciliationTerminationTimeout(config.cloudTimeout().multipliedBy(2).plusSeconds(5))
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(meters));
      if (config.leaderElection()) {
        o.withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder
            .aLeaderElectionConfiguration(config.leaseName())
            .withLeaseNamespace(config.leaseNamespace())
            .withExitOnStopLeading(exitOnLostLease)
            .build());
      }
    });
    DeletionReconciler reconciler = new DeletionReconciler(registry, connections, config, clock, meters);
    operator.register(reconciler, c -> {
      if (!config.namespaces().isEmpty()) {
        c.settingNamespaces(config.namespaces());
      }
      if (!config.selector().isEmpty()) { // a shard: only the deletions with these labels
        LabelSelector shard = LabelSelector.parse(config.selector());
        c.withLabelSelector(config.selector());
        c.withGenericFilter(r -> shard.matches(r.getMetadata().getLabels()));
      }
    });
    HttpServer http = config.metricsPort() > 0 ? serve(config.metricsPort(), meters, operator) : null;
    operator.start();
    log.info("Teardown operator started (providers: {}, namespaces: {}, leader election: {})",
        registry.all().keySet(), config.namespaces().isEmpty() ? "all" : config.namespaces(), config.leaderElection());
    return new OperatorRuntime(operator, meters, connections, http);
  }

  private static HttpServer serve(int port, PrometheusMeterRegistry meters, Operator operator) throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(port), 16);
    http.createContext("/metrics", ex -> reply(ex, 200, meters::scrape));
    http.createContext("/healthz", ex -> {
      boolean ok = !operator.getRuntimeInfo().isStarted() || operator.getRuntimeInfo().allEventSourcesAreHealthy();
      reply(ex, ok ? 200 : 503, () -> ok ? "ok\n" : "unhealthy event sources\n");
    });
    http.createContext("/readyz", ex -> {
      boolean ok = operator.getRuntimeInfo().isStarted();
      reply(ex, ok ? 200 : 503, () -> ok ? "ready\n" : "starting\n");
    });
    http.start();
    return http;
  }

  private static void reply(com.sun.net.httpserver.HttpExchange ex, int code, Supplier<String> body) throws IOException {
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
    } finally {
      if (http != null) {
        http.stop(0);
      }
      connections.close();
      meters.close();
    }
  }
}
