package dev.teardown.sandbox;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.SecretReference;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.CloudSimulator;
import dev.teardown.sim.SimRequest;
import dev.teardown.sim.SimulatorBase;
import dev.teardown.sim.WorldSpec;
import dev.teardown.sim.tencent.TencentSimulator;
import dev.teardown.testing.OperatorProcess;
import dev.teardown.testing.TestWorld;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Crash anywhere: the operator runs as a separate process ({@code TeardownOperator run}, configured
 * only through its environment) against the embedded API and one cloud's simulator, with many
 * deletions in flight. Crash points come from the simulator's ledger: when the cloud has accepted a
 * mutating call (its effect is in the world), the answer is held back, more accepted calls of other
 * deletions are collected for a moment, then the operator is killed with SIGKILL, so none of those
 * calls reached the operator and none of their status writes happened. Other kills let the answer
 * out first and kill right after it (between the answer and the status write), or hold mutating
 * requests in flight before the cloud applies them (the cloud applies them after the kill). A fresh
 * process is started each time. One process run covers many deletions and many kill points, so the
 * test stays within a couple of minutes instead of one process per point.
 *
 * <p>Per cloud it checks: every deletion Done; no orphaned disk; each instance destroyed by exactly
 * one effective call, no disk released twice; on Tencent no irreversible destroy of a recycle-bin
 * instance with recycleBin: Keep and exactly one with Purge; on Volcengine every DeleteInstances
 * naming an instance carries the same ClientToken. It prints the crash points.
 */
class CrashAnywhereIT {
  /** The namespace of this run's deletions and Secret. */
  private String ns = "default";

  private static final int DELETIONS = 24;

  /** At most this many kills per cloud; fewer when the deletions finish first. */
  private static final int KILLS = 24;

  /**
   * Crash points each cloud must reach. Calls of many deletions are merged into one cloud call (up
   * to the batch limit), so 24 deletions make fewer calls to kill at than they did one by one; each
   * kind of point is still required.
   */
  private static final int MIN_POINTS = 12;

  private static final int MAX_HELD = 8;
  private static final Duration COLLECT = Duration.ofMillis(400);
  private static final Map<String, String> REPORT = new TreeMap<>();

  @TempDir Path dir;

