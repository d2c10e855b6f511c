package dev.teardown.cloud.batch;

import dev.teardown.cloud.BatchResult;
import dev.teardown.cloud.Capabilities;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.ErrorKind;
import dev.teardown.cloud.ReleaseDisksRequest;
import dev.teardown.cloud.TerminateRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Coalesces the calls of all deletions that share a connection (provider, credentials, region) and
 * an action into one call, up to the API's batch limit: describes of instances and disks,
 * terminates (with equal flags and, where the cloud demands it, one charge type per call) and disk
 * releases. Each deletion gets back exactly its own ids' results, so the steps never know their
 * calls were merged. Stops and detaches (one instance per call) pass through.
 *
 * <p><b>Refusals.</b> A merged call refused as a whole with a non-retryable error is sent again
 * once per deletion, unmerged, so the refusal lands only on the deletion whose items caused it. A
 * retryable refusal goes to every deletion of the batch (they back off together and are merged
 * again).
 *
 * <p><b>Idempotency.</b> A merged mutation carries a token derived from the sorted merged ids and
 * the sorted tokens of its members (each member's token encodes its own attempt), so the token
 * covers exactly the merged set. Before it is sent, every member's token is pinned to it: a member
 * retrying after a lost or late answer (same token, since its attempt did not advance) replays
 * exactly that merged call with the same token, which the cloud answers from its record instead of
 * deleting again, or, once the answer is known, gets it without another call.
 */
public final class BatchingProvider implements CloudProvider {
  /** Ids per describe call (Tencent, Volcengine and CompShare all take 100). */
  public static final int DESCRIBE_LIMIT = 100;

  /**
   * Instances per merged look-up of data disks unless the cloud's {@link
   * Capabilities#maxInstancesPerDiskLookup()} says otherwise. Tencent's DescribeDisks takes 5
   * instance ids per filter, so a larger merge saves no call; and a merged port call that makes
   * many SDK calls is all-or-nothing, so one that outgrew the rate budget would be deferred as a
   * whole again and again and no deletion in it would progress. Volcengine finds the volumes of 100
   * instances with one DescribeInstances and merges up to that.
   */
  public static final int DATA_DISKS_LIMIT = Capabilities.DEFAULT_INSTANCES_PER_DISK_LOOKUP;

  private static final int MAX_REMEMBERED = 100_000;

  /**
   * How long a member's retry replays its pinned call: longer than any backoff between a lost
   * answer and the retry ({@code TEARDOWN_RETRY_MAX} defaults to 5 minutes); a retry after that is
   * a new call with a new token.
   */
  static final java.time.Duration PIN_TTL = java.time.Duration.ofMinutes(15);

  private final String provider;
  private final CloudProvider delegate;
  private final Coalescer coalescer;
  private final TransitionClock transitions;
  private final Map<String, Pin> pins = bounded();
  private final Map<String, String> chargeTypes = bounded();

  public BatchingProvider(
      String provider, CloudProvider delegate, Coalescer coalescer, TransitionClock transitions) {
    this.provider = provider;
    this.delegate = delegate;
    this.coalescer = coalescer;
    this.transitions = transitions;
  }

  private static <K, V> Map<K, V> bounded() {
    return java.util.Collections.synchronizedMap(
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
            return size() > MAX_REMEMBERED;
          }
        });
  }

  public CloudProvider delegate() {
    return delegate;
  }

  @Override
  public Capabilities capabilities() {
    return delegate.capabilities();
  }

  // ------------------------------------------------------------------------------------------------ observe

  @Override
  public Map<String, CloudInstance> describeInstances(List<String> ids) throws CloudException {
    if (ids.isEmpty()) {
      return delegate.describeInstances(ids);
    }
    return coalescer.submit(
        "describeInstances",
        ids,
        ids.size(),
        DESCRIBE_LIMIT,
        merged(
            delegate::describeInstances,
            all -> {
              all.values()
                  .forEach(
                      i -> {
                        if (i.chargeType() != null) {
                          chargeTypes.put(i.id(), i.chargeType());
                        }
                      });
              transitions.observedInstances(all.values());
            }));
  }

  @Override
  public Map<String, List<CloudDisk>> describeDataDisks(List<String> ids) throws CloudException {
    if (ids.isEmpty()) {
      return delegate.describeDataDisks(ids);
    }
    return coalescer.submit(
        "describeDataDisks",
        ids,
        ids.size(),
        Math.max(1, delegate.capabilities().maxInstancesPerDiskLookup()),
        merged(delegate::describeDataDisks, all -> {}));
  }

  @Override
  public Map<String, CloudDisk> describeDisks(List<String> ids) throws CloudException {
    if (ids.isEmpty()) {
      return delegate.describeDisks(ids);
    }
    return coalescer.submit(
        "describeDisks",
        ids,
        ids.size(),
        DESCRIBE_LIMIT,
        merged(delegate::describeDisks, all -> transitions.observedDisks(all.values())));
  }

  @FunctionalInterface
  private interface Describe<V> {
    Map<String, V> call(List<String> ids) throws CloudException;
  }

  /** One describe over the union of the requests' ids, split back per request. */
  private static <V> Coalescer.MergedCall<List<String>, Map<String, V>> merged(
      Describe<V> describe, java.util.function.Consumer<Map<String, V>> seen) {
    return requests -> {
      List<String> union = union(requests, Function.identity());
      Map<String, V> all;
      try {
        all = describe.call(union);
      } catch (CloudException e) {
        return fallback(requests, e, describe::call);
      }
      seen.accept(all);
      List<Coalescer.Answer<Map<String, V>>> out = new ArrayList<>();
      for (List<String> r : requests) {
        Map<String, V> mine = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String id : r) {
          V v = all.get(id);
          if (v == null) {
            missing.add(id);
          } else {
            mine.put(id, v);
          }
        }
        out.add(
            missing.isEmpty()
                ? Coalescer.Answer.of(mine)
                : Coalescer.Answer.failed(
                    new CloudException(
                        CloudError.of(
                            ErrorKind.RETRYABLE,
                            "IncompleteAnswer",
                            "the cloud's answer left out " + missing,
                            null,
                            "Describe"))));
      }
      return out;
    };
  }

  @Override
  public boolean releasedWithInstance(
      CloudInstance instance, CloudDisk disk, boolean releaseDataDisks) {
    return delegate.releasedWithInstance(instance, disk, releaseDataDisks);
  }

  // ------------------------------------------------------------------------------------------------ mutate

  @Override
  public BatchResult stopInstances(List<CloudInstance> instances) throws CloudException {
    BatchResult r = delegate.stopInstances(instances);
    transitions.accepted(
        provider,
        TransitionClock.Action.STOP,
        instances.stream().map(CloudInstance::id).filter(id -> !r.failed(id)).toList());
    return r;
  }

  @Override
  public BatchResult detachDisks(String instanceId, List<String> diskIds) throws CloudException {
    BatchResult r = delegate.detachDisks(instanceId, diskIds);
    transitions.accepted(
        provider,
        TransitionClock.Action.DETACH,
        diskIds.stream().filter(id -> !r.failed(id)).toList());
    return r;
  }

  @Override
  public BatchResult terminateInstances(TerminateRequest request) throws CloudException {
    TransitionClock.Action action =
        request.purge() ? TransitionClock.Action.PURGE : TransitionClock.Action.TERMINATE;
    int limit = delegate.capabilities().maxInstancesPerTerminate();
    BatchResult r;
    Pin pin = pinOf("terminate", request.idempotencyToken());
    if (pin != null) {
      r = replay(pin, request, TerminateRequest::instanceIds);
    } else if (limit <= 1) {
      r = delegate.terminateInstances(request);
    } else {
      String key =
          "terminate|"
              + request.releaseDataDisks()
              + "|"
              + request.releaseAddress()
              + "|"
              + request.purge()
              + "|"
              + chargeGroup(request);
      r =
          coalescer.submit(
              key,
              request,
              request.instanceIds().size(),
              limit,
              mutation(
                  "terminate",
                  TerminateRequest::instanceIds,
                  TerminateRequest::idempotencyToken,
                  (ids, token, members) ->
                      new TerminateRequest(
                          ids,
                          request.releaseDataDisks(),
                          request.releaseAddress(),
                          request.purge(),
                          token,
                          TerminateRequest.observedOf(members)),
                  delegate::terminateInstances));
    }
    transitions.accepted(
        provider, action, request.instanceIds().stream().filter(id -> !r.failed(id)).toList());
    return r;
  }

  @Override
  public BatchResult releaseDisks(ReleaseDisksRequest request) throws CloudException {
    int limit = delegate.capabilities().maxDisksPerRelease();
    BatchResult r;
    Pin pin = pinOf("release", request.idempotencyToken());
    if (pin != null) {
      r = replay(pin, request, ReleaseDisksRequest::diskIds);
    } else if (limit <= 1) {
      r = delegate.releaseDisks(request);
    } else {
      r =
          coalescer.submit(
              "release|" + request.purge(),
              request,
              request.diskIds().size(),
              limit,
              mutation(
                  "release",
                  ReleaseDisksRequest::diskIds,
                  ReleaseDisksRequest::idempotencyToken,
                  (ids, token, members) ->
                      new ReleaseDisksRequest(
                          ids, request.purge(), token, ReleaseDisksRequest.observedOf(members)),
                  delegate::releaseDisks));
    }
    transitions.accepted(
        provider,
        request.purge() ? TransitionClock.Action.PURGE : TransitionClock.Action.RELEASE,
        request.diskIds().stream().filter(id -> !r.failed(id)).toList());
    return r;
  }

  /**
   * The charge type shared by every instance of a terminate, as last observed, where the cloud
   * takes one charge type per call; a request whose charge type is not known goes alone.
   */
  private String chargeGroup(TerminateRequest request) {
    if (!delegate.capabilities().sameChargeTypePerTerminate()) {
      return "";
    }
    String first = null;
    for (String id : request.instanceIds()) {
      String ct = chargeTypes.get(id);
      if (ct == null || (first != null && !first.equals(ct))) {
        return "alone:" + System.identityHashCode(request) + ":" + request.idempotencyToken();
      }
      first = ct;
    }
    return first;
  }

  /** The merged request over the union of ids, with the members' observations. */
  @FunctionalInterface
  private interface Merge<R> {
    R apply(List<String> ids, String token, List<R> members);
  }

  @FunctionalInterface
  private interface Mutate<R> {
    BatchResult call(R request) throws CloudException;
  }

  /**
   * A merged mutation: one call over the union, its per-id results split back; members pinned to it
   * first.
   */
  private <R> Coalescer.MergedCall<R, BatchResult> mutation(
      String action,
      Function<R, List<String>> ids,
      Function<R, String> token,
      Merge<R> build,
      Mutate<R> call) {
    return requests -> {
      List<String> union = union(requests, ids);
      List<String> tokens = requests.stream().map(token).toList();
      boolean tokened = tokens.stream().allMatch(t -> t != null && !t.isBlank());
      // alone, a request keeps its own token; pinned all the same, so that its retry is never
      // merged into a call
      // with another token
      R merged =
          requests.size() == 1
              ? requests.get(0)
              : build.apply(union, tokened ? mergedToken(action, union, tokens) : null, requests);
      Pin pin = new Pin(action, merged, union, call);
      if (tokened) {
        tokens.forEach(t -> pins.put(action + "|" + t, pin));
      }
      BatchResult all;
      try {
        all = pin.send();
      } catch (CloudException e) {
        if (tokened && !e.error().isRetryable()) {
          tokens.forEach(
              t -> pins.remove(action + "|" + t)); // refused as a whole: nothing happened to replay
        }
        return fallback(requests, e, call::call);
      }
      // The pins stay (bounded, least recently used dropped): a member whose wait ended before this
      // answer, or whose
      // status write was lost, retries with the same token and gets this answer without another
      // call.
      List<Coalescer.Answer<BatchResult>> out = new ArrayList<>();
      for (R r : requests) {
        out.add(Coalescer.Answer.of(split(all, ids.apply(r))));
      }
      return out;
    };
  }

  /**
   * A member of an earlier merged mutation retries: the same merged call with the same token, or
   * its answer.
   */
  @SuppressWarnings("unchecked")
  private <R> BatchResult replay(Pin pin, R request, Function<R, List<String>> idsOf)
      throws CloudException {
    BatchResult known = pin.answer;
    if (known == null) {
      known =
          coalescer.submit(
              "replay|" + pin.action + "|" + System.identityHashCode(pin),
              request,
              0,
              Integer.MAX_VALUE,
              requests -> {
                try {
                  BatchResult r = pin.send();
                  return requests.stream().map(x -> Coalescer.Answer.of(r)).toList();
                } catch (CloudException e) {
                  if (e.error().isRetryable()) {
                    return requests.stream()
                        .map(x -> Coalescer.Answer.<BatchResult>failed(e))
                        .toList();
                  }
                  // Refused as a whole: nothing to replay any more. The pinned call may hold other
                  // deletions' items, so the refusal is a replaying member's own only when the call
                  // was its own request; every other member tries its own request, unmerged.
                  unpin(pin);
                  List<Coalescer.Answer<BatchResult>> out = new ArrayList<>();
                  for (R x : requests) {
                    out.add(
                        new java.util.HashSet<>(idsOf.apply(x)).equals(pin.ids)
                            ? Coalescer.Answer.failed(e)
                            : answer(() -> ((Mutate<R>) pin.call).call(x)));
                  }
                  return out;
                }
              });
    }
    return split(known, idsOf.apply(request));
  }

  /** Forgets a pinned call for every member token that points to it. */
  private void unpin(Pin pin) {
    synchronized (pins) {
      pins.values().removeIf(p -> p == pin);
    }
  }

  private Pin pinOf(String action, String token) {
    if (token == null) {
      return null;
    }
    Pin p = pins.get(action + "|" + token);
    if (p != null && System.nanoTime() - p.createdAt > PIN_TTL.toNanos()) {
      pins.remove(action + "|" + token);
      return null;
    }
    return p;
  }

  /**
   * A merged mutation that members can replay: its exact request, and its answer once the cloud
   * gave one.
   */
  private static final class Pin {
    final String action;
    final Object request;
    final java.util.Set<String> ids;
    final Mutate<Object> call;
    final long createdAt = System.nanoTime();
    volatile BatchResult answer;

    @SuppressWarnings("unchecked")
    <R> Pin(String action, R request, List<String> ids, Mutate<R> call) {
      this.action = action;
      this.request = request;
      this.ids = java.util.Set.copyOf(ids);
      this.call = (Mutate<Object>) call;
    }

    BatchResult send() throws CloudException {
      BatchResult r = call.call(request);
      answer = r;
      return r;
    }
  }

  private static BatchResult split(BatchResult all, List<String> ids) {
    Map<String, CloudError> mine = new LinkedHashMap<>();
    for (String id : ids) {
      CloudError e = all.failures().get(id);
      if (e != null) {
        mine.put(id, e);
      }
    }
    return BatchResult.withFailures(all.requestId(), mine);
  }

  /**
   * The token of a merged mutation: the sorted merged ids and the sorted member tokens (which carry
   * attempts).
   */
  static String mergedToken(String action, List<String> ids, List<String> memberTokens) {
    String seed =
        action
            + "|"
            + String.join(",", ids.stream().sorted().toList())
            + "|"
            + String.join(",", memberTokens.stream().sorted().toList());
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
      return "tdm-" + HexFormat.of().formatHex(h).substring(0, 40);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @FunctionalInterface
  private interface Single<R, V> {
    V call(R request) throws CloudException;
  }

  /**
   * A merged call failed as a whole. A retryable failure is every member's; any other is tried
   * again per member, unmerged, so that a refusal caused by one deletion's items fails only that
   * deletion.
   */
  private static <R, V> List<Coalescer.Answer<V>> fallback(
      List<R> requests, CloudException e, Single<R, V> single) {
    List<Coalescer.Answer<V>> out = new ArrayList<>();
    for (R r : requests) {
      if (requests.size() == 1 || e.error().isRetryable()) {
        out.add(Coalescer.Answer.failed(e));
      } else {
        out.add(answer(() -> single.call(r)));
      }
    }
    return out;
  }

  @FunctionalInterface
  private interface Attempt<V> {
    V run() throws CloudException;
  }

  private static <V> Coalescer.Answer<V> answer(Attempt<V> a) {
    try {
      return Coalescer.Answer.of(a.run());
    } catch (CloudException e) {
      return Coalescer.Answer.failed(e);
    }
  }

  private static <R> List<String> union(List<R> requests, Function<R, List<String>> ids) {
    LinkedHashSet<String> all = new LinkedHashSet<>();
    requests.forEach(r -> all.addAll(ids.apply(r)));
    return List.copyOf(all);
  }

  @Override
  public boolean canObserveUnattachedDisks() {
    return delegate.canObserveUnattachedDisks();
  }

  @Override
  public Map<String, Integer> requestsPerSecond() {
    return delegate.requestsPerSecond();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
