package dev.teardown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.config.OperatorConfig;
import dev.teardown.controller.ProviderRegistry;
import dev.teardown.sandbox.EmbeddedKube;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the kubelet's probes and restart policy rely on: a start that cannot work exits non-zero
 * with one line, and /healthz answers 200 only while the operator has started and its informers are
 * watching.
 */
class OperatorStartupIT {
  @TempDir Path dir;

  private EmbeddedKube kube;
  private OperatorRuntime runtime;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @AfterEach
  void stop() {
    if (runtime != null) {
      runtime.close();
    }
    if (kube != null) {
      kube.close();
    }
  }

  @Test
  void startingAgainstAnUnreachableApiServerExitsNonZeroWithOneLine() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort(); // free, and nothing listens once the socket is closed
    }
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "http://127.0.0.1:%d"}}]
        users: [{name: u, user: {}}]
        contexts: [{name: x, context: {cluster: c, user: u}}]
        current-context: x
        """
            .formatted(closedPort));
    // leader election on, as deployed: the check must come before anything that would retry for
    // minutes
    Result r =
        runOperator(
            Map.of(
                "KUBECONFIG",
                kubeconfig.toString(),
                "TEARDOWN_METRICS_PORT",
                "0",
                "TEARDOWN_LEADER_ELECTION",
                "true"));

    assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
    assertThat(r.lines()).as(r.output()).hasSize(1);
    assertThat(r.lines().get(0))
        .startsWith("teardown: cannot reach the Kubernetes API at http://127.0.0.1:" + closedPort);
  }

  @Test
  void healthzIsOkOnlyWhileTheInformersWatchAndLeaderIsReported() throws Exception {
    kube = EmbeddedKube.start(0);
    OperatorConfig config =
        OperatorConfig.from(
            Map.of("TEARDOWN_LEADER_ELECTION", "true", "TEARDOWN_LEASE_NAMESPACE", "default")::get);
    runtime =
        OperatorRuntime.start(
            kube.client(), config, Clock.systemUTC(), false, ProviderRegistry.discover(), 0);
    int port = runtime.metricsPort();
    assertThat(port).isPositive();

    assertThat(get(port, "/healthz")).isEqualTo("200 ok\n");
    assertThat(get(port, "/readyz")).isEqualTo("200 ready\n");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(get(port, "/metrics")).contains("teardown_leader 1.0"));

    // The API server goes away: the informer stops watching, liveness fails, and the kubelet would
    // restart us.
    kube.server().destroy();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () ->
                assertThat(get(port, "/healthz"))
                    .startsWith("503 unhealthy event sources: cloudinstancedeletion"));
  }

  private String get(int port, String path) throws IOException, InterruptedException {
    HttpResponse<String> res =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return res.statusCode() + " " + res.body();
  }

  record Result(int exitCode, String output) {
    /** Output lines that are not the JVM's own notices. */
    List<String> lines() {
      return output.lines().filter(l -> !l.isBlank() && !l.startsWith("Picked up ")).toList();
    }
  }

  private Result runOperator(Map<String, String> settings) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx128m",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-cp",
            cp,
            "dev.teardown.TeardownOperator",
            "run");
    Map<String, String> env = pb.environment();
    env.keySet()
        .removeIf(
            k ->
                k.startsWith("TEARDOWN_")
                    || k.startsWith("KUBERNETES_")
                    || k.equals("KUBECONFIG")
                    || k.equalsIgnoreCase("http_proxy")
                    || k.equalsIgnoreCase("https_proxy")
                    || k.equalsIgnoreCase("all_proxy"));
    env.putAll(settings);
    Path out = dir.resolve("operator.out");
    pb.redirectErrorStream(true).redirectOutput(out.toFile());
    Process p = pb.start();
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the operator exits by itself").isTrue();
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }
}
