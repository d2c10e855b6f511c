package dev.teardown.sandbox;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.SecretReference;
import dev.teardown.sim.CloudSimulator;
import dev.teardown.sim.WorldSpec;
import dev.teardown.testing.OperatorProcess;
import dev.teardown.testing.TestWorld;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while reconciles are in flight: the operator process (as a pod would run it) gets SIGTERM
 * while the cloud holds the answers of accepted TerminateInstances calls; it must let those
 * reconciles finish their call and their status write, then exit, all within the pod's grace
 * period. The drain it needs is bounded by the reconciliation termination timeout, twice the cloud
 * timeout plus 5 s (45 s with the default 20 s cloud timeout), which is what {@code
 * terminationGracePeriodSeconds} must exceed.
 */
class GracefulShutdownIT {
  /** The namespace of this run's deletions and Secret. */
  private String ns = "default";

  /** The grace period the test holds the process to: the default drain bound (45 s) plus margin. */
  static final Duration GRACE = Duration.ofSeconds(60);

  private static final Duration HOLD = Duration.ofMillis(1500);
  private static final int DELETIONS = 6;

  @TempDir Path dir;
  private final List<OperatorProcess> processes = new ArrayList<>();

  @AfterEach
  void stop() {
    processes.forEach(OperatorProcess::close);
  }

  @Test
  void sigtermLetsInFlightReconcilesFinishTheirCallAndStatusWriteWithinTheGracePeriod()
      throws Exception {
    TestWorld cloud = TestWorld.of(Provider.TENCENTCLOUD);
    WorldSpec.CloudWorld w = cloud.spec();
    w.timingsMs.put(
        "terminate", 3000L); // the instances stay in SHUTTING-DOWN long after the SIGTERM
    List<String> ids = cloud.fleet("term", DELETIONS);
    w.rateLimits.put("TerminateInstances", 0);
    WorldSpec world = new WorldSpec();
    world.clouds.put(cloud.name(), w);
    Sandbox.quietEmbeddedApiLogs();
    Map<String, CloudSimulator> sims = Simulators.start(world, "127.0.0.1", 0);
    CloudSimulator sim = sims.get(cloud.name());
    // the real API server of the suite when there is one (a namespace of its own), else the mock
    KubeApi real = dev.teardown.it.TestKube.realOrNull();
    KubeApi kube = real != null ? real : EmbeddedKube.start(0);
    ns = real != null ? dev.teardown.it.TestKube.namespace(kube.client(), "drain") : "default";
    CountDownLatch firstHeld = new CountDownLatch(1);
    CountDownLatch sigtermSent = new CountDownLatch(1);
    try {
      Map<String, String> env =
          OperatorProcess.againstKube(
              kube,
              dir,
              ns,
              cloud.name(),
              sim.endpoint(),
              cloud.secretWithToken(),
              Duration.ofSeconds(5));
      KubernetesClient client = kube.client();
      // Accepted terminates answer only after the SIGTERM was sent, and then only after HOLD more.
      sim.ledger()
          .onRecord(
              call -> {
                if (call.action().equals("TerminateInstances") && call.effective()) {
                  firstHeld.countDown();
                  try {
                    if (sigtermSent.await(30, TimeUnit.SECONDS)) {
                      new CountDownLatch(1)
                          .await(
                              HOLD.toMillis(), TimeUnit.MILLISECONDS); // the call stays in flight
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              });
      for (int n = 0; n < ids.size(); n++) {
        client.resource(deletion("term-" + n, cloud, ids.get(n))).create();
      }
      Path log = dir.resolve("operator.log");
      OperatorProcess p = start(env, log);
      assertThat(firstHeld.await(60, TimeUnit.SECONDS))
          .as("a terminate in flight:\n%s", p.tail(40))
          .isTrue();
      // let the other deletions' terminates get in flight too
      await().atMost(Duration.ofSeconds(10)).until(() -> countAccepted(sim, ids) >= 3);
      int inFlight = countAccepted(sim, ids);

      Instant sigterm = Instant.now();
      p.sigterm(); // SIGTERM, as the kubelet sends it
      sigtermSent.countDown();
      boolean exited = p.awaitExit(GRACE);
      Duration drain = Duration.between(sigterm, Instant.now());
      assertThat(exited).as("exited within %s:\n%s", GRACE, p.tail(40)).isTrue();
      assertThat(drain).as("drain time").isLessThan(GRACE).isGreaterThanOrEqualTo(HOLD);

      // every accepted terminate made it into status before the process went away
      List<String> missing = new ArrayList<>();
      for (int n = 0; n < ids.size(); n++) {
        if (ledgerOf(sim).effective("TerminateInstances", ids.get(n)) == 0) {
          continue;
        }
        CloudInstanceDeletion d =
            client
                .resources(CloudInstanceDeletion.class)
                .inNamespace(ns)
                .withName("term-" + n)
                .get();
        InstanceStatus is =
            d.getStatus() == null || d.getStatus().getInstances().isEmpty()
                ? null
                : d.getStatus().getInstances().get(0);
        if (is == null
            || is.getTerminateCalls() == null
            || is.getTerminateCalls() < 1
            || d.getStatus().getPhase() == Phase.Terminating) {
          missing.add(
              "term-"
                  + n
                  + ": "
                  + (d.getStatus() == null
                      ? "no status"
                      : d.getStatus().getPhase()
                          + " "
                          + (is == null ? "" : "terminateCalls=" + is.getTerminateCalls())));
        }
      }
      assertThat(missing)
          .as("accepted terminates whose status write was lost on SIGTERM; log:\n%s", p.tail(40))
          .isEmpty();
      System.out.println(
          "GracefulShutdownIT: SIGTERM with "
              + inFlight
              + " accepted terminates answering "
              + HOLD.toMillis()
              + " ms later; the process wrote their status and exited after "
              + drain.toMillis()
              + " ms (grace period "
              + GRACE.toSeconds()
              + " s)");
    } finally {
      sigtermSent.countDown();
      if (real == null) {
        kube.close();
      }
      sims.values().forEach(CloudSimulator::close);
    }
  }

  private static int countAccepted(CloudSimulator sim, List<String> ids) {
    return (int)
        ids.stream().filter(id -> ledgerOf(sim).effective("TerminateInstances", id) > 0).count();
  }

  private OperatorProcess start(Map<String, String> env, Path log) {
    OperatorProcess p = OperatorProcess.operator().env(env).log(log).start();
    processes.add(p);
    return p;
  }

  private CloudInstanceDeletion deletion(String name, TestWorld cloud, String id) {
    CloudInstanceDeletion r = new CloudInstanceDeletion();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    CloudInstanceDeletionSpec s = new CloudInstanceDeletionSpec();
    s.setProvider(cloud.provider());
    s.setRegion(cloud.region());
    s.setInstanceIds(List.of(id));
    s.setCredentialsSecretRef(new SecretReference("keys"));
    cloud.specDefaults().accept(s);
    r.setSpec(s);
    return r;
  }
}
