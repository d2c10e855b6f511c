package dev.teardown.it;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.controller.ProviderRegistry;
import dev.teardown.sim.tencent.TencentSimulator;
import dev.teardown.testing.OperatorProcess;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two operator processes ({@code TeardownOperator run}, as deployed) with leader election on a real
 * Lease. Each reaches the cloud through its own counting TCP relay to the one simulator, so the
 * test sees who calls the cloud: only the leader does; after the leader is killed (no chance to
 * release the Lease) the other takes over once the Lease expires, and every deletion ends Done with
 * each instance terminated exactly once and no disk left.
 */
class LeaderElectionIT {
  private static final String LEASE = "teardown";
  @TempDir Path dir;
  private TencentSimulator sim;
  private OperatorHarness h;
  private final List<OperatorProcess> processes = new ArrayList<>();
  private final List<Relay> relays = new ArrayList<>();

  @AfterEach
  void stop() {
    processes.forEach(OperatorProcess::close);
    relays.forEach(Relay::close);
    if (h != null) {
      h.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  @Test
  void onlyTheLeaderCallsTheCloudAndTheOtherTakesOverWhenItIsKilled() throws Exception {
    TestKube.real();
    sim = Fleet.simulator(6);
    h = OperatorHarness.withoutOperator(Map.of(), ProviderRegistry.discover());
    Fleet.keys(h);
    Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), h.kube().kubeconfig());
    Relay toA = relay();
    Relay toB = relay();

    OperatorProcess a = operator("op-a", toA, kubeconfig);
    await("op-a holds the Lease")
        .atMost(Duration.ofSeconds(40))
        .until(() -> "op-a".equals(holder()));
    OperatorProcess b = operator("op-b", toB, kubeconfig);
    await("op-b is up, waiting for the Lease")
        .atMost(Duration.ofSeconds(40))
        .until(
            () -> Files.readString(dir.resolve("op-b.log")).contains("Teardown operator started"));

    for (int i = 0; i < 3; i++) {
      Fleet.delete(h, "le-" + i, i);
    }
    for (int i = 0; i < 3; i++) {
      h.awaitPhase("le-" + i, Phase.Done, Duration.ofSeconds(30));
    }
    assertThat(toA.connections()).as("the leader called the cloud").isPositive();
    assertThat(toB.connections()).as("the follower never called the cloud").isZero();
    assertThat(holder()).isEqualTo("op-a");

    // more work, then the leader dies without releasing its Lease
    for (int i = 3; i < 6; i++) {
      Fleet.delete(h, "le-" + i, i);
    }
    a.kill();
    await("op-b takes the Lease over once it expires")
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              String holder = holder();
              assertThat(toB.connections() == 0 || "op-b".equals(holder))
                  .as("op-b called the cloud before it held the Lease")
                  .isTrue();
              return "op-b".equals(holder);
            });
    for (int i = 3; i < 6; i++) {
      h.awaitPhase("le-" + i, Phase.Done, Duration.ofSeconds(30));
    }
    assertThat(b.isAlive()).isTrue();
    assertThat(toB.connections()).as("the new leader called the cloud").isPositive();
    List<String> ids = IntStream.range(0, 6).mapToObj(Fleet::instance).toList();
    for (String id : ids) {
      assertThat(ledgerOf(sim).effective("TerminateInstances", id)).as(id).isEqualTo(1);
    }
    assertThat(sim.orphanedDisks(ids)).isEmpty();
  }

  private String holder() {
    Lease l = h.client().leases().inNamespace(h.ns()).withName(LEASE).get();
    return l == null || l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
  }

  private Relay relay() throws IOException {
    Relay r = new Relay(sim.endpoint().getPort());
    relays.add(r);
    return r;
  }

  /**
   * {@code TeardownOperator run} as in deploy/: leader election on, identity from HOSTNAME as in a
   * pod.
   */
  private OperatorProcess operator(String name, Relay relay, Path kubeconfig) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("HOSTNAME", name);
    settings.put("KUBECONFIG", kubeconfig.toString());
    settings.put("TEARDOWN_TENCENTCLOUD_ENDPOINT", "http://127.0.0.1:" + relay.port());
    settings.put("TEARDOWN_NAMESPACES", h.ns());
    settings.put("TEARDOWN_LEADER_ELECTION", "true");
    settings.put("TEARDOWN_LEASE_NAMESPACE", h.ns());
    settings.put("TEARDOWN_LEASE_NAME", LEASE);
    settings.put("TEARDOWN_METRICS_PORT", "0");
    settings.put("TEARDOWN_POLL_INTERVAL", "100ms");
    settings.put("TEARDOWN_RETRY_BASE", "100ms");
    settings.put("TEARDOWN_RETRY_MAX", "2s");
    settings.put("TEARDOWN_CLOUD_TIMEOUT", "2s");
    OperatorProcess p =
        OperatorProcess.operator().env(settings).log(dir.resolve(name + ".log")).start();
    processes.add(p);
    return p;
  }

  /** A TCP relay to the simulator that counts the connections made through it. */
  static final class Relay implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Socket> sockets = new ArrayList<>();

    Relay(int targetPort) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread accept =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket in = server.accept();
                    Socket out = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    connections.incrementAndGet();
                    synchronized (sockets) {
                      sockets.add(in);
                      sockets.add(out);
                    }
                    pump(in, out);
                    pump(out, in);
                  } catch (IOException e) {
                    // closed
                  }
                }
              },
              "relay-accept");
      accept.setDaemon(true);
      accept.start();
    }

    private static void pump(Socket from, Socket to) {
      Thread t =
          new Thread(
              () -> {
                try (InputStream i = from.getInputStream();
                    OutputStream o = to.getOutputStream()) {
                  i.transferTo(o);
                } catch (IOException e) {
                  // one side closed
                } finally {
                  try {
                    to.close();
                  } catch (IOException ignored) {
                    // already closed
                  }
                }
              },
              "relay-pump");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    int connections() {
      return connections.get();
    }

    @Override
    public void close() {
      try {
        server.close();
      } catch (IOException ignored) {
        // closing
      }
      synchronized (sockets) {
        for (Socket s : sockets) {
          try {
            s.close();
          } catch (IOException ignored) {
            // closing
          }
        }
      }
    }
  }
}
