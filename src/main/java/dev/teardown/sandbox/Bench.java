package dev.teardown.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.teardown.OperatorRuntime;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.config.OperatorConfig;
import dev.teardown.sim.WorldSpec;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench}: N deletions of M instances (each with D data disks) on one simulated cloud. The
 * simulators and the embedded Kubernetes API run in a child process ({@link BenchWorld}), so the
 * heap, RSS and CPU seconds printed are the operator's alone. It prints calls per instance (total,
 * by action, refused), time to all Done and that minus the simulated cloud time, p50/p99 detection
 * lag (cloud finished → status shows it), reconciles, heap, RSS and CPU, and a baseline of the seed
 * script's algorithm on a sample with the ratios. Each target is printed next to its figure; it
 * exits 1 when one is missed, 2 on a bad option.
 */
public final class Bench {
  private Bench() {}

  /**
   * Runs the bench (options from {@code dev.teardown.cli.BenchCommand}); 1 when the run itself
   * fails.
   */
  public static int main(BenchOptions o) throws Exception {
    Sandbox.quietEmbeddedApiLogs();
    if (o.realApi() == Boolean.TRUE && !RealKube.available()) {
      System.err.println(
          "bench: cannot start a real Kubernetes API server: " + RealKube.unavailableReason());
      return 1;
    }
    if (o.realApi() == null && !RealKube.available()) {
      System.out.println(
          "bench: in-process mock Kubernetes API: "
              + RealKube.unavailableReason()
              + "; --real-api to require the real one");
    }
    try {
      return run(o, System.out);
    } catch (IOException | java.util.concurrent.TimeoutException e) {
      System.err.println(
          "bench: "
              + (e.getMessage() == null
                  ? "the bench world process did not answer in time"
                  : e.getMessage()));
      return 1;
    }
  }

