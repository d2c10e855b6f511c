package dev.teardown.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.sandbox.RealKube;
import dev.teardown.sim.tencent.TencentSimulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees with kubectl (the one built with the server) on a real API server while the
 * operator works: the printer columns through server-side printing, {@code kubectl wait
 * --for=condition=Ready} returning when the deletion is Done, and its events in {@code kubectl
 * describe}.
 */
class KubectlIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path dir;
  private TencentSimulator sim;
  private OperatorHarness h;
  private Path kubeconfig;

  @BeforeEach
  void start() throws IOException {
    TestKube.real();
    sim = Fleet.simulator(2);
    h = OperatorHarness.start(Map.of(TencentSimulator.PROVIDER, sim.endpoint()));
    Fleet.keys(h);
    kubeconfig = Files.writeString(dir.resolve("kubeconfig"), h.kube().kubeconfig());
  }

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  @Test
  void waitForReadyReturnsOnceTheDeletionIsDoneAndGetShowsThePrinterColumns() throws Exception {
    Fleet.delete(h, "web", 0);
    Result wait =
        kubectl("wait", "--for=condition=Ready", "cid/web", "--timeout=" + WAIT.toSeconds() + "s");
    assertThat(wait.code()).as(wait.out()).isZero();
    assertThat(wait.out()).contains("cloudinstancedeletion.teardown.dev/web condition met");
    assertThat(h.phase("web")).as("Ready only when Done").isEqualTo(Phase.Done);
    assertThat(sim.orphanedDisks(List.of(Fleet.instance(0)))).isEmpty();

    Result get = kubectl("get", "cid");
    assertThat(get.code()).as(get.out()).isZero();
    List<String> lines = get.out().lines().toList();
    assertThat(lines.get(0).split("\\s+"))
        .containsExactly("NAME", "PROVIDER", "INSTANCES", "PHASE", "DISKS", "AGE");
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l.split("\\s+"))
                    .startsWith("web")
                    .contains("tencentcloud", "1/1", "1", "Done"));
  }

  @Test
  void waitForReadyTimesOutWhileTheDeletionIsNotDone() throws Exception {
    h.create(
        "stuck",
        dev.teardown.api.v1alpha1.Provider.TENCENTCLOUD,
        Fleet.REGION,
        "missing-secret",
        List.of(Fleet.instance(1)),
        s -> {});
    Result wait = kubectl("wait", "--for=condition=Ready", "cid/stuck", "--timeout=2s");
    assertThat(wait.code()).as(wait.out()).isNotZero();
    assertThat(h.phase("stuck")).isNotEqualTo(Phase.Done);
  }

  @Test
  void describeShowsTheEventsOfTheDeletion() throws Exception {
    Fleet.delete(h, "described", 0);
    h.awaitPhase("described", Phase.Done, WAIT);
    Result describe = kubectl("describe", "cid", "described");
    assertThat(describe.code()).as(describe.out()).isZero();
    String events = describe.out().substring(describe.out().indexOf("Events:"));
    assertThat(events).contains("Normal", "Done").doesNotContain("<none>");
    assertThat(describe.out()).contains("Phase:", "Done").doesNotContain(Fleet.SECRET_KEY);
  }

  record Result(int code, String out) {}

  private Result kubectl(String... args) throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                RealKube.kubectl().toString(),
                "--kubeconfig",
                kubeconfig.toString(),
                "-n",
                h.ns()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "kubectl", ".out");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(WAIT.toSeconds() + 15, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kubectl " + String.join(" ", args) + " did not return");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }
}
