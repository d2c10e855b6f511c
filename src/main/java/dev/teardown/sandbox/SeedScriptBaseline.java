package dev.teardown.sandbox;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.Batches;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.CloudProviderFactory;
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.cloud.Credentials;
import dev.teardown.cloud.DiskPhase;
import dev.teardown.cloud.InstancePhase;
import dev.teardown.cloud.ReleaseDisksRequest;
import dev.teardown.cloud.TerminateRequest;
import dev.teardown.sim.CloudSimulator;
import dev.teardown.sim.WorldSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * The algorithm of the seed script Teardown replaced, for {@code bench} to compare against: one
 * instance at a time, describe its disks, terminate it, poll every 6 s until it is gone, detach
 * what is still attached, poll every 3 s, then release the disks. Its sleeps are scaled like the
 * bench world's timings, which are about 1/12 of a real cloud's (a 6 s terminate runs in 500 ms): 6
 * s → 500 ms, 3 s → 250 ms. It calls the same adapters.
 */
final class SeedScriptBaseline {
  static final double SCALE = 1.0 / 12;
  static final Duration POLL_INSTANCE = Duration.ofMillis(Math.round(6000 * SCALE));
  static final Duration POLL_DISK = Duration.ofMillis(Math.round(3000 * SCALE));
  static final int MAX_POLLS = 200;

  private SeedScriptBaseline() {}

  static Map<String, Object> run(
      Provider p, WorldSpec world, CloudSimulator sim, List<String> sample) {
    Map<String, Object> r = new LinkedHashMap<>();
    WorldSpec.CloudWorld cw = world.clouds.get(p.value());
    WorldSpec.KeyPair kp = cw.credentials.get(0);
    Map<String, String> keys =
        switch (p) {
          case TENCENTCLOUD -> Map.of("secretId", kp.id, "secretKey", kp.secret);
          case UCLOUD_COMPSHARE -> Map.of("publicKey", kp.id, "privateKey", kp.secret);
          case VOLCENGINE -> Map.of("accessKeyId", kp.id, "secretAccessKey", kp.secret);
        };
    CloudProviderFactory factory =
        ServiceLoader.load(CloudProviderFactory.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(f -> f.provider() == p)
            .findFirst()
            .orElseThrow();
    int before = sim.ledger().size();
    long start = System.nanoTime();
    List<String> failed = new ArrayList<>();
    try (CloudProvider cloud =
        factory.connect(
            new ConnectionSpec(
                cw.region,
                p == Provider.UCLOUD_COMPSHARE ? "cn-wlcb-01" : null,
                new Credentials(keys),
                sim.endpoint(),
                Duration.ofSeconds(5)))) {
      for (String id : sample) {
        try {
          one(cloud, id);
        } catch (CloudException | RuntimeException e) {
          failed.add(id + ": " + e.getMessage());
        }
      }
    } catch (CloudException e) {
      failed.add("connect: " + e.getMessage());
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    int calls = sim.ledger().size() - before;
    r.put("instances", sample.size());
    r.put("calls", calls);
    r.put("callsPerInstance", sample.isEmpty() ? 0 : calls / (double) sample.size());
    r.put("msPerInstance", sample.isEmpty() ? 0 : ms / (double) sample.size());
    r.put("failed", failed);
    return r;
  }

  private static void one(CloudProvider cloud, String id) throws CloudException {
    List<CloudDisk> disks = cloud.describeDataDisks(List.of(id)).get(id);
    if (cloud.capabilities().stopBeforeTerminate()) {
      CloudInstance i = cloud.describeInstances(List.of(id)).get(id);
      retrying(() -> cloud.stopInstances(List.of(i)));
      pollInstance(cloud, id, ph -> ph == InstancePhase.STOPPED || ph == InstancePhase.GONE);
    }
    retrying(
        () ->
            cloud.terminateInstances(
                new TerminateRequest(List.of(id), true, false, false, "seed-" + id)));
    pollInstance(cloud, id, ph -> ph == InstancePhase.GONE || ph == InstancePhase.RECYCLED);
    List<String> ids = disks.stream().map(CloudDisk::id).toList();
    if (ids.isEmpty() || !cloud.canObserveUnattachedDisks()) {
      return;
    }
    Map<String, CloudDisk> now = cloud.describeDisks(ids);
    for (CloudDisk d : now.values()) {
      if (d.phase() == DiskPhase.ATTACHED) {
        cloud.detachDisks(id, List.of(d.id()));
      }
    }
    List<String> left = ids;
    for (int n = 0; n < MAX_POLLS; n++) {
      now = cloud.describeDisks(left);
      if (now.values().stream()
          .noneMatch(d -> d.phase() == DiskPhase.ATTACHED || d.phase() == DiskPhase.BUSY)) {
        break;
      }
      LockSupport.parkNanos(POLL_DISK.toNanos());
    }
    List<String> release =
        now.values().stream()
            .filter(d -> d.phase() == DiskPhase.AVAILABLE)
            .map(CloudDisk::id)
            .toList();
    for (List<String> chunk : Batches.chunks(release, cloud.capabilities().maxDisksPerRelease())) {
      retrying(
          () -> cloud.releaseDisks(new ReleaseDisksRequest(chunk, false, "seed-" + chunk.get(0))));
    }
  }

  interface Call {
    Object run() throws CloudException;
  }

  /** The script retried a refused call after its instance poll interval. */
  private static void retrying(Call c) throws CloudException {
    for (int n = 0; ; n++) {
      try {
        c.run();
        return;
      } catch (CloudException e) {
        if (!e.error().isRetryable() || n >= MAX_POLLS) {
          throw e;
        }
        LockSupport.parkNanos(POLL_INSTANCE.toNanos());
      }
    }
  }

  private static void pollInstance(CloudProvider cloud, String id, Predicate<InstancePhase> done)
      throws CloudException {
    for (int n = 0; n < MAX_POLLS; n++) {
      LockSupport.parkNanos(POLL_INSTANCE.toNanos());
      if (done.test(cloud.describeInstances(List.of(id)).get(id).phase())) {
        return;
      }
    }
    throw new IllegalStateException(id + " did not finish in " + MAX_POLLS + " polls");
  }
}
