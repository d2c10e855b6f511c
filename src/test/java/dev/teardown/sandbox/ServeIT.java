package dev.teardown.sandbox;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.sim.CloudSimulator;
import dev.teardown.sim.WorldSpec;
import dev.teardown.testing.OperatorProcess;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sandbox --serve --no-operator} in this JVM, the operator as a separate {@code
 * TeardownOperator run} process configured only through the printed settings (KUBECONFIG and
 * TEARDOWN_* variables), killed hard in the middle of the work and started again: every deletion
 * still ends Done, each instance is deleted exactly once and no data disk is left behind.
 */
class ServeIT {
  private static final String WORLD =
      """
      seed: 11
      clouds:
        tencentcloud:
          region: ap-beijing
          credentials: [{id: AKIDserveTest000000000000000000000000, secret: serve-tencent-secret}]
          timingsMs: {terminate: 1500, shutdown: 1500, detach: 300}
          instances:
            - {id: ins-srv00001, zone: ap-beijing-3, state: RUNNING, chargeType: POSTPAID_BY_HOUR}
            - {id: ins-srv00002, zone: ap-beijing-3, state: RUNNING, chargeType: POSTPAID_BY_HOUR}
          disks:
            - {id: disk-srv00001, instanceId: ins-srv00001, chargeType: POSTPAID_BY_HOUR, deleteWithInstance: false}
            - {id: disk-srv00002, instanceId: ins-srv00002, chargeType: POSTPAID_BY_HOUR, deleteWithInstance: true}
        volcengine:
          region: cn-beijing
          credentials: [{id: AKLTserveTest0000000000000000000, secret: serve-volc-secret}]
          timingsMs: {terminate: 1500, detach: 300, release: 300}
          instances:
            - {id: i-srv000000001, zone: cn-beijing-a, state: RUNNING, chargeType: PostPaid}
          disks:
            - {id: vol-srv00001, instanceId: i-srv000000001, chargeType: PostPaid, deleteWithInstance: false}
      """;

  private static final String DELETIONS =
      """
      apiVersion: teardown.dev/v1alpha1
      kind: CloudInstanceDeletion
      metadata: {name: tc-pair, namespace: default}
      spec:
        provider: tencentcloud
        region: ap-beijing
        instanceIds: [ins-srv00001, ins-srv00002]
        credentialsSecretRef: {name: tc-keys}
      ---
      apiVersion: teardown.dev/v1alpha1
      kind: CloudInstanceDeletion
      metadata: {name: volc-one, namespace: default}
      spec:
        provider: volcengine
        region: cn-beijing
        instanceIds: [i-srv000000001]
        credentialsSecretRef: {name: volcengine-credentials}
      """;

  @TempDir Path dir;
  private Serve serve;
  private final List<OperatorProcess> operators = new ArrayList<>();

  @AfterEach
  void stop() {
    operators.forEach(OperatorProcess::close);
    if (serve != null) {
      serve.close();
    }
  }

  private Serve startServe(ByteArrayOutputStream buf) throws Exception {
    return startServe(WORLD, DELETIONS, buf);
  }

  private Serve startServe(String worldYaml, String deletions, ByteArrayOutputStream buf)
      throws Exception {
    Sandbox.quietEmbeddedApiLogs();
    Path apply = dir.resolve("deletions.yaml");
    Files.writeString(apply, deletions);
    WorldSpec world =
        WorldFiles.parse(
            new ByteArrayInputStream(worldYaml.getBytes(StandardCharsets.UTF_8)), "world.yaml");
    Sandbox.Options o =
        new Sandbox.Options(
            null,
            apply,
            null,
            Duration.ofSeconds(30),
            true,
            false,
            0,
            0,
            false,
            true,
            dir.resolve("out"));
    return Serve.start(
        o, world, Sandbox.manifests(apply), new PrintStream(buf, true, StandardCharsets.UTF_8));
  }

  /** The operator in a process of its own with exactly the printed settings. */
  private OperatorProcess startOperator(Map<String, String> settings, Path log) {
    OperatorProcess p = OperatorProcess.operator().env(settings).log(log).start();
    operators.add(p);
    return p;
  }

  private static String ledger(CloudSimulator sim) {
    StringBuilder sb = new StringBuilder();
    ledgerOf(sim)
        .all()
        .forEach(
            c ->
                sb.append(c.at())
                    .append(' ')
                    .append(c.action())
                    .append(' ')
                    .append(c.ids())
                    .append(' ')
                    .append(c.outcome())
                    .append(c.effective() ? " effective" : "")
                    .append(' ')
                    .append(c.params())
                    .append('\n'));
    return sb.toString();
  }

