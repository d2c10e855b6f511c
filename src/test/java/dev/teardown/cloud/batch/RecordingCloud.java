package dev.teardown.cloud.batch;

import dev.teardown.cloud.BatchResult;
import dev.teardown.cloud.Capabilities;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.DiskPhase;
import dev.teardown.cloud.InstancePhase;
import dev.teardown.cloud.ReleaseDisksRequest;
import dev.teardown.cloud.TerminateRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * A fake cloud below the batching decorator: records every call it gets, answers from simple rules.
 */
final class RecordingCloud implements CloudProvider {
  final List<List<String>> describeCalls = Collections.synchronizedList(new ArrayList<>());
  final List<TerminateRequest> terminates = Collections.synchronizedList(new ArrayList<>());
  final List<ReleaseDisksRequest> releases = Collections.synchronizedList(new ArrayList<>());

  /** Charge type per instance id (default POSTPAID_BY_HOUR). */
  final Map<String, String> chargeTypes = new ConcurrentHashMap<>();

  /** Per-id failures a mutation reports inside an accepted call. */
  final Map<String, CloudError> perId = new ConcurrentHashMap<>();

  /** A whole-call refusal, decided from the call's ids; null = accept. */
  volatile Function<List<String>, CloudError> refuse = ids -> null;

  /** When set, every call waits for it first. */
  volatile CountDownLatch gate;

  Capabilities caps = new Capabilities(100, 10, 50, false, true, true);

  private void pass() {
    CountDownLatch g = gate;
    if (g != null) {
      try {
        g.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void check(List<String> ids) throws CloudException {
    CloudError e = refuse.apply(ids);
    if (e != null) {
      throw new CloudException(e);
    }
  }

  @Override
  public Capabilities capabilities() {
    return caps;
  }

  @Override
  public Map<String, CloudInstance> describeInstances(List<String> ids) throws CloudException {
    pass();
    describeCalls.add(List.copyOf(ids));
    check(ids);
    Map<String, CloudInstance> out = new LinkedHashMap<>();
    for (String id : ids) {
      String ct = chargeTypes.getOrDefault(id, "POSTPAID_BY_HOUR");
      out.put(
          id,
          new CloudInstance(
              id, "RUNNING", InstancePhase.RUNNING, ct, ct.equals("PREPAID"), false, null, false));
    }
    return out;
  }

  @Override
  public Map<String, List<CloudDisk>> describeDataDisks(List<String> ids) throws CloudException {
    pass();
    describeCalls.add(List.copyOf(ids));
    Map<String, List<CloudDisk>> out = new LinkedHashMap<>();
    ids.forEach(id -> out.put(id, List.of()));
    return out;
  }

  @Override
  public Map<String, CloudDisk> describeDisks(List<String> ids) throws CloudException {
    pass();
    describeCalls.add(List.copyOf(ids));
    Map<String, CloudDisk> out = new LinkedHashMap<>();
    ids.forEach(
        id ->
            out.put(
                id,
                new CloudDisk(
                    id,
                    null,
                    "UNATTACHED",
                    DiskPhase.AVAILABLE,
                    "POSTPAID_BY_HOUR",
                    false,
                    false,
                    true)));
    return out;
  }

  @Override
  public boolean releasedWithInstance(
      CloudInstance instance, CloudDisk disk, boolean releaseDataDisks) {
    return false;
  }

  @Override
  public BatchResult stopInstances(List<CloudInstance> instances) {
    return BatchResult.ok("stop");
  }

  @Override
  public BatchResult terminateInstances(TerminateRequest request) throws CloudException {
    pass();
    terminates.add(request);
    check(request.instanceIds());
    return answer("terminate-" + terminates.size(), request.instanceIds());
  }

  @Override
  public BatchResult detachDisks(String instanceId, List<String> diskIds) {
    return BatchResult.ok("detach");
  }

  @Override
  public BatchResult releaseDisks(ReleaseDisksRequest request) throws CloudException {
    pass();
    releases.add(request);
    check(request.diskIds());
    return answer("release-" + releases.size(), request.diskIds());
  }

  private BatchResult answer(String requestId, List<String> ids) {
    Map<String, CloudError> f = new LinkedHashMap<>();
    ids.forEach(
        id -> {
          if (perId.containsKey(id)) {
            f.put(id, perId.get(id));
          }
        });
    return BatchResult.withFailures(requestId, f);
  }
}