  static WorldSpec world(Provider p, int total, int disks) {
    WorldSpec w = new WorldSpec();
    WorldSpec.CloudWorld c = new WorldSpec.CloudWorld();
    c.credentials.add(new WorldSpec.KeyPair("AKIDbench" + "0".repeat(24), "bench-secret"));
    switch (p) {
      case TENCENTCLOUD -> {
        c.region = "ap-beijing";
        c.timingsMs.putAll(
            Map.of("terminate", 500L, "shutdown", 500L, "detach", 300L, "latency", 2L));
      }
      case UCLOUD_COMPSHARE -> {
        c.region = "cn-wlcb";
        c.timingsMs.putAll(
            Map.of(
                "stop", 500L, "terminate", 500L, "detach", 300L, "release", 300L, "lock", 2000L));
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
      in.state =
          switch (p) {
            case TENCENTCLOUD, VOLCENGINE -> "RUNNING";
            case UCLOUD_COMPSHARE -> "Running";
          };
      in.chargeType =
          switch (p) {
            case TENCENTCLOUD -> "POSTPAID_BY_HOUR";
            case UCLOUD_COMPSHARE -> "Dynamic";
            case VOLCENGINE -> "PostPaid";
          };
      c.instances.add(in);
      for (int d = 0; d < disks; d++) {
        WorldSpec.Disk disk = new WorldSpec.Disk();
        disk.id =
            (p == Provider.VOLCENGINE ? "vol-" : p == Provider.UCLOUD_COMPSHARE ? "bs-" : "disk-")
                + "b"
                + i
                + "x"
                + d;
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

  /** One figure, its target and whether it was met. */
  record Target(String name, String figure, String target, boolean met) {}

  static int run(BenchOptions o, PrintStream out) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                BenchWorld.class.getName()));
    cmd.addAll(o.toArgs());
    Process child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    ObjectMapper json = new ObjectMapper();
    BufferedReader from =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    PrintStream to = new PrintStream(child.getOutputStream(), true, StandardCharsets.UTF_8);
    try {
      Map<?, ?> ready = json.readValue(line(from, "READY ", Duration.ofMinutes(2)), Map.class);
      Map<String, String> env = new LinkedHashMap<>();
      env.put("TEARDOWN_POLL_INTERVAL", "250ms");
      env.put("TEARDOWN_RETRY_BASE", "250ms");
      env.put("TEARDOWN_RETRY_MAX", "5s");
      env.put("TEARDOWN_CLOUD_TIMEOUT", "5s");
      env.put("TEARDOWN_METRICS_PORT", "0");
      env.put("TEARDOWN_RECONCILE_THREADS", String.valueOf(o.threads()));
      env.put("TEARDOWN_BATCH_WINDOW", o.window().toMillis() + "ms");
      env.put(
          OperatorConfig.ENDPOINT_ENV.get(o.provider().value()), (String) ready.get("endpoint"));
      OperatorConfig config = OperatorConfig.from(env::get);
      MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
      try (KubernetesClient client = operatorClient(ready)) {
        System.gc();
        long heapBefore = mem.getHeapMemoryUsage().getUsed();
        Map<?, ?> result;
        double reconciles;
        long cpuNanos;
        AtomicLong peakHeap = new AtomicLong(heapBefore);
        long liveHeap;
        if (o.createFirst()) {
          to.println("GO"); // the world creates every deletion, then waits for START
          line(from, "CREATED ", o.timeout());
        }
        try (OperatorRuntime runtime =
            OperatorRuntime.start(client, config, Clock.systemUTC(), false)) {
          long cpu0 = cpuNanos();
          Thread sampler =
              new Thread(
                  () -> {
                    while (!Thread.currentThread().isInterrupted()) {
                      peakHeap.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                      java.util.concurrent.locks.LockSupport.parkNanos(
                          50_000_000L); // the benchmark's sampling loop
                    }
                  },
                  "bench-heap-sampler");
          sampler.setDaemon(true);
          sampler.start();
          to.println(o.createFirst() ? "START" : "GO");
          String r;
          try {
            r = line(from, "RESULT ", o.timeout());
          } catch (TimeoutException e) {
            to.println("STOP");
            r = line(from, "RESULT ", Duration.ofMinutes(2));
          }
          cpuNanos = cpuNanos() - cpu0;
          sampler.interrupt();
          result = json.readValue(r, Map.class);
          reconciles =
              runtime.meters().find("operator.sdk.reconciliations.started").counters().stream()
                  .mapToDouble(c -> c.count())
                  .sum();
          System.gc(); // what the operator holds with every deletion in its cache, finished ones
          // included
          liveHeap = mem.getHeapMemoryUsage().getUsed();
          if (o.heapHistogram() != null) {
            Files.writeString(o.heapHistogram(), heapHistogram());
          }
        }
        return report(
            o,
            result,
            reconciles,
            cpuNanos,
            heapBefore,
            peakHeap.get(),
            liveHeap,
            peakRssKib(),
            out);
      }
    } finally {
      to.println("EXIT");
      if (!child.waitFor(30, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
  }

  /**
   * The operator's client for the world's API: the kubeconfig of a real kube-apiserver as it is;
   * the mock over HTTP/1.1 (its HTTP/2 caps concurrent streams, and there are many reconcile
   * threads).
   */
  static KubernetesClient operatorClient(Map<?, ?> ready) {
    io.fabric8.kubernetes.client.Config c;
    if (Boolean.TRUE.equals(ready.get("realApi"))) {
      c = io.fabric8.kubernetes.client.Config.fromKubeconfig((String) ready.get("kubeconfig"));
    } else {
      c = new ConfigBuilder().withMasterUrl((String) ready.get("kube")).build();
    }
    c.setHttp2Disable(true);
    c.setRequestRetryBackoffLimit(0);
    c.setRequestTimeout(10_000);
    return new KubernetesClientBuilder().withConfig(c).build();
  }

  /** The next line from the child that starts with {@code prefix}, without the prefix. */
  private static String line(BufferedReader from, String prefix, Duration timeout)
      throws Exception {
    CompletableFuture<String> f =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                for (String l = from.readLine(); l != null; l = from.readLine()) {
                  if (l.startsWith(prefix)) {
                    return l.substring(prefix.length());
                  }
                }
                return null;
              } catch (IOException e) {
                return null;
              }
            });
    String l = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (l == null) {
      throw new IOException("the bench world process ended before it printed " + prefix.trim());
    }
    return l;
  }

  /** The JVM's live objects by class (what {@code jcmd GC.class_histogram} prints). */
  static String heapHistogram() throws Exception {
    return (String)
        ManagementFactory.getPlatformMBeanServer()
            .invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                "gcClassHistogram",
                new Object[] {null},
                new String[] {String[].class.getName()});
  }

