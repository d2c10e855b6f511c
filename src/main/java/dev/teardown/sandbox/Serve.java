package dev.teardown.sandbox;

import dev.teardown.OperatorRuntime;
import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.config.OperatorConfig;
import dev.teardown.sim.CloudSimulator;
import dev.teardown.sim.WorldSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * {@code sandbox --serve}: the Kubernetes API (a real kube-apiserver, or the mock with the
 * discovery documents kubectl needs) and the cloud simulators keep running for outside drivers:
 * kubectl, and an operator started separately with the printed settings ({@code --no-operator})
 * that can be killed and restarted at will. Writes a kubeconfig usable by fabric8 and kubectl, and
 * an env file with {@code export} lines for the operator.
 *
 * <p>{@link #start} returns once everything is up; {@link #close} stops it. {@link #awaitShutdown}
 * is the command's blocking form (Ctrl-C stops it).
 */
public final class Serve implements AutoCloseable {
  static final String CONTEXT = "teardown-sandbox";

  private final Map<String, CloudSimulator> sims;
  private final KubeApi kube;
  private final OperatorConfig config;
  private final Path kubeconfig;
  private final Path envFile;
  private final Map<String, String> env;
  private volatile OperatorRuntime runtime;
  private volatile SharedIndexInformer<CloudInstanceDeletion> table;
  private volatile boolean closed;

  private Serve(Map<String, CloudSimulator> sims, KubeApi kube, Path kubeconfig, Path envFile) {
    this.sims = sims;
    this.kube = kube;
    Map<String, URI> endpoints = Sandbox.endpoints(sims);
    this.config = Sandbox.sandboxConfig(endpoints);
    this.kubeconfig = kubeconfig;
    this.envFile = envFile;
    this.env = operatorEnv(kubeconfig, endpoints, config);
  }

  /**
   * Starts the simulators of the world and the embedded API, creates the credential Secrets (one
   * per deletion's secretRef and one {@code <provider>-credentials} in {@code default} per cloud,
   * holding the world's first key pair), applies the deletions unless {@code --empty}, and starts
   * the operator inside unless {@code --no-operator}.
   *
   * @throws IllegalArgumentException or IOException when a simulator or the API cannot start (e.g.
   *     a port in use)
   */
  static Serve start(
      Sandbox.Options o, WorldSpec world, List<HasMetadata> manifests, PrintStream out)
      throws IOException {
    List<CloudInstanceDeletion> deletions = Sandbox.deletions(manifests);
    Map<String, CloudSimulator> sims;
    try {
      sims = Simulators.start(world, "127.0.0.1", o.simPortBase());
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot start the simulators: " + e.getMessage(), e);
    }
    KubeApi kube = null;
    Serve serve = null;
    try {
      Path dir = o.outDir().toAbsolutePath();
      Files.createDirectories(dir);
      kube = Sandbox.startKube(o, dir.resolve("kube"), out);
      if (kube instanceof EmbeddedKube mock) {
        Discovery.install(mock.server(), EmbeddedKube.crd());
      }
      serve = new Serve(sims, kube, dir.resolve("kubeconfig"), dir.resolve("env"));
      Files.writeString(serve.kubeconfig, kube.kubeconfig());
      Files.writeString(serve.envFile, serve.envLines());

      KubernetesClient client = kube.client();
      Set<String> done = new HashSet<>();
      for (CloudInstanceDeletion d : deletions) {
        Sandbox.createSecret(
            client,
            d.getMetadata().getNamespace(),
            d.getSpec().getCredentialsSecretRef().getName(),
            d.getSpec().getProvider().value(),
            world,
            done);
      }
      for (String provider : world.clouds.keySet()) {
        Sandbox.createSecret(client, "default", provider + "-credentials", provider, world, done);
      }
      if (o.operator()) {
        serve.runtime = OperatorRuntime.start(client, serve.config, Clock.systemUTC(), false);
      }
      serve.printBanner(o, deletions.size(), out);
      if (o.table()) {
        serve.table =
            client
                .resources(CloudInstanceDeletion.class)
                .inAnyNamespace()
                .inform(new Table(out, deletions));
      }
      if (!o.empty()) {
        for (CloudInstanceDeletion d : deletions) {
          Sandbox.ensureNamespace(client, d.getMetadata().getNamespace());
          client.resource(d).create();
        }
      }
      return serve;
    } catch (IOException | RuntimeException e) {
      if (serve != null) {
        serve.close();
      } else {
        if (kube != null) {
          kube.close();
        }
        sims.values().forEach(CloudSimulator::close);
      }
      throw e;
    }
  }

  /** A kubeconfig for the plain-http embedded API that both fabric8 and kubectl accept. */
  static String kubeconfig(String url) {
    return """
        # Written by `teardown sandbox --serve` for its embedded Kubernetes API: plain http on loopback, no
        # authentication. insecure-skip-tls-verify has no effect on http; it only keeps clients from asking for a CA.
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
            insecure-skip-tls-verify: true
        users:
        - name: %1$s
          user: {}
        contexts:
        - name: %1$s
          context:
            cluster: %1$s
            user: %1$s
            namespace: default
        current-context: %1$s
        preferences: {}
        """
        .formatted(CONTEXT, url);
  }

  /**
   * The environment a separately started operator needs: KUBECONFIG, the clouds' endpoints, the
   * sandbox timings.
   */
  public static Map<String, String> operatorEnv(
      Path kubeconfig, Map<String, URI> endpoints, OperatorConfig c) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KUBECONFIG", kubeconfig.toString());
    endpoints.forEach(
        (provider, uri) -> env.put(OperatorConfig.ENDPOINT_ENV.get(provider), uri.toString()));
    env.put("TEARDOWN_POLL_INTERVAL", c.pollInterval().toMillis() + "ms");
    env.put("TEARDOWN_RETRY_BASE", c.retryBase().toMillis() + "ms");
    env.put("TEARDOWN_RETRY_MAX", c.retryMax().toMillis() + "ms");
    env.put("TEARDOWN_CLOUD_TIMEOUT", c.cloudTimeout().toMillis() + "ms");
    // metrics stay on for the separately started operator: a port free now (curl it for /metrics,
    // /healthz)
    env.put(
        "TEARDOWN_METRICS_PORT",
        Integer.toString(c.metricsPort() > 0 ? c.metricsPort() : freePort()));
    return env;
  }

  private static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      return 0;
    }
  }

  String envLines() {
    StringBuilder sb = new StringBuilder();
    env.forEach((k, v) -> sb.append("export ").append(k).append('=').append(v).append('\n'));
    return sb.toString();
  }

  private void printBanner(Sandbox.Options o, int deletions, PrintStream out) {
    out.println(
        "sandbox --serve: "
            + (kube.real()
                ? "real Kubernetes API (kube-apiserver " + RealKube.version() + ")"
                : "mock Kubernetes API")
            + " at "
            + kube.url()
            + ", kubeconfig "
            + kubeconfig);
    sims.forEach(
        (p, s) ->
            out.printf(
                "  %-17s %s   (world and call ledger: %s/_sim/state)%n",
                p, s.endpoint(), s.endpoint()));
    out.println(
        o.empty()
            ? "  no deletions applied (--empty); the credential Secrets are there"
            : "  "
                + deletions
                + " deletions applied"
                + (o.operator() ? "" : "; they wait for an operator"));
    if (o.operator()) {
      out.println("  the operator runs inside this process");
    } else {
      out.println(
          "  no operator here (--no-operator). In another shell start one, as often as you like:");
      out.println("    . " + envFile + "      # or paste:");
      envLines().lines().forEach(l -> out.println("    " + l));
      out.println("    java -jar target/teardown.jar run");
    }
    if (kube.real()) {
      out.println(
          "  kubectl: export KUBECONFIG=" + kubeconfig + "; alias kubectl=" + RealKube.kubectl());
      out.println(
          "    kubectl get cid -w; kubectl apply -f examples/volcengine.yaml; kubectl explain cid.spec;"
              + " kubectl describe cid NAME; kubectl wait --for=condition=Ready cid --all");
    } else {
      out.println(
          "  kubectl: export KUBECONFIG="
              + kubeconfig
              + "; kubectl get cid; kubectl apply --validate=false -f"
              + " examples/volcengine.yaml   (mock API: no validation, no -w, no printer columns; see README)");
    }
    out.println("  Ctrl-C to stop");
    out.flush();
  }

  /**
   * Blocks until the JVM is asked to stop (Ctrl-C), then closes everything; returns "do not call
   * System.exit".
   */
  int awaitShutdown() throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  close();
                  stop.countDown();
                },
                "sandbox-serve-stop"));
    stop.await();
    return Integer.MIN_VALUE;
  }

  public KubeApi kube() {
    return kube;
  }

  public Map<String, CloudSimulator> simulators() {
    return sims;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public Path envFile() {
    return envFile;
  }

  /** The variables printed for a separately started operator, in order. */
  public Map<String, String> env() {
    return env;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (table != null) {
        table.close();
      }
      if (runtime != null) {
        runtime.close();
      }
    } finally {
      kube.close();
      sims.values().forEach(CloudSimulator::close);
    }
  }

  /** Prints a row whenever a deletion appears, changes phase or disks, or goes away. */
  private static final class Table implements ResourceEventHandler<CloudInstanceDeletion> {
    private final PrintStream out;
    private final int[] widths;
    private final Map<String, String> last = new ConcurrentHashMap<>();

    /** The columns are as wide as the names and providers of the deletions applied at the start. */
    Table(PrintStream out, List<CloudInstanceDeletion> applied) {
      this.out = out;
      this.widths =
          Tables.liveWidths(
              applied.stream().map(d -> d.getMetadata().getName()).toList(),
              applied.stream().map(d -> d.getSpec().getProvider().value()).toList());
      out.println(Tables.row(widths, Tables.LIVE_HEADER));
    }

    @Override
    public void onAdd(CloudInstanceDeletion d) {
      row(d, false);
    }

    @Override
    public void onUpdate(CloudInstanceDeletion old, CloudInstanceDeletion d) {
      row(d, false);
    }

    @Override
    public void onDelete(CloudInstanceDeletion d, boolean finalStateUnknown) {
      row(d, true);
    }

    private synchronized void row(CloudInstanceDeletion d, boolean deleted) {
      CloudInstanceDeletionStatus st = d.getStatus();
      String phase =
          deleted ? "(deleted)" : st == null || st.getPhase() == null ? "" : st.getPhase().name();
      String disks = st == null || st.getDisks() == null ? "" : st.getDisks();
      String key = d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
      if ((phase + "|" + disks).equals(last.put(key, phase + "|" + disks))) {
        return;
      }
      out.println(Sandbox.liveRow(widths, d, phase, disks, Instant.now()));
      out.flush();
    }
  }
}