  private static String status(KubernetesClient client, String name) {
    CloudInstanceDeletion d =
        client.resources(CloudInstanceDeletion.class).inNamespace("default").withName(name).get();
    return d == null
        ? "(gone)"
        : io.fabric8.kubernetes.client.utils.Serialization.asYaml(d.getStatus());
  }

  /**
   * A Secret's value: the mock keeps stringData as written, a real server turns it into base64
   * data.
   */
  private static String value(Secret s, String key) {
    if (s.getStringData() != null && s.getStringData().containsKey(key)) {
      return s.getStringData().get(key);
    }
    String b64 = s.getData() == null ? null : s.getData().get(key);
    return b64 == null
        ? null
        : new String(java.util.Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }

  private static Phase phase(KubernetesClient client, String name) {
    CloudInstanceDeletion d =
        client.resources(CloudInstanceDeletion.class).inNamespace("default").withName(name).get();
    CloudInstanceDeletionStatus st = d == null ? null : d.getStatus();
    return st == null ? null : st.getPhase();
  }

  @Test
  void aSeparateOperatorProcessKilledMidRunAndRestartedFinishesEveryDeletion() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    serve = startServe(buf);
    KubernetesClient client = serve.kube().client();
    Map<String, String> env = serve.env();
    String printed = buf.toString(StandardCharsets.UTF_8);
    env.forEach((k, v) -> assertThat(printed).contains("export " + k + "=" + v));
    assertThat(Files.readString(serve.envFile()))
        .contains("export KUBECONFIG=" + serve.kubeconfig());
    assertThat(env)
        .containsEntry(
            "TEARDOWN_TENCENTCLOUD_ENDPOINT",
            serve.simulators().get("tencentcloud").endpoint().toString())
        .containsEntry(
            "TEARDOWN_VOLCENGINE_ENDPOINT",
            serve.simulators().get("volcengine").endpoint().toString())
        .containsKey("TEARDOWN_METRICS_PORT");
    assertThat(Integer.parseInt(env.get("TEARDOWN_METRICS_PORT")))
        .as("metrics stay on")
        .isPositive();
    // the deletions' Secret and the conventional one per cloud hold the world's keys
    Secret tc = client.secrets().inNamespace("default").withName("tc-keys").get();
    assertThat(value(tc, "secretId")).isEqualTo("AKIDserveTest000000000000000000000000");
    assertThat(client.secrets().inNamespace("default").withName("tencentcloud-credentials").get())
        .isNotNull();
    // applied, but nothing happens without an operator
    assertThat(
            client.resources(CloudInstanceDeletion.class).inNamespace("default").list().getItems())
        .hasSize(2);
    assertThat(phase(client, "tc-pair")).isNull();

    Path log1 = dir.resolve("operator-1.log");
    OperatorProcess first = startOperator(env, log1);
    // Killed once the deletions have left Pending in the API, i.e. their instances and disks are
    // recorded in status.
    // (A kill between an accepted terminate and that first status write is the separate, disabled
    // test below.)
    await("the deletions leave Pending under the first operator process")
        .atMost(Duration.ofSeconds(25))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              assertThat(first.isAlive())
                  .as("first operator exited early:\n%s", first.tail(40))
                  .isTrue();
              return List.of("tc-pair", "volc-one").stream()
                  .map(n -> phase(client, n))
                  .allMatch(p -> p != null && p != Phase.Pending);
            });
    first.process().destroyForcibly();
    assertThat(first.awaitExit(Duration.ofSeconds(10))).isTrue();
    assertThat(java.util.Arrays.asList(phase(client, "tc-pair"), phase(client, "volc-one")))
        .as("the kill must land in the middle of the work")
        .anyMatch(p -> p == null || !p.isTerminal());
    CloudSimulator tencent = serve.simulators().get("tencentcloud");
    CloudSimulator volc = serve.simulators().get("volcengine");
    int callsAtKill = ledgerOf(tencent).size() + ledgerOf(volc).size();
    assertThat(callsAtKill).as("the first process talked to the clouds").isPositive();

    Path log2 = dir.resolve("operator-2.log");
    OperatorProcess second = startOperator(env, log2);
    await("every deletion Done after the restart")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              assertThat(second.isAlive())
                  .as("second operator exited:\n%s", second.tail(40))
                  .isTrue();
              assertThat(phase(client, "tc-pair"))
                  .as("tc-pair\n%s", second.tail(40))
                  .isEqualTo(Phase.Done);
              assertThat(phase(client, "volc-one"))
                  .as("volc-one\n%s", second.tail(40))
                  .isEqualTo(Phase.Done);
            });

    assertThat(ledgerOf(tencent).size() + ledgerOf(volc).size())
        .as("the second process did its share")
        .isGreaterThan(callsAtKill);
    for (String id : List.of("ins-srv00001", "ins-srv00002")) {
      assertThat(ledgerOf(tencent).effective("TerminateInstances", id)).as(id).isEqualTo(1);
    }
    ledgerOf(volc).effectiveOnce("DeleteInstances", "i-srv000000001");
    assertThat(tencent.orphanedDisks(List.of("ins-srv00001", "ins-srv00002")))
        .as(
            "orphaned Tencent disks; ledger:\n%s\nstatus:\n%s\nfirst operator:\n%s\nsecond operator:\n%s",
            ledger(tencent), status(client, "tc-pair"), first.tail(40), second.tail(40))
        .isEmpty();
    assertThat(volc.orphanedDisks(List.of("i-srv000000001")))
        .as(
            "orphaned Volcengine disks; ledger:\n%s\nstatus:\n%s",
            ledger(volc), status(client, "volc-one"))
        .isEmpty();
    // the live table in the serve output followed both deletions to Done
    String table = buf.toString(StandardCharsets.UTF_8);
    assertThat(table)
        .containsPattern("tc-pair +tencentcloud +2 +Done")
        .containsPattern("volc-one +volcengine +1 +Done");
  }

  @Test
  void aCrashBetweenAnAcceptedTerminateAndTheFirstStatusWriteOrphansNoDisk() throws Exception {
    String world =
        """
        clouds:
          tencentcloud:
            region: ap-beijing
            credentials: [{id: AKIDserveTest000000000000000000000000, secret: serve-tencent-secret}]
            timingsMs: {terminate: 300, shutdown: 300, detach: 200}
            faults:
              - {action: TerminateInstances, type: TIMEOUT_AFTER_APPLY, delayMs: 6000, times: 1}
            instances:
              - {id: ins-crash001, zone: ap-beijing-3, state: RUNNING, chargeType: POSTPAID_BY_HOUR}
            disks:
              - {id: disk-crash001, instanceId: ins-crash001, chargeType: POSTPAID_BY_HOUR, deleteWithInstance: false}
        """;
    String deletion =
        """
        apiVersion: teardown.dev/v1alpha1
        kind: CloudInstanceDeletion
        metadata: {name: crash, namespace: default}
        spec:
          provider: tencentcloud
          region: ap-beijing
          instanceIds: [ins-crash001]
          credentialsSecretRef: {name: tencentcloud-credentials}
        """;
    serve = startServe(world, deletion, new ByteArrayOutputStream());
    KubernetesClient client = serve.kube().client();
    CloudSimulator tencent = serve.simulators().get("tencentcloud");
    Path log1 = dir.resolve("operator-1.log");
    OperatorProcess first = startOperator(serve.env(), log1);
    // the cloud has applied the terminate but holds its answer back: the operator has not recorded
    // the call yet
    await("terminate accepted by the cloud")
        .atMost(Duration.ofSeconds(25))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> ledgerOf(tencent).effective("TerminateInstances", "ins-crash001") == 1);
    first.process().destroyForcibly();
    assertThat(first.awaitExit(Duration.ofSeconds(10))).isTrue();
    CloudInstanceDeletion atKill =
        client
            .resources(CloudInstanceDeletion.class)
            .inNamespace("default")
            .withName("crash")
            .get();
    assertThat(atKill.getStatus())
        .as("the data disks were written to status before the terminate call")
        .isNotNull();
    assertThat(atKill.getStatus().getInstances())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.getTerminateCalls())
                  .as("the accepted terminate itself was not recorded")
                  .isNull();
              assertThat(i.getDataDisks())
                  .extracting(d -> d.getId())
                  .containsExactly("disk-crash001");
            });

    Path log2 = dir.resolve("operator-2.log");
    OperatorProcess second = startOperator(serve.env(), log2);
    await("Done after the restart")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> assertThat(phase(client, "crash")).as(second.tail(40)).isEqualTo(Phase.Done));
    assertThat(tencent.orphanedDisks(List.of("ins-crash001")))
        .as("ledger:\n%s\nstatus:\n%s", ledger(tencent), status(client, "crash"))
        .isEmpty();
  }

  @Test
  void theKubeconfigWorksForFabric8AndKubectl() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    serve = startServe(buf);
    String kc = Files.readString(serve.kubeconfig());
    if (serve.kube().real()) {
      assertThat(kc).contains("server: " + serve.kube().url()).contains("client-certificate:");
    } else {
      // the mock: plain http, no authentication
      assertThat(kc)
          .contains("server: " + serve.kube().url())
          .contains("current-context: teardown-sandbox");
    }
    io.fabric8.kubernetes.client.Config config =
        io.fabric8.kubernetes.client.Config.fromKubeconfig(kc);
    assertThat(config.getMasterUrl()).startsWith(serve.kube().url());
    assertThat(config.getNamespace()).isEqualTo("default");
    try (KubernetesClient c =
        new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config).build()) {
      assertThat(c.resources(CloudInstanceDeletion.class).inNamespace("default").list().getItems())
          .extracting(d -> d.getMetadata().getName())
          .containsExactlyInAnyOrder("tc-pair", "volc-one");
      assertThat(c.getApiResources("teardown.dev/v1alpha1").getResources()).isNotEmpty();
    }
    assertThat(new File(serve.kubeconfig().toString())).isFile();
  }

  @Test
  void onTheRealApiKubectlApplyValidatesGetWatchStreamsAndExplainWorks() throws Exception {
    if (!RealKube.available()) {
      assertThat(System.getenv("CI"))
          .as("CI=true requires the real API server")
          .isNotEqualTo("true");
      Assumptions.abort("no real Kubernetes API server: " + RealKube.unavailableReason());
    }
    Sandbox.quietEmbeddedApiLogs();
    WorldSpec world =
        WorldFiles.parse(
            new ByteArrayInputStream(WORLD.getBytes(StandardCharsets.UTF_8)), "world.yaml");
    Sandbox.Options o =
        new Sandbox.Options(
            null,
            null,
            null,
            Duration.ofSeconds(30),
            true,
            true,
            0,
            0,
            true,
            false,
            dir.resolve("out"),
            true);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    serve = Serve.start(o, world, List.of(), new PrintStream(buf, true, StandardCharsets.UTF_8));
    assertThat(serve.kube().real()).isTrue();
    assertThat(buf.toString(StandardCharsets.UTF_8))
        .contains("real Kubernetes API (kube-apiserver " + RealKube.version())
        .contains("kubectl explain");

    Kubectl.Result explain = kubectl("explain", "cid.spec.instanceIds");
    assertThat(explain.code()).as(explain.out()).isZero();
    assertThat(explain.out()).contains("IDs of the instances to delete");

    // apply validates: a CEL rule and strict field validation, both refused with their message
    Path bad =
        Files.writeString(
            dir.resolve("bad.yaml"),
            DELETIONS.split("---")[0].replace("[ins-srv00001, ins-srv00002]", "[ins-SRV00001]"));
    Kubectl.Result refused = kubectl("apply", "-f", bad.toString());
    assertThat(refused.code()).isNotZero();
    assertThat(refused.out())
        .contains("tencentcloud instance ids look like ins-xxxxxxxx")
        .contains("ins-SRV00001");
    Path typo =
        Files.writeString(
            dir.resolve("typo.yaml"),
            DELETIONS.split("---")[0].replace(
                "  region: ap-beijing", "  region: ap-beijing\n  instanceID: ins-srv00001"));
    Kubectl.Result unknown = kubectl("apply", "-f", typo.toString());
    assertThat(unknown.code()).isNotZero();
    assertThat(unknown.out()).contains("unknown field \"spec.instanceID\"");

    // get -w streams the deletion through its phases to Done
    Path watchOut = dir.resolve("watch.out");
    Process watch =
        new ProcessBuilder(
                RealKube.kubectl().toString(),
                "--kubeconfig",
                serve.kubeconfig().toString(),
                "get",
                "cid",
                "-w")
            .redirectErrorStream(true)
            .redirectOutput(watchOut.toFile())
            .start();
    try {
      // --empty: only the conventional <provider>-credentials Secrets exist
      Path good =
          Files.writeString(
              dir.resolve("good.yaml"),
              DELETIONS.replace("{name: tc-keys}", "{name: tencentcloud-credentials}"));
      Kubectl.Result applied = kubectl("apply", "-f", good.toString());
      assertThat(applied.code()).as(applied.out()).isZero();
      assertThat(applied.out()).contains("cloudinstancedeletion.teardown.dev/tc-pair created");
      await("kubectl get -w shows tc-pair reach Done")
          .atMost(Duration.ofSeconds(40))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () ->
                  assertThat(Files.readString(watchOut).lines())
                      .anyMatch(l -> l.startsWith("tc-pair") && l.contains("Done")));
      assertThat(watch.isAlive()).as("the watch keeps streaming").isTrue();
      List<String> rows =
          Files.readString(watchOut).lines().filter(l -> l.startsWith("tc-pair")).toList();
      assertThat(rows.size()).as("one row per change: %s", rows).isGreaterThan(2);
    } finally {
      watch.destroyForcibly();
    }
  }

  private Kubectl.Result kubectl(String... args) throws IOException, InterruptedException {
    return Kubectl.run(serve.kubeconfig(), dir, args);
  }
}