  private static long cpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : -1;
  }

  /** Peak resident set size of this process (VmHWM), or -1 where /proc is not there. */
  static long peakRssKib() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmHWM:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux
    }
    return -1;
  }

  static double callsTarget(BenchOptions o) {
    if (o.deletions() * o.instances() == 1) {
      return 8;
    }
    return switch (o.provider()) {
      case TENCENTCLOUD -> 0.5;
      case VOLCENGINE -> 1.5;
      case UCLOUD_COMPSHARE -> 2.5;
    };
  }

  @SuppressWarnings("unchecked")
  static int report(
      BenchOptions o,
      Map<?, ?> r,
      double reconciles,
      long cpuNanos,
      long heapBefore,
      long peakHeap,
      long liveHeap,
      long rssKib,
      PrintStream out)
      throws IOException {
    int total = o.deletions() * o.instances();
    long calls = ((Number) r.get("calls")).longValue();
    long refused = ((Number) r.get("refused")).longValue();
    long wall = ((Number) r.get("wallMs")).longValue();
    long cloud = ((Number) r.get("simulatedCloudMs")).longValue();
    long finished = ((Number) r.get("finished")).longValue();
    long p50 = ((Number) r.get("detectionLagP50Ms")).longValue();
    long p99 = ((Number) r.get("detectionLagP99Ms")).longValue();
    List<String> orphans = (List<String>) r.get("orphanedDisks");
    Map<String, Object> notDone = (Map<String, Object>) r.get("notDone");
    double perInstance = calls / (double) total;
    List<Target> targets = new ArrayList<>();
    long done = ((Number) r.get("done")).longValue();
    targets.add(
        new Target("deletions Done", done + "/" + o.deletions(), "all", done == o.deletions()));
    targets.add(
        new Target(
            "calls per instance",
            fmt(perInstance),
            "<= " + fmt(callsTarget(o)),
            perInstance <= callsTarget(o)));
    targets.add(
        new Target(
            "all Done minus simulated cloud time",
            secs(wall - cloud),
            "<= 10.0 s",
            finished == o.deletions() && wall - cloud <= 10_000));
    targets.add(new Target("detection lag p50", secs(p50), "<= 1.0 s", p50 <= 1000));
    targets.add(
        new Target(
            "refused by the cloud",
            String.format(Locale.ROOT, "%.2f %%", 100.0 * refused / calls),
            "< 1 %",
            refused * 100 < calls));
    targets.add(
        new Target(
            "operator heap after GC, all deletions cached",
            mib(liveHeap),
            "<= 256 MiB",
            liveHeap <= 256L << 20));
    targets.add(
        new Target("orphaned disks", String.valueOf(orphans.size()), "0", orphans.isEmpty()));

    out.printf(
        Locale.ROOT,
        "bench: %s, %d deletions x %d instances x %d disks (%d instances); %d cores;"
            + " operator in this process, clouds and API (%s) in a child process%n",
        o.provider().value(),
        o.deletions(),
        o.instances(),
        o.disks(),
        total,
        Runtime.getRuntime().availableProcessors(),
        Boolean.TRUE.equals(r.get("realApi"))
            ? "kube-apiserver " + r.get("kubeVersion")
            : "in-process mock");
    out.printf(Locale.ROOT, "  %-46s %-14s %s%n", "figure", "value", "target");
    for (Target t : targets) {
      out.printf(
          Locale.ROOT,
          "  %-46s %-14s %-12s %s%n",
          t.name(),
          t.figure(),
          t.target(),
          t.met() ? "ok" : "MISSED");
    }
    out.printf(
        Locale.ROOT,
        "  %-46s %s%n",
        o.createFirst()
            ? "time to all Done (from the operator's start)"
            : "time to all Done (from the first create)",
        secs(wall));
    if (r.get("allCreatedMs") instanceof Number created) {
      out.printf(
          Locale.ROOT,
          "  %-46s %s (%d at a time%s)%n",
          "time to create every deletion",
          secs(created.longValue()),
          o.creators(),
          o.createFirst() ? ", before the operator started" : ", the operator running");
    }
    out.printf(Locale.ROOT, "  %-46s %s%n", "simulated cloud time (longest deletion)", secs(cloud));
    out.printf(Locale.ROOT, "  %-46s %s%n", "detection lag p99", secs(p99));
    out.printf(
        Locale.ROOT,
        "  %-46s p50 %s, p99 %s%n",
        "latency per deletion (from creation)",
        secs(((Number) r.get("latencyP50Ms")).longValue()),
        secs(((Number) r.get("latencyP99Ms")).longValue()));
    out.printf(Locale.ROOT, "  %-46s %d (%d refused)%n", "cloud API calls", calls, refused);
    out.printf(Locale.ROOT, "  %-46s %s%n", "calls by action", r.get("callsByAction"));
    if (r.get("callSequence") instanceof List<?> sequence) {
      out.printf(Locale.ROOT, "  %-46s%n", "calls in order (from the operator's start)");
      sequence.forEach(line -> out.printf(Locale.ROOT, "    %s%n", line));
    }
    out.printf(
        Locale.ROOT,
        "  %-46s %.0f (%.1f per deletion)%n",
        "reconciles",
        reconciles,
        reconciles / o.deletions());
    if (r.get("updatesSeen") instanceof Number updates) {
      out.printf(
          Locale.ROOT,
          "  %-46s %d (%.1f per deletion)%n",
          "writes to the deletions (finalizer, status)",
          updates.longValue(),
          updates.doubleValue() / o.deletions());
    }
    out.printf(
        Locale.ROOT,
        "  %-46s %s before, %s peak used%n",
        "operator heap",
        mib(heapBefore),
        mib(peakHeap));
    out.printf(
        Locale.ROOT, "  %-46s %s%n", "operator peak RSS", rssKib < 0 ? "n/a" : mib(rssKib << 10));
    out.printf(Locale.ROOT, "  %-46s %.1f s%n", "operator CPU", cpuNanos / 1e9);
    out.printf(
        Locale.ROOT,
        "  %-46s %.1f s (simulators%s, not the operator)%n",
        "world process CPU",
        ((Number) r.get("worldCpuSeconds")).doubleValue(),
        Boolean.TRUE.equals(r.get("realApi")) ? " and test client" : " and the mock API");
    if (Boolean.TRUE.equals(r.get("realApi"))) {
      out.printf(
          Locale.ROOT,
          "  %-46s %.1f s%n",
          "kube-apiserver and etcd CPU",
          ((Number) r.get("apiServerCpuSeconds")).doubleValue());
    }
    out.printf(
        Locale.ROOT,
        "  %-46s %d reconcile threads, batch window %d ms%n",
        "settings",
        o.threads(),
        o.window().toMillis());
    Map<String, Object> baseline = (Map<String, Object>) r.get("baseline");
    if (baseline != null) {
      double bCalls = ((Number) baseline.get("callsPerInstance")).doubleValue();
      double bMs = ((Number) baseline.get("msPerInstance")).doubleValue();
      double ms = wall / (double) total;
      out.printf(
          Locale.ROOT,
          "  %-46s %s calls and %s per instance on %s instances (failed: %s)%n",
          "seed script baseline",
          fmt(bCalls),
          secs(Math.round(bMs)),
          baseline.get("instances"),
          baseline.get("failed"));
      out.printf(
          Locale.ROOT,
          "  %-46s calls per instance %.1f, time per instance %.1f (above 1: Teardown does"
              + " better)%n",
          "baseline / Teardown",
          bCalls / Math.max(perInstance, 1e-9),
          bMs / Math.max(ms, 1e-9));
    }
    if (!notDone.isEmpty()) {
      notDone.entrySet().stream()
          .limit(5)
          .forEach(e -> out.println("  not Done: " + e.getKey() + " " + e.getValue()));
    }
    if (o.json() != null) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("provider", o.provider().value());
      doc.put("deletions", o.deletions());
      doc.put("instancesPerDeletion", o.instances());
      doc.put("disksPerInstance", o.disks());
      doc.put("cores", Runtime.getRuntime().availableProcessors());
      doc.put("reconcileThreads", o.threads());
      doc.put("batchWindowMs", o.window().toMillis());
      doc.put("creators", o.creators());
      doc.put("world", r);
      doc.put("reconciles", reconciles);
      doc.put("operatorCpuSeconds", cpuNanos / 1e9);
      doc.put("operatorHeapBeforeBytes", heapBefore);
      doc.put("operatorHeapPeakUsedBytes", peakHeap);
      doc.put("operatorHeapLiveBytes", liveHeap);
      doc.put("operatorPeakRssKib", rssKib);
      doc.put("targets", targets);
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(o.json().toFile(), doc);
    }
    return targets.stream().allMatch(Target::met) ? 0 : 1;
  }

  static String fmt(double d) {
    return String.format(Locale.ROOT, "%.2f", d);
  }

  static String secs(long ms) {
    return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }

  static String mib(long bytes) {
    return (bytes >> 20) + " MiB";
  }
}
