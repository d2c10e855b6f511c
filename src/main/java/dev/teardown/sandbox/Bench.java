package dev.teardown.sandbox;

import dev.teardown.OperatorRuntime;
import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.SecretReference;
import dev.teardown.config.OperatorConfig;
import dev.teardown.sim.CloudSimulator;
import dev.teardown.sim.WorldSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code bench}: N deletions of M instances (each with D data disks) on one simulated cloud, against the cloud's
 * documented rate limits; prints wall time, per-deletion latency percentiles, API calls per instance and heap.
 * The targets it prints are the project's speed and memory goals; the tests only assert behaviour.
 */
public final class Bench {
  private Bench() {}

  public static int main(String[] args) throws Exception {
    Sandbox.quietEmbeddedApiLogs();
    int deletions = 100;
    int instances = 1;
    int disks = 2;
    String provider = "tencentcloud";
    Duration timeout = Duration.ofMinutes(5);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--deletions" -> deletions = Integer.parseInt(args[++i]);
        case "--instances" -> instances = Integer.parseInt(args[++i]);
        case "--disks" -> disks = Integer.parseInt(args[++i]);
        case "--provider" -> provider = args[++i];
        case "--timeout" -> timeout = OperatorConfig.parseDuration("--timeout", args[++i]);
        default -> {
          System.err.println("bench: unknown option " + args[i]);
          return 2;
        }
      }
    }
    return run(Provider.fromValue(provider), deletions, instances, disks, timeout, System.out);
  }

  static WorldSpec world(Provider p, int total, int disks) {
    WorldSpec w = new WorldSpec();
    WorldSpec.CloudWorld c = new WorldSpec.CloudWorld();
    c.credentials.add(new WorldSpec.KeyPair("AKIDbench" + "0".repeat(24), "bench-secret"));
    switch (p) {
      case TENCENTCLOUD -> {
        c.region = "ap-beijing";
        c.timingsMs.putAll(Map.of("terminate", 500L, "shutdown", 500L, "detach", 300L, "latency", 2L));
      }
      case UCLOUD_COMPSHARE -> {
        c.region = "cn-wlcb";
        c.timingsMs.putAll(Map.of("stop", 500L, "terminate", 500L, "detach", 300L, "release", 300L, "lock", 2000L));
      }
      case VOLCENGINE -> {
        c.region = "cn-beijing";
        c.timingsMs.putAll(Map.of("terminate", 500L, "detach", 300L, "release", 300L));
      }
    }
    for (int i = 0; i < total; i++) {
      WorldSpec.Instance in = new WorldSpec.Instance();
      in.id = id(p, i);
      in.zone = p == Provider.UCLOUD_COMPSHARE ? "cn-wlcb-01" : null;
      in.state = switch (p) {
        case TENCENTCLOUD, VOLCENGINE -> "RUNNING";
        case UCLOUD_COMPSHARE -> "Running";
      };
      in.chargeType = switch (p) {
        case TENCENTCLOUD -> "POSTPAID_BY_HOUR";
        case UCLOUD_COMPSHARE -> "Dynamic";
        case VOLCENGINE -> "PostPaid";
      };
      c.instances.add(in);
      for (int d = 0; d < disks; d++) {
        WorldSpec.Disk disk = new WorldSpec.Disk();
        disk.id = (p == Provider.VOLCENGINE ? "vol-" : p == Provider.UCLOUD_COMPSHARE ? "bs-" : "disk-") + "b" + i + "x" + d;
        disk.instanceId = in.id;
        disk.chargeType = in.chargeType;
        disk.deleteWithInstance = d % 2 == 0;
        c.disks.add(disk);
      }
    }
    w.clouds.put(p.value(), c);
    return w;
  }

  static String id(Provider p, int i) {
    String n = String.format(Locale.ROOT, "%08d", i);
    return switch (p) {
      case TENCENTCLOUD -> "ins-" + n;
      case UCLOUD_COMPSHARE -> "uhost-b" + n;
      case VOLCENGINE -> "i-bench" + n;
    };
  }

  static int run(Provider p, int deletions, int perDeletion, int disks, Duration timeout, PrintStream out) throws Exception {
    int total = deletions * perDeletion;
    WorldSpec world = world(p, total, disks);
    Map<String, CloudSimulator> sims = Simulators.start(world, "127.0.0.1", 0);
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    try (EmbeddedKube kube = EmbeddedKube.start(0)) {
      KubernetesClient client = kube.client();
      List<CloudInstanceDeletion> crs = new ArrayList<>();
      for (int i = 0; i < deletions; i++) {
        CloudInstanceDeletion d = new CloudInstanceDeletion();
        d.setMetadata(new ObjectMetaBuilder().withName("bench-" + i).withNamespace("default").build());
        CloudInstanceDeletionSpec s = new CloudInstanceDeletionSpec();
        s.setProvider(p);
        s.setRegion(world.clouds.get(p.value()).region);
        s.setZone(p == Provider.UCLOUD_COMPSHARE ? "cn-wlcb-01" : null);
        List<String> ids = new ArrayList<>();
        for (int k = 0; k < perDeletion; k++) {
          ids.add(id(p, i * perDeletion + k));
        }
        s.setInstanceIds(ids);
        s.setCredentialsSecretRef(new SecretReference("bench"));
        d.setSpec(s);
        crs.add(d);
      }
      Sandbox.createSecrets(client, crs, world);
      Map<String, URI> endpoints = Map.of(p.value(), sims.get(p.value()).endpoint());
      OperatorConfig config = OperatorConfig.defaults().withEndpoints(endpoints)
          .withTimings(Duration.ofMillis(250), Duration.ofMillis(250), Duration.ofSeconds(5))
          .withCloudTimeout(Duration.ofSeconds(5)).withMetricsPort(0);
      System.gc();
      long heapBefore = mem.getHeapMemoryUsage().getUsed();
      try (OperatorRuntime runtime = OperatorRuntime.start(client, config, Clock.systemUTC(), false)) {
        Instant start = Instant.now();
        for (CloudInstanceDeletion d : crs) {
          client.resource(d).create();
        }
        long peakHeap = heapBefore;
        Map<String, Long> doneAt = new LinkedHashMap<>();
        Instant deadline = start.plus(timeout);
        while (doneAt.size() < deletions && Instant.now().isBefore(deadline)) {
          for (CloudInstanceDeletion cur : client.resources(CloudInstanceDeletion.class).inNamespace("default").list().getItems()) {
            if (cur.getStatus() != null && cur.getStatus().getPhase() != null && cur.getStatus().getPhase().isTerminal()
                && !doneAt.containsKey(cur.getMetadata().getName())) {
              doneAt.put(cur.getMetadata().getName(), Duration.between(start, Instant.now()).toMillis());
              if (cur.getStatus().getPhase() != Phase.Done) {
                out.println("bench: " + cur.getMetadata().getName() + " ended " + cur.getStatus().getPhase() + ": "
                    + cur.getStatus().getMessage());
              }
            }
          }
          peakHeap = Math.max(peakHeap, mem.getHeapMemoryUsage().getUsed());
          LockSupport.parkNanos(Duration.ofMillis(100).toNanos()); // the benchmark's sampling loop
        }
        long wall = Duration.between(start, Instant.now()).toMillis();
        List<Long> lat = new ArrayList<>(doneAt.values());
        Collections.sort(lat);
        CloudSimulator sim = sims.get(p.value());
        long calls = sim.ledger().size();
        long refused = sim.ledger().matching(c -> !c.ok()).size();
        List<String> orphans = sim.orphanedDisks(world.clouds.get(p.value()).instances.stream().map(i -> i.id).toList());
        double reconciles = runtime.meters().find("operator.sdk.reconciliations.started").counters().stream()
            .mapToDouble(c -> c.count()).sum();
        out.printf(Locale.ROOT, "bench: provider=%s deletions=%d instances=%d disks=%d cores=%d%n",
            p.value(), deletions, total, total * disks, Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "  finished            %d/%d in %.1f s  (%.1f instances/s)%n",
            doneAt.size(), deletions, wall / 1000.0, total / (wall / 1000.0));
        out.printf(Locale.ROOT, "  latency per deletion p50 %.1f s  p95 %.1f s  max %.1f s%n",
            pct(lat, 50) / 1000.0, pct(lat, 95) / 1000.0, pct(lat, 100) / 1000.0);
        out.printf(Locale.ROOT, "  cloud API calls     %d (%.1f per instance, %d refused: throttled/locked/faults)%n",
            calls, calls / (double) total, refused);
        Map<String, Long> byAction = new java.util.TreeMap<>();
        sim.ledger().all().forEach(c -> byAction.merge(c.action() + (c.ok() ? "" : " (refused " + c.outcome() + ")"), 1L, Long::sum));
        out.println("  calls by action     " + byAction);
        out.printf(Locale.ROOT, "  reconciles          %.0f (%.1f per deletion)%n", reconciles, reconciles / deletions);
        out.printf(Locale.ROOT, "  heap                %d MiB before, %d MiB peak (max %d MiB)%n",
            heapBefore >> 20, peakHeap >> 20, mem.getHeapMemoryUsage().getMax() >> 20);
        out.printf(Locale.ROOT, "  orphaned disks      %d%n", orphans.size());
        out.println("  targets: 100 one-instance deletions in < 60 s on 2 cores; < 10 API calls per instance;"
            + " peak heap < 512 MiB; 0 orphaned disks");
        return doneAt.size() == deletions && orphans.isEmpty() ? 0 : 1;
      }
    } finally {
      sims.values().forEach(CloudSimulator::close);
    }
  }

  private static long pct(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }
}
