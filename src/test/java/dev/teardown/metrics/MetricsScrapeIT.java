package dev.teardown.metrics;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teardown.OperatorRuntime;
import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.SecretReference;
import dev.teardown.config.OperatorConfig;
import dev.teardown.controller.ProviderRegistry;
import dev.teardown.sandbox.EmbeddedKube;
import dev.teardown.sim.tencent.TencentSimulator;
import dev.teardown.testing.TestWorld;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One run of the operator (20 Tencent deletions against the simulator, all waiting when the
 * operator starts), then a scrape of /metrics over HTTP whose numbers are checked against the
 * simulator's call ledger and the resources' final status. The instances are prepaid, so each keeps
 * its postpaid data disk attached in the recycle bin and the disk is detached. The operator runs
 * with a quarter of every client-side rate budget, as one of four shards on the same keys would:
 * DetachDisks gets 4 calls per window, and of the 20 detaches (one instance each, made on the
 * reconcile threads, not merged) some must be held back.
 */
class MetricsScrapeIT {
  private static final String NS = "default";
  private static final String REGION = "ap-beijing";
  private static final String KEYS = "tc-keys";
  private static final int DELETIONS = 20;
  private static final String TC = TencentSimulator.PROVIDER;

  private static TencentSimulator sim;
  private static EmbeddedKube kube;
  private static OperatorRuntime runtime;
  private static PromText scrape;
  private static Duration runTime;

