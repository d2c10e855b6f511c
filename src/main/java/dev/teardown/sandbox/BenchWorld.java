package dev.teardown.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.SecretReference;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.CloudSimulator;
import dev.teardown.sim.WorldSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The world side of {@code bench}, run as a child process so that the operator's process holds only
 * the operator: the cloud simulators and the embedded Kubernetes API. It talks to the parent over
 * stdin/stdout, one line each: it prints {@code READY <json>} (API URL, cloud endpoint); on {@code
 * GO} it creates the deletions and watches them; when all are terminal, or on {@code STOP}, it
 * prints {@code RESULT <json>} (per deletion: when status showed it finished and when the cloud had
 * finished it; the ledger by action; orphaned disks), then the baseline, and exits on {@code EXIT}
 * or end of input.
 */
public final class BenchWorld {
  static final String NAMESPACE = "default";

  /** Runs of at most this many calls (and 5 instances) list them in order. */
  static final int SEQUENCE_SHOWN = 40;

  private BenchWorld() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    Sandbox.quietEmbeddedApiLogs();
    System.exit(
        run(
            BenchOptions.parse(args),
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
            System.out));
  }

  static int run(BenchOptions o, BufferedReader in, PrintStream out) throws Exception {
    ObjectMapper json = new ObjectMapper();
    Provider p = o.provider();
    int total = o.deletions() * o.instances();
    WorldSpec world = Bench.world(p, total + o.baseline(), o.disks());
    Map<String, CloudSimulator> sims = Simulators.start(world, "127.0.0.1", 0);
    CloudSimulator sim = sims.get(p.value());
    boolean real = o.realApi() != null ? o.realApi() : RealKube.available();
    java.nio.file.Path kubeDir =
        real ? java.nio.file.Files.createTempDirectory("teardown-bench-kube") : null;
    try (KubeApi kube = real ? RealKube.start(kubeDir) : EmbeddedKube.start(0)) {
      KubernetesClient client = kube.client();
      List<CloudInstanceDeletion> crs = deletions(o, world);
      Sandbox.createSecrets(client, crs, world);
      Map<String, Long> doneAt = new ConcurrentHashMap<>();
      Map<String, String> ended = new ConcurrentHashMap<>();
      java.util.concurrent.atomic.AtomicLong updates = new java.util.concurrent.atomic.AtomicLong();
      SharedIndexInformer<CloudInstanceDeletion> informer =
          client
              .resources(CloudInstanceDeletion.class)
              .inNamespace(NAMESPACE)
              .inform(
                  new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(CloudInstanceDeletion d) {
                      seen(d);
                    }

                    @Override
                    public void onUpdate(CloudInstanceDeletion old, CloudInstanceDeletion d) {
                      updates.incrementAndGet();
                      seen(d);
                    }

                    @Override
                    public void onDelete(CloudInstanceDeletion d, boolean unknown) {}

                    private void seen(CloudInstanceDeletion d) {
                      if (d.getStatus() != null
                          && d.getStatus().getPhase() != null
                          && d.getStatus().getPhase().isTerminal()) {
                        if (doneAt.putIfAbsent(
                                    d.getMetadata().getName(), System.currentTimeMillis())
                                == null
                            && d.getStatus().getPhase() != Phase.Done) {
                          ended.put(
                              d.getMetadata().getName(),
                              d.getStatus().getPhase() + ": " + d.getStatus().getMessage());
                        }
                      }
                    }
                  });
      Map<String, Object> ready = new LinkedHashMap<>();
      ready.put("kube", kube.url());
      ready.put("kubeconfig", kube.kubeconfig());
      ready.put("realApi", kube.real());
      ready.put("kubeVersion", kube.real() ? RealKube.version() : "mock");
      ready.put("endpoint", sim.endpoint().toString());
      out.println("READY " + json.writeValueAsString(ready));
      out.flush();
      if (!"GO".equals(in.readLine())) {
        return 2;
      }
      long createStart = System.currentTimeMillis();
      long start = createStart;
      ExecutorService creators = Executors.newFixedThreadPool(o.creators());
      Map<String, String> notCreated = new ConcurrentHashMap<>();
      java.util.concurrent.atomic.AtomicLong lastCreated =
          new java.util.concurrent.atomic.AtomicLong();
      for (CloudInstanceDeletion d : crs) {
        creators.execute(
            () -> {
              try {
                client.resource(d).create();
              } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409) { // 409: a create the client retried had gone through
                  notCreated.put(d.getMetadata().getName(), String.valueOf(e.getMessage()));
                }
              } catch (RuntimeException e) {
                notCreated.put(d.getMetadata().getName(), String.valueOf(e.getMessage()));
              }
              lastCreated.accumulateAndGet(System.currentTimeMillis(), Math::max);
            });
      }
      creators.shutdown();
      if (o.createFirst()) {
        // every deletion exists before the operator starts; the time counts from its start
        if (!creators.awaitTermination(o.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
          return 1;
        }
        out.println("CREATED " + (lastCreated.get() - createStart));
        out.flush();
        if (!"START".equals(in.readLine())) {
          return 2;
        }
        start = System.currentTimeMillis();
      }
      // the parent says STOP at its deadline; a line of input is checked without blocking while
      // waiting
      while (doneAt.size() < crs.size() - notCreated.size()) {
        if (in.ready() && "STOP".equals(in.readLine())) {
          break;
        }
        if (ProcessHandle.current().parent().map(h -> !h.isAlive()).orElse(true)) {
          return 1; // the bench process went away
        }
        java.util.concurrent.locks.LockSupport.parkNanos(
            20_000_000L); // the benchmark's sampling loop
      }
      long end = System.currentTimeMillis();
      creators.shutdownNow();
      creators.awaitTermination(10, TimeUnit.SECONDS);
      informer.close();
      List<CallLedger.Call> calls = sim.ledger().all();
      notCreated.forEach((name, why) -> ended.put(name, "not created: " + why));
      Map<String, Object> result = summarize(o, world, crs, calls, doneAt, ended, start, end);
      result.put("allCreatedMs", Math.max(0, lastCreated.get() - createStart));
      result.put("createdFirst", o.createFirst());
      result.put("updatesSeen", updates.get());
      result.put(
          "worldCpuSeconds",
          java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                  instanceof com.sun.management.OperatingSystemMXBean os
              ? os.getProcessCpuTime() / 1e9
              : -1);
      result.put("apiServerCpuSeconds", descendantsCpuSeconds());
      result.put("realApi", kube.real());
      result.put("kubeVersion", kube.real() ? RealKube.version() : "mock");
      result.put(
          "orphanedDisks",
          sim.orphanedDisks(
              world.clouds.get(p.value()).instances.stream().limit(total).map(i -> i.id).toList()));
      if (o.baseline() > 0) {
        List<String> sample =
            world.clouds.get(p.value()).instances.stream().skip(total).map(i -> i.id).toList();
        result.put("baseline", SeedScriptBaseline.run(p, world, sim, sample));
      }
      out.println("RESULT " + json.writeValueAsString(result));
      out.flush();
      in.readLine(); // EXIT, or the parent went away
      return 0;
    } finally {
      sims.values().forEach(CloudSimulator::close);
      if (kubeDir != null) {
        Sandbox.deleteTree(kubeDir);
      }
    }
  }

  /**
   * CPU seconds used so far by this process's child processes (etcd and kube-apiserver of a real
   * API), read from /proc; 0 for the in-process mock, -1 where /proc is not there.
   */
  static double descendantsCpuSeconds() {
    double ticks = 100.0; // USER_HZ on Linux
    double total = 0;
    for (ProcessHandle h : ProcessHandle.current().descendants().toList()) {
      try {
        String stat =
            java.nio.file.Files.readString(java.nio.file.Path.of("/proc", h.pid() + "", "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / ticks; // utime, stime
      } catch (java.io.IOException | RuntimeException e) {
        return -1;
      }
    }
    return total;
  }

  static List<CloudInstanceDeletion> deletions(BenchOptions o, WorldSpec world) {
    Provider p = o.provider();
    List<CloudInstanceDeletion> crs = new ArrayList<>();
    for (int i = 0; i < o.deletions(); i++) {
      CloudInstanceDeletion d = new CloudInstanceDeletion();
      d.setMetadata(
          new ObjectMetaBuilder().withName("bench-" + i).withNamespace(NAMESPACE).build());
      CloudInstanceDeletionSpec s = new CloudInstanceDeletionSpec();
      s.setProvider(p);
      s.setRegion(world.clouds.get(p.value()).region);
      s.setZone(p == Provider.UCLOUD_COMPSHARE ? "cn-wlcb-01" : null);
      List<String> ids = new ArrayList<>();
      for (int k = 0; k < o.instances(); k++) {
        ids.add(Bench.id(p, i * o.instances() + k));
      }
      s.setInstanceIds(ids);
      s.setCredentialsSecretRef(new SecretReference("bench"));
      d.setSpec(s);
      crs.add(d);
    }
    return crs;
  }

  /**
   * The figures the child can compute. A deletion's cloud finished at the latest end of the
   * transitions its effective calls started (the call's time plus the world's timing of that
   * transition); its detection lag is the time from then until its status showed it finished. Its
   * cloud time is the sum of the transitions on its path (one per kind of call); the run's
   * simulated cloud time is the longest of them.
   */
  static Map<String, Object> summarize(
      BenchOptions o,
      WorldSpec world,
      List<CloudInstanceDeletion> crs,
      List<CallLedger.Call> calls,
      Map<String, Long> doneAt,
      Map<String, String> ended,
      long start,
      long end) {
    Provider p = o.provider();
    Map<String, Long> timings = world.clouds.get(p.value()).timingsMs;
    Map<String, String> owner = new HashMap<>();
    for (CloudInstanceDeletion d : crs) {
      for (String id : d.getSpec().getInstanceIds()) {
        owner.put(id, d.getMetadata().getName());
      }
    }
    for (WorldSpec.Disk disk : world.clouds.get(p.value()).disks) {
      if (owner.containsKey(disk.instanceId)) {
        owner.put(disk.id, owner.get(disk.instanceId));
      }
    }
    Map<String, Long> cloudDoneAt = new HashMap<>();
    Map<String, Map<String, Long>> cloudTime = new HashMap<>();
    Map<String, Long> byAction = new TreeMap<>();
    long refused = 0;
    for (CallLedger.Call c : calls) {
      byAction.merge(c.action(), 1L, Long::sum);
      if (!c.ok()) {
        refused++;
        byAction.merge(c.action() + " refused " + c.outcome(), 1L, Long::sum);
      }
      long transition = transitionMs(p, c.action(), timings);
      if (!c.effective() || transition < 0) {
        continue;
      }
      for (String id : c.ids()) {
        String d = owner.get(id);
        if (d != null) {
          cloudDoneAt.merge(d, c.at().toEpochMilli() + transition, Math::max);
          cloudTime
              .computeIfAbsent(d, k -> new HashMap<>())
              .merge(c.action(), transition, Math::max);
        }
      }
    }
    List<Long> lags = new ArrayList<>();
    doneAt.forEach(
        (d, t) -> {
          Long cloud = cloudDoneAt.get(d);
          if (cloud != null) {
            lags.add(Math.max(0, t - cloud));
          }
        });
    lags.sort(null);
    long simulated =
        cloudTime.values().stream()
            .mapToLong(m -> m.values().stream().mapToLong(Long::longValue).sum())
            .max()
            .orElse(0);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("finished", doneAt.size());
    r.put("done", doneAt.keySet().stream().filter(d -> !ended.containsKey(d)).count());
    r.put("notDone", new TreeMap<>(ended));
    r.put(
        "wallMs",
        (doneAt.size() < crs.size()
                ? end
                : doneAt.values().stream().mapToLong(Long::longValue).max().orElse(end))
            - start);
    r.put("simulatedCloudMs", simulated);
    r.put("calls", calls.size());
    r.put("refused", refused);
    r.put("callsByAction", byAction);
    if (calls.size() <= SEQUENCE_SHOWN && o.deletions() * o.instances() <= 5) {
      // a small run shows its calls in order: the number per instance explained
      List<String> sequence = new ArrayList<>();
      for (CallLedger.Call c : calls) {
        sequence.add(
            String.format(
                Locale.ROOT,
                "+%.3fs %s %s%s",
                (c.at().toEpochMilli() - start) / 1000.0,
                c.action(),
                c.ids(),
                c.ok() ? "" : " refused " + c.outcome()));
      }
      r.put("callSequence", sequence);
    }
    r.put("detectionLagP50Ms", percentile(lags, 50));
    r.put("detectionLagP99Ms", percentile(lags, 99));
    List<Long> latency = doneAt.values().stream().map(t -> t - start).sorted().toList();
    r.put("latencyP50Ms", percentile(latency, 50));
    r.put("latencyP99Ms", percentile(latency, 99));
    r.put("startedAt", Instant.ofEpochMilli(start).toString());
    return r;
  }

  /**
   * How long the simulated cloud takes to carry out an accepted call of this action; -1 for calls
   * changing nothing.
   */
  static long transitionMs(Provider p, String action, Map<String, Long> timings) {
    String timing =
        switch (p) {
          case TENCENTCLOUD ->
              switch (action) {
                case "TerminateInstances" -> "terminate";
                case "DetachDisks" -> "detach";
                case "TerminateDisks" -> "";
                default -> null;
              };
          case UCLOUD_COMPSHARE ->
              switch (action) {
                case "StopCompShareInstance" -> "stop";
                case "TerminateCompShareInstance" -> "terminate";
                case "DetachCompshareDisk" -> "detach";
                case "DeleteCompshareDisk" -> "release";
                default -> null;
              };
          case VOLCENGINE ->
              switch (action) {
                case "DeleteInstances" -> "terminate";
                case "DetachVolume" -> "detach";
                case "DeleteVolume" -> "release";
                default -> null;
              };
        };
    if (timing == null) {
      return -1;
    }
    return timing.isEmpty() ? 0 : timings.getOrDefault(timing, 0L);
  }

  static long percentile(List<Long> sorted, int pct) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int i = (int) Math.ceil(pct / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }
}