  static Stream<TestWorld> clouds() {
    return TestWorld.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("clouds")
  void killedAtAcceptedCallsTheDeletionsStillEndDoneWithNothingDoneTwice(TestWorld cloud)
      throws Exception {
    WorldSpec.CloudWorld w = cloud.spec();
    List<String> ids = cloud.fleet("crsh", DELETIONS);
    List<String> prepaid = new ArrayList<>();
    Set<String> purge =
        new java.util.HashSet<>(); // half the prepaid ones: recycleBin Purge, the irreversible call
    if (cloud.provider()
        == Provider
            .TENCENTCLOUD) { // a third go to the recycle bin: the second terminate would destroy
      // them
      // for good
      for (int n = 0; n < DELETIONS; n += 3) {
        prepaid.add(ids.get(n));
        String id = ids.get(n);
        if (n % 6 == 3) {
          purge.add(id);
        }
        w.instances.stream().filter(i -> i.id.equals(id)).forEach(i -> i.chargeType = "PREPAID");
        // its first disk goes to the bin with it; the postpaid second one stays attached:
        // Detaching, then release
        w.disks.stream()
            .filter(d -> d.id.equals(cloud.diskId(id, 1)))
            .forEach(d -> d.chargeType = "PREPAID");
      }
    }
    cloud.names().mutating().forEach(a -> w.rateLimits.put(a, 0));
    WorldSpec world = new WorldSpec();
    world.clouds.put(cloud.name(), w);
    Sandbox.quietEmbeddedApiLogs();
    Map<String, CloudSimulator> sims = Simulators.start(world, "127.0.0.1", 0);
    CloudSimulator sim = sims.get(cloud.name());
    // the real API server of the suite when there is one (a namespace of its own), else the mock
    KubeApi real = dev.teardown.it.TestKube.realOrNull();
    KubeApi kube = real != null ? real : EmbeddedKube.start(0);
    ns = real != null ? dev.teardown.it.TestKube.namespace(kube.client(), "crash") : "default";
    Crasher crasher = null;
    try {
      Map<String, String> env =
          OperatorProcess.againstKube(
              kube,
              dir,
              ns,
              cloud.name(),
              sim.endpoint(),
              cloud.secretWithToken(),
              Duration.ofSeconds(2));
      KubernetesClient client = kube.client();
      for (int n = 0; n < ids.size(); n++) {
        CloudInstanceDeletion d = deletion("crash-" + n, cloud, ids.get(n));
        if (purge.contains(ids.get(n))) {
          d.getSpec().setRecycleBin(dev.teardown.api.v1alpha1.RecycleBinPolicy.Purge);
        }
        client.resource(d).create();
      }

      crasher = new Crasher(env, cloud.names().mutating());
      sim.ledger().onRecord(crasher::onCall);
      ((SimulatorBase) sim).onRequest(crasher::onRequest);
      crasher.startOperator();
      Crasher c = crasher;
      await("every deletion ends")
          .atMost(Duration.ofSeconds(240))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                assertThat(c.alive()).as("operator process exited:\n%s", c.tail()).isTrue();
                return ids.stream().allMatch(id -> terminal(client, "crash-" + ids.indexOf(id)));
              });

      Map<String, String> problems = new LinkedHashMap<>();
      for (int n = 0; n < ids.size(); n++) {
        String name = "crash-" + n;
        Phase p = phase(client, name);
        if (p != Phase.Done) {
          problems.put(name, p + ": " + get(client, name).getStatus().getMessage());
        }
        String id = ids.get(n);
        long destroyed = ledgerOf(sim).effective(cloud.names().terminate(), id);
        if (destroyed
            != (purge.contains(id) ? 2 : 1)) { // Purge: into the recycle bin, then destroyed
          problems.put(
              name + "/" + id, cloud.names().terminate() + " effective " + destroyed + " times");
        }
        for (int k = 1; k <= 2; k++) {
          long released = ledgerOf(sim).effective(cloud.names().releaseDisk(), cloud.diskId(id, k));
          if (released > 1) {
            problems.put(name + "/" + cloud.diskId(id, k), "released " + released + " times");
          }
        }
        if (sim instanceof TencentSimulator tc
            && tc.destroyCalls(id) != (purge.contains(id) ? 1 : 0)) {
          problems.put(
              name + "/" + id,
              tc.destroyCalls(id)
                  + " irreversible destroys out of the recycle bin"
                  + (purge.contains(id) ? " with Purge (expected 1)" : " without Purge"));
        }
        if (cloud.provider() == Provider.VOLCENGINE) {
          Set<String> tokens =
              ledgerOf(sim).calls("DeleteInstances", id).stream()
                  .map(call -> call.params().get("ClientToken"))
                  .collect(Collectors.toSet());
          if (tokens.size() != 1) {
            problems.put(
                name + "/" + id,
                "DeleteInstances with " + tokens.size() + " ClientTokens " + tokens);
          }
        }
      }
      List<String> orphaned = sim.orphanedDisks(ids);
      assertThat(problems).as("crash outcomes; last operator log:\n%s", crasher.tail()).isEmpty();
      assertThat(orphaned).isEmpty();
      assertThat(crasher.kills()).as("kills").isGreaterThanOrEqualTo(6);
      String report =
          crasher.totalPoints()
              + " crash points ("
              + crasher.points(Mode.AFTER_APPLY_ANSWER_HELD)
              + " accepted calls with the answer held, "
              + crasher.points(Mode.AFTER_ANSWER)
              + " right after the answer, "
              + crasher.points(Mode.IN_FLIGHT_BEFORE_APPLY)
              + " in flight before the cloud applied them"
              + (purge.isEmpty()
                  ? ""
                  : "; " + crasher.destroyPoints() + " at an accepted irreversible destroy")
              + ") over "
              + crasher.kills()
              + " kills and "
              + crasher.processes()
              + " operator processes; "
              + DELETIONS
              + " deletions"
              + (prepaid.isEmpty()
                  ? ""
                  : " ("
                      + prepaid.size()
                      + " prepaid to the recycle bin, "
                      + purge.size()
                      + " of them purged)")
              + ", calls by action "
              + ledgerOf(sim).countsByAction();
      REPORT.put(cloud.name(), report);
      System.out.println("CrashAnywhereIT " + cloud.name() + ": " + report);
      assertThat(crasher.totalPoints()).as("crash points").isGreaterThanOrEqualTo(MIN_POINTS);
      for (Mode m : Mode.values()) {
        assertThat(crasher.points(m)).as("crash points %s", m).isPositive();
      }
    } finally {
      if (crasher != null) {
        crasher.close();
      }
      if (real == null) {
        kube.close();
      }
      sims.values().forEach(CloudSimulator::close);
    }
  }

  @AfterAll
  static void printReport() {
    REPORT.forEach(
        (cloud, r) -> System.out.println("CrashAnywhereIT crash points " + cloud + ": " + r));
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

  private CloudInstanceDeletion get(KubernetesClient client, String name) {
    return client.resources(CloudInstanceDeletion.class).inNamespace(ns).withName(name).get();
  }

  private Phase phase(KubernetesClient client, String name) {
    CloudInstanceDeletion d = get(client, name);
    return d == null || d.getStatus() == null ? null : d.getStatus().getPhase();
  }

  private boolean terminal(KubernetesClient client, String name) {
    Phase p = phase(client, name);
    return p != null && p.isTerminal();
  }

  /**
   * The action a request names, whichever way its cloud carries it (header, query or JSON body).
   */
  static String actionOf(SimRequest r) {
    String a = r.header("X-TC-Action");
    if (a != null) {
      return a;
    }
    String q = r.uri().getRawQuery();
    if (q != null) {
      for (String kv : q.split("&")) {
        if (kv.startsWith("Action=")) {
          return kv.substring(7);
        }
      }
    }
    java.util.regex.Matcher m = ACTION_IN_BODY.matcher(r.bodyText());
    return m.find() ? m.group(1) : "";
  }

  private static final java.util.regex.Pattern ACTION_IN_BODY =
      java.util.regex.Pattern.compile("\"Action\"\\s*:\\s*\"([A-Za-z]+)\"");

  /** How one kill lands. */
  enum Mode {
    /**
     * The cloud applied the call; its answer is held until the process is dead (no status write).
     */
    AFTER_APPLY_ANSWER_HELD,
    /** The answer went out; the process is killed at once, racing the status write. */
    AFTER_ANSWER,
    /**
     * The request reached the cloud, which holds it unapplied until the process is dead, then
     * applies it.
     */
    IN_FLIGHT_BEFORE_APPLY
  }

  /**
   * Kills the operator process at crash points the simulator reports and starts a fresh one,
   * cycling through the {@link Mode}s. While a holding kill is pending, the accepted calls (or
   * arriving requests) of other deletions within a short collection window are held too, each one
   * more crash point.
   */
  final class Crasher implements AutoCloseable {
    private final Map<String, String> env;
    private final Set<String> mutating;
    private final Map<Mode, AtomicInteger> points = new java.util.EnumMap<>(Mode.class);

    /** Crash points at an accepted irreversible destroy (Tencent Purge). */
    private final AtomicInteger destroys = new AtomicInteger();

    private volatile OperatorProcess current;
    private volatile Path log;
    private int processes;
    private int kills;
    private Mode mode;
    private CountDownLatch answers;
    private CountDownLatch full;
    private int heldNow;
    private volatile boolean closed;

    Crasher(Map<String, String> env, Set<String> mutating) {
      this.env = env;
      this.mutating = mutating;
      for (Mode m : Mode.values()) {
        points.put(m, new AtomicInteger());
      }
    }

    /** The ledger: a call the cloud answered. */
    void onCall(CallLedger.Call call) {
      if (call.effective() && mutating.contains(call.action())) {
        if (hit(Mode.AFTER_APPLY_ANSWER_HELD, Mode.AFTER_ANSWER)
            && call.params().containsKey(TencentSimulator.DESTROYED)) {
          destroys.incrementAndGet();
        }
      }
    }

    /** The server: a request that arrived, not yet looked at. */
    void onRequest(SimRequest request) {
      if (mutating.contains(actionOf(request))) {
        hit(Mode.IN_FLIGHT_BEFORE_APPLY, null);
      }
    }

    /** True when this call or request became a crash point. */
    private boolean hit(Mode holding, Mode releasing) {
      if (closed) {
        return false;
      }
      CountDownLatch wait;
      synchronized (this) {
        if (mode == null) {
          if (kills >= KILLS) {
            return false;
          }
          Mode next = Mode.values()[kills % Mode.values().length];
          if (next != holding && next != releasing) {
            return false;
          }
          kills++;
          mode = next;
          answers = new CountDownLatch(1);
          full = new CountDownLatch(1);
          heldNow = 0;
          Mode m = next;
          Thread t = new Thread(() -> killAndRestart(m), "crasher");
          t.setDaemon(true);
          t.start();
          if (next == Mode.AFTER_ANSWER) {
            points.get(next).incrementAndGet();
            full.countDown(); // kill at once; this answer goes out now
            return true;
          }
        } else if (mode != holding || answers == null) {
          return false;
        }
        heldNow++;
        points.get(mode).incrementAndGet();
        if (heldNow >= MAX_HELD) {
          full.countDown();
        }
        wait = answers;
      }
      try {
        wait.await(30, TimeUnit.SECONDS); // held until the operator is dead
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return true;
    }

    private void killAndRestart(Mode m) {
      try {
        if (m != Mode.AFTER_ANSWER) {
          full.await(COLLECT.toMillis(), TimeUnit.MILLISECONDS); // more calls of other deletions
        }
        OperatorProcess p = current;
        p.kill(); // SIGKILL
        synchronized (this) {
          answers.countDown();
          answers = null;
        }
        if (!closed) {
          startOperator();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        synchronized (this) {
          mode = null;
        }
      }
    }

    int points(Mode m) {
      return points.get(m).get();
    }

    int destroyPoints() {
      return destroys.get();
    }

    int totalPoints() {
      return points.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    synchronized void startOperator() {
      processes++;
      log = dir.resolve("operator-" + processes + ".log");
      current = OperatorProcess.operator().jvmArg("-Xshare:auto").env(env).log(log).start();
    }

    boolean alive() {
      synchronized (this) {
        return mode != null || (current != null && current.isAlive());
      }
    }

    synchronized int kills() {
      return kills;
    }

    synchronized int processes() {
      return processes;
    }

    String tail() {
      OperatorProcess p = current;
      return p == null ? "(no log)" : p.tail(30);
    }

    @Override
    public void close() {
      closed = true;
      synchronized (this) {
        if (answers != null) {
          answers.countDown();
        }
      }
      OperatorProcess p = current;
      if (p != null) {
        p.close(); // SIGKILL
      }
    }
  }
}
