package dev.teardown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.config.OperatorConfig;
import dev.teardown.controller.ProviderRegistry;
import dev.teardown.sandbox.EmbeddedKube;
import dev.teardown.testing.OperatorProcess;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
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
    OperatorProcess.Exit r =
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

    assertThat(OperatorProcess.get(port, "/healthz")).isEqualTo("200 ok\n");
    assertThat(OperatorProcess.get(port, "/readyz")).isEqualTo("200 ready\n");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(OperatorProcess.get(port, "/metrics")).contains("teardown_leader 1.0"));

    // The API server goes away: the informer stops watching, liveness fails, and the kubelet would
    // restart us.
    kube.server().destroy();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () ->
                assertThat(OperatorProcess.get(port, "/healthz"))
                    .startsWith("503 unhealthy event sources: cloudinstancedeletion"));
  }

  private OperatorProcess.Exit runOperator(Map<String, String> settings) throws Exception {
    return OperatorProcess.operator()
        .heap("128m")
        .env(settings)
        .log(dir.resolve("operator.out"))
        .runToExit(Duration.ofSeconds(60));
  }
}
