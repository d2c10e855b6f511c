package dev.teardown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.SecretReference;
import dev.teardown.sandbox.EmbeddedKube;
import dev.teardown.sim.tencent.TencentSimulator;
import dev.teardown.testing.OperatorProcess;
import dev.teardown.testing.TestWorld;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image runs a jar without what only the sandbox needs (build/operator-jar.exclude).
 * This runs the operator as its own process, as in production, through a whole deletion, its
 * metrics and health endpoints, and fails if it loaded any class from an excluded path: then the
 * image's jar would break at that point. It logs with TEARDOWN_LOG_FORMAT=json, and every line it
 * writes must be one JSON object.
 */
class OperatorClassesIT {
  private static final Path ROOT = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
  private static final Pattern LOADED = Pattern.compile("\\[class,load\\s*\\] (\\S+) source:");

  @TempDir Path dir;

  private EmbeddedKube kube;
  private TencentSimulator sim;
  private OperatorProcess operator;

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    if (kube != null) {
      kube.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  static List<String> excludedPackages() throws Exception {
    return Files.readAllLines(ROOT.resolve("build").resolve("operator-jar.exclude")).stream()
        .map(String::trim)
        .filter(l -> !l.isEmpty() && !l.startsWith("#") && l.endsWith("/"))
        .filter(l -> !l.startsWith("META-INF/"))
        .map(l -> l.replace('/', '.'))
        .toList();
  }

  @Test
  void theOperatorNeverLoadsWhatTheImageLeavesOut() throws Exception {
    assertThat(excludedPackages())
        .contains(
            "dev.teardown.sandbox.",
            "dev.teardown.sim.",
            "io.vertx.",
            "io.netty.",
            "org.bouncycastle.",
            "io.fabric8.mockwebserver.");

    TestWorld w =
        TestWorld.of(Provider.TENCENTCLOUD)
            .keys("AKIDclassesit0001", "classes-it-secret")
            .timing("terminate", 100)
            .timing("shutdown", 100)
            .timing("detach", 100);
    w.instance("ins-class0001").withDisk("disk-class0001");
    sim = w.start().sim();
    kube = EmbeddedKube.start(0);
    kube.client()
        .secrets()
        .inNamespace("default")
        .resource(
            new SecretBuilder()
                .withMetadata(
                    new ObjectMetaBuilder().withName("keys").withNamespace("default").build())
                .withStringData(w.secret())
                .build())
        .create();
    CloudInstanceDeletion r = new CloudInstanceDeletion();
    r.setMetadata(new ObjectMetaBuilder().withName("classes").withNamespace("default").build());
    CloudInstanceDeletionSpec s = new CloudInstanceDeletionSpec();
    s.setProvider(Provider.TENCENTCLOUD);
    s.setRegion("ap-beijing");
    s.setInstanceIds(List.of("ins-class0001"));
    s.setCredentialsSecretRef(new SecretReference("keys"));
    r.setSpec(s);
    kube.client()
        .resources(CloudInstanceDeletion.class)
        .inNamespace("default")
        .resource(r)
        .create();

    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "%s"}}]
        users: [{name: u, user: {}}]
        contexts: [{name: x, context: {cluster: c, user: u}}]
        current-context: x
        """
            .formatted(kube.url()));
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Path classLog = dir.resolve("classes.log");
    operator =
        OperatorProcess.operator()
            .jvmArg("-Xlog:class+load=info:file=" + classLog)
            .env(
                Map.of(
                    "KUBECONFIG",
                    kubeconfig.toString(),
                    "TEARDOWN_METRICS_PORT",
                    Integer.toString(port),
                    "TEARDOWN_TENCENTCLOUD_ENDPOINT",
                    sim.endpoint().toString(),
                    "TEARDOWN_POLL_INTERVAL",
                    "100ms",
                    "TEARDOWN_RETRY_BASE",
                    "100ms",
                    "TEARDOWN_CLOUD_TIMEOUT",
                    "2s",
                    "TEARDOWN_LOG_FORMAT",
                    "json"))
            .log(dir.resolve("operator.log"))
            .start();
    operator.awaitReady(port, Duration.ofSeconds(60));

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              CloudInstanceDeletion got =
                  kube.client()
                      .resources(CloudInstanceDeletion.class)
                      .inNamespace("default")
                      .withName("classes")
                      .get();
              return got.getStatus() != null && got.getStatus().getPhase() == Phase.Done;
            });
    for (String path : List.of("/healthz", "/readyz", "/metrics")) {
      assertThat(OperatorProcess.get(port, path)).as(path).startsWith("200 ");
    }
    operator.sigterm(); // SIGTERM: the shutdown path runs too
    assertThat(operator.awaitExit(Duration.ofSeconds(60))).as("exits on SIGTERM").isTrue();

    // TEARDOWN_LOG_FORMAT=json: every line one JSON object; a reconcile's decisions carry the
    // resource
    List<JsonNode> lines = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("operator.log"))) {
      if (!line.isBlank() && !line.startsWith("Picked up ")) {
        JsonNode n = new ObjectMapper().readTree(line);
        assertThat(n.isObject()).as(line).isTrue();
        assertThat(n.has("time") && n.has("level") && n.has("logger") && n.has("message"))
            .as(line)
            .isTrue();
        lines.add(n);
      }
    }
    assertThat(lines)
        .anySatisfy(
            n -> {
              assertThat(n.path("namespace").asText()).isEqualTo("default");
              assertThat(n.path("name").asText()).isEqualTo("classes");
              assertThat(n.path("logger").asText()).endsWith("DeletionConditions");
              assertThat(n.path("message").asText()).contains("Pending -> ", "Recorded");
            });

    String log = Files.readString(classLog);
    Matcher m = LOADED.matcher(log);
    List<String> loaded = new java.util.ArrayList<>();
    while (m.find()) {
      loaded.add(m.group(1));
    }
    assertThat(loaded)
        .as("the class-load log")
        .contains(
            "dev.teardown.controller.DeletionReconciler",
            "dev.teardown.cloud.tencent.TencentCloudProvider",
            "dev.teardown.metrics.OperatorMetrics");
    List<String> excluded = excludedPackages();
    assertThat(loaded)
        .as("classes the operator-only jar of the image does not carry")
        .noneMatch(c -> excluded.stream().anyMatch(c::startsWith));
  }
}