  @BeforeAll
  static void run() throws Exception {
    TestWorld w =
        TestWorld.of(Provider.TENCENTCLOUD)
            .region(REGION)
            .keys("AKIDmetricsit0001", "metrics-it-secret")
            .timing("terminate", 100)
            .timing("shutdown", 100)
            .timing("detach", 100);
    for (int i = 0; i < DELETIONS; i++) {
      // prepaid: it goes to the recycle bin with its postpaid data disk still attached, so the disk
      // is detached
      w.instance(String.format("ins-metr%04d", i))
          .prepaid()
          .withDisks(String.format("disk-metr%04d", i));
    }
    sim = w.start().sim();
    kube = EmbeddedKube.start(0);
    kube.client()
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withMetadata(new ObjectMetaBuilder().withName(KEYS).withNamespace(NS).build())
                .withStringData(w.secret())
                .build())
        .create();
    for (int i = 0; i < DELETIONS; i++) {
      CloudInstanceDeletion r = new CloudInstanceDeletion();
      r.setMetadata(new ObjectMetaBuilder().withName("metr-" + i).withNamespace(NS).build());
      CloudInstanceDeletionSpec s = new CloudInstanceDeletionSpec();
      s.setProvider(Provider.TENCENTCLOUD);
      s.setRegion(REGION);
      s.setInstanceIds(List.of(String.format("ins-metr%04d", i)));
      s.setCredentialsSecretRef(new SecretReference(KEYS));
      r.setSpec(s);
      kube.client().resources(CloudInstanceDeletion.class).inNamespace(NS).resource(r).create();
    }
    OperatorConfig config =
        OperatorConfig.defaults()
            .withEndpoints(Map.of(TC, sim.endpoint()))
            .withTimings(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofSeconds(2))
            .withCloudTimeout(Duration.ofSeconds(2))
            .withShard("", 0.25);
    long t0 = System.nanoTime();
    runtime =
        OperatorRuntime.start(
            kube.client(), config, Clock.systemUTC(), false, ProviderRegistry.discover(), 0);
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                kube
                    .client()
                    .resources(CloudInstanceDeletion.class)
                    .inNamespace(NS)
                    .list()
                    .getItems()
                    .stream()
                    .allMatch(
                        r -> r.getStatus() != null && r.getStatus().getPhase() == Phase.Done));
    runTime = Duration.ofNanos(System.nanoTime() - t0);
    // the informer cache (behind the in-flight gauge) follows the API a moment later
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(PromText.parse(get("/metrics")).sum("teardown_deletions", Map.of()))
                    .isZero());
    scrape = PromText.parse(get("/metrics"));
  }

  @AfterAll
  static void stop() {
    if (runtime != null) {
      runtime.close();
    }
    if (kube != null) {
      kube.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  private static String get(String path) throws Exception {
    HttpResponse<String> res =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + runtime.metricsPort() + path))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).isEqualTo(200);
    return res.body();
  }

  @Test
  void cloudCallHistogramsCountExactlyTheCallsTheCloudSaw() {
    assertThat(scrape.type()).containsEntry("teardown_cloud_call_duration_seconds", "histogram");
    Map<String, String> ok = Map.of("provider", TC, "outcome", "ok");
    // every terminate and disk release the cloud answered is one observation, and nothing else is;
    // terminates of
    // deletions reconciled together are merged, so there are at most as many as deletions, each
    // instance in one
    double terminates = ledgerOf(sim).count("TerminateInstances");
    assertThat(
            scrape.sum(
                "teardown_cloud_call_duration_seconds_count",
                with(ok, "action", "terminateInstances")))
        .isEqualTo(terminates)
        .isPositive()
        .isLessThanOrEqualTo(DELETIONS);
    for (int i = 0; i < DELETIONS; i++) {
      assertThat(ledgerOf(sim).effective("TerminateInstances", String.format("ins-metr%04d", i)))
          .isEqualTo(1);
    }
    assertThat(
            scrape.sum(
                "teardown_cloud_call_duration_seconds_count", with(ok, "action", "releaseDisks")))
        .isEqualTo(ledgerOf(sim).count("TerminateDisks"));
    assertThat(ledgerOf(sim).count("TerminateDisks")).isPositive();
    // the adapter looks at an instance once more right before terminating it, so the cloud saw at
    // least as many
    double describes =
        scrape.sum(
            "teardown_cloud_call_duration_seconds_count", with(ok, "action", "describeInstances"));
    assertThat(describes)
        .isPositive()
        .isLessThanOrEqualTo(ledgerOf(sim).count("DescribeInstances"));
    // the +Inf bucket of each series holds all its observations
    assertThat(
            scrape.sum(
                "teardown_cloud_call_duration_seconds_bucket",
                Map.of(
                    "provider", TC, "action", "terminateInstances", "outcome", "ok", "le", "+Inf")))
        .isEqualTo(terminates);
    // a port call stops at its first refused request, so each refusal in the ledger is one
    // observation that is
    // not ok (the simulator's own rate limits may refuse a few describes when 20 deletions start
    // together)
    double notOk =
        scrape.sum("teardown_cloud_call_duration_seconds_count", Map.of("provider", TC))
            - scrape.sum("teardown_cloud_call_duration_seconds_count", ok);
    assertThat(notOk).isEqualTo(ledgerOf(sim).calls(c -> !c.ok()).size());
  }

  @Test
  void callsHeldBackByTheClientSideRateLimitAreCountedAndNeverSent() {
    double held = scrape.sum("teardown_client_throttled_calls_total", Map.of("provider", TC));
    // 20 detaches due together against 4 per window: some must wait for a later slot
    assertThat(held).isPositive();
    assertThat(
            scrape.sum(
                "teardown_client_throttled_calls_total",
                Map.of("provider", TC, "action", "DetachDisks")))
        .isPositive();
    assertThat(scrape.matching(s -> s.name().equals("teardown_client_throttled_calls_total")))
        .allSatisfy(
            s -> assertThat(s.labels().keySet()).containsExactlyInAnyOrder("provider", "action"));
    // held back means not sent: the cloud saw exactly one detach per instance (each with its one
    // data disk)
    assertThat(ledgerOf(sim).count("DetachDisks")).isEqualTo(DELETIONS);
  }

  @Test
  void deletionDurationsAndResultsMatchTheRun() {
    Map<String, String> done = Map.of("provider", TC, "result", "Done");
    assertThat(scrape.type()).containsEntry("teardown_deletion_duration_seconds", "histogram");
    assertThat(scrape.sum("teardown_deletion_duration_seconds_count", done)).isEqualTo(DELETIONS);
    assertThat(scrape.sum("teardown_deletions_completed_total", done)).isEqualTo(DELETIONS);
    assertThat(scrape.sum("teardown_deletions_completed_total", Map.of("result", "Failed")))
        .isZero();
    double sum = scrape.sum("teardown_deletion_duration_seconds_sum", done);
    assertThat(sum).isPositive().isLessThanOrEqualTo(DELETIONS * (runTime.toMillis() / 1000.0 + 1));
    // every deletion entered Done once
    assertThat(scrape.sum("teardown_deletions_phase_transitions_total", Map.of("phase", "Done")))
        .isEqualTo(DELETIONS);
    // nothing is in flight any more, in any phase, and every phase is reported
    assertThat(scrape.matching(s -> s.name().equals("teardown_deletions")))
        .extracting(s -> s.labels().get("phase"))
        .containsExactlyInAnyOrder(
            "Pending", "Terminating", "AwaitingShutdown", "Detaching", "ReleasingDisks");
    assertThat(scrape.sum("teardown_deletions", Map.of())).isZero();
  }

  @Test
  void reconcilesLeaderBuildInfoAndJvmAreExported() {
    assertThat(scrape.type()).containsEntry("teardown_reconcile_duration_seconds", "histogram");
    assertThat(scrape.sum("teardown_reconcile_duration_seconds_count", Map.of("result", "success")))
        .isGreaterThanOrEqualTo(DELETIONS * 3.0);
    assertThat(scrape.sum("teardown_leader", Map.of())).isEqualTo(1);
    assertThat(scrape.matching(s -> s.name().startsWith("teardown_build_info")))
        .singleElement()
        .satisfies(s -> assertThat(s.labels()).containsKeys("version", "java_version"));
    assertThat(scrape.help().keySet())
        .contains(
            "jvm_memory_used_bytes",
            "jvm_gc_pause_seconds",
            "jvm_threads_live_threads",
            "process_cpu_usage",
            "process_uptime_seconds",
            "process_start_time_seconds");
  }

  @Test
  void everyFamilyHasHelpAndNoMetricIsLabelledPerResource() {
    assertThat(scrape.help()).isNotEmpty();
    assertThat(scrape.help())
        .allSatisfy((family, help) -> assertThat(help).as(family).isNotBlank());
    Set<String> perResource =
        Set.of("name", "namespace", "resource", "resourceID", "id", "instance_id", "uid");
    assertThat(
            scrape.matching(
                s -> s.name().startsWith("teardown_") || s.name().startsWith("operator_sdk_")))
        .isNotEmpty()
        .allSatisfy(
            s ->
                assertThat(s.labels().keySet())
                    .as(s.name())
                    .doesNotContainAnyElementsOf(perResource));
  }

  @Test
  void everyQueryOfTheGrafanaDashboardNamesAnExportedMetric() throws Exception {
    JsonNode dashboard =
        new ObjectMapper()
            .readTree(
                Path.of(System.getProperty("basedir", ""))
                    .toAbsolutePath()
                    .resolve("deploy")
                    .resolve("grafana-dashboard.json")
                    .toFile());
    Set<String> exported = new TreeSet<>();
    scrape.samples().forEach(s -> exported.add(s.name()));
    List<String> exprs = new ArrayList<>();
    dashboard.findValues("expr").forEach(e -> exprs.add(e.asText()));
    dashboard
        .path("templating")
        .path("list")
        .forEach(
            v -> {
              if (v.has("query")
                  && v.path("query").isTextual()
                  && v.path("query").asText().contains("(")) {
                exprs.add(v.path("query").asText());
              }
            });
    assertThat(exprs).hasSizeGreaterThanOrEqualTo(10);
    Pattern metric =
        Pattern.compile("\\b((?:teardown|jvm|process|operator_sdk|system)_[a-z0-9_]+)\\b");
    List<String> names = new ArrayList<>();
    for (String expr : exprs) {
      Matcher m = metric.matcher(expr);
      boolean any = false;
      while (m.find()) {
        names.add(m.group(1));
        any = true;
      }
      assertThat(any).as("a query names no metric: " + expr).isTrue();
    }
    assertThat(names)
        .allSatisfy(n -> assertThat(exported).as("dashboard query metric").contains(n));
    // and the dashboard covers what matters
    assertThat(names)
        .contains(
            "teardown_deletions",
            "teardown_deletion_duration_seconds_bucket",
            "teardown_cloud_call_duration_seconds_bucket",
            "teardown_client_throttled_calls_total",
            "teardown_reconcile_duration_seconds_bucket",
            "teardown_leader");
  }

  private static Map<String, String> with(Map<String, String> base, String key, String value) {
    Map<String, String> m = new java.util.HashMap<>(base);
    m.put(key, value);
    return m;
  }
}
