package dev.teardown.cloud.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.cloud.BatchResult;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.ErrorKind;
import dev.teardown.cloud.ReleaseDisksRequest;
import dev.teardown.cloud.TerminateRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batching decorator with a fake cloud below it and window timers the test fires itself. */
class BatchingProviderTest {
  static final Duration WINDOW = Duration.ofMillis(40);
  static final Duration WAIT = Duration.ofSeconds(10);

  final ManualScheduler timers = new ManualScheduler();
  final RecordingCloud cloud = new RecordingCloud();
  final ExecutorService pool = Executors.newCachedThreadPool();
  final TransitionClock transitions =
      new TransitionClock(System::nanoTime, Duration.ofMillis(200), Duration.ofMinutes(1));
  Coalescer coalescer = new Coalescer(WINDOW, Duration.ofSeconds(30), timers, Runnable::run);
  BatchingProvider provider = new BatchingProvider("tencentcloud", cloud, coalescer, transitions);

  @AfterEach
  void stop() {
    if (cloud.gate != null) {
      cloud.gate.countDown();
    }
    pool.shutdownNow();
  }

  /**
   * Starts every call on its own thread (as reconciles do), waits until all are in open batches,
   * fires the window.
   */
  <V> List<Future<V>> concurrently(List<Callable<V>> calls, int stillWaitingBeforeTheWindow) {
    List<Future<V>> out = calls.stream().map(pool::submit).toList();
    await().atMost(WAIT).until(() -> coalescer.waiting() == stillWaitingBeforeTheWindow);
    timers.fireAll();
    return out;
  }

  <V> Future<V> alone(Callable<V> call) {
    return concurrently(List.of(call), 1).get(0);
  }

  static <V> V get(Future<V> f) throws Exception {
    return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  static CloudException failure(Future<?> f) throws Exception {
    try {
      f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return (CloudException) e.getCause();
    }
    throw new AssertionError("expected the call to fail");
  }

  static TerminateRequest terminate(String token, String... ids) {
    return new TerminateRequest(List.of(ids), true, false, false, token);
  }

  @Test
  void aBatchOf250DescribesIsSplitAt100AndEveryDeletionGetsExactlyItsOwnIds() throws Exception {
    List<Callable<Map<String, CloudInstance>>> calls = new ArrayList<>();
    IntStream.range(0, 250)
        .forEach(i -> calls.add(() -> provider.describeInstances(List.of("ins-" + i))));

    List<Future<Map<String, CloudInstance>>> answers = calls.stream().map(pool::submit).toList();
    // two batches fill up and go at once; the last 50 wait for their window
    await().atMost(WAIT).until(() -> cloud.describeCalls.size() == 2 && coalescer.waiting() == 50);
    timers.fireAll();

    for (int i = 0; i < 250; i++) {
      assertThat(get(answers.get(i))).containsOnlyKeys("ins-" + i);
    }
    assertThat(cloud.describeCalls).extracting(List::size).containsExactlyInAnyOrder(100, 100, 50);
    assertThat(cloud.describeCalls.stream().flatMap(List::stream).distinct().count())
        .isEqualTo(250);
    assertThat(timers.delays())
        .as("a batch never stays open longer than the window")
        .isNotEmpty()
        .allMatch(d -> d.compareTo(WINDOW) <= 0)
        .contains(WINDOW);
  }

  @Test
  void dataDiskLookUpsAreMergedOnlyAsFarAsOneLookUpCallGoes() throws Exception {
    List<Callable<Map<String, List<dev.teardown.cloud.CloudDisk>>>> calls = new ArrayList<>();
    IntStream.range(0, 12)
        .forEach(i -> calls.add(() -> provider.describeDataDisks(List.of("ins-" + i))));
    List<Future<Map<String, List<dev.teardown.cloud.CloudDisk>>>> answers =
        calls.stream().map(pool::submit).toList();
    await().atMost(WAIT).until(() -> cloud.describeCalls.size() == 2 && coalescer.waiting() == 2);
    timers.fireAll();
    for (int i = 0; i < 12; i++) {
      assertThat(get(answers.get(i))).containsOnlyKeys("ins-" + i);
    }
    assertThat(cloud.describeCalls).extracting(List::size).containsExactlyInAnyOrder(5, 5, 2);
  }

  @Test
  void aRequestThatWouldOverflowTheOpenBatchStartsTheNextOne() throws Exception {
    List<String> sixty = IntStream.range(0, 60).mapToObj(i -> "ins-a" + i).toList();
    List<String> fifty = IntStream.range(0, 50).mapToObj(i -> "ins-b" + i).toList();
    Future<Map<String, CloudInstance>> a = pool.submit(() -> provider.describeInstances(sixty));
    await().atMost(WAIT).until(() -> coalescer.waiting() == 1);
    Future<Map<String, CloudInstance>> b = pool.submit(() -> provider.describeInstances(fifty));
    await().atMost(WAIT).until(() -> cloud.describeCalls.size() == 1 && coalescer.waiting() == 1);
    timers.fireAll();

    assertThat(get(a)).containsOnlyKeys(sixty);
    assertThat(get(b)).containsOnlyKeys(fifty);
    assertThat(cloud.describeCalls).containsExactly(sixty, fifty);
  }

  @Test
  void mergedTerminateAnswersGoBackToTheRightDeletionsPerItem() throws Exception {
    cloud.perId.put(
        "ins-a2",
        CloudError.of(ErrorKind.NOT_FOUND, "InvalidInstanceId.NotFound", "gone", "r", "T"));
    cloud.perId.put(
        "ins-c1", CloudError.of(ErrorKind.TERMINAL, "OperationDenied", "protected", "r", "T"));
    get(
        alone(
            () ->
                provider.describeInstances(
                    List.of("ins-a1", "ins-a2", "ins-b1", "ins-c1", "ins-c2"))));

    List<Future<BatchResult>> r =
        concurrently(
            List.of(
                () -> provider.terminateInstances(terminate("tok-a", "ins-a1", "ins-a2")),
                () -> provider.terminateInstances(terminate("tok-b", "ins-b1")),
                () -> provider.terminateInstances(terminate("tok-c", "ins-c1", "ins-c2"))),
            3);

    assertThat(get(r.get(0)).failures()).containsOnlyKeys("ins-a2");
    assertThat(get(r.get(1)).failures()).isEmpty();
    assertThat(get(r.get(2)).failures()).containsOnlyKeys("ins-c1");
    assertThat(cloud.terminates).hasSize(1);
    TerminateRequest sent = cloud.terminates.get(0);
    assertThat(sent.instanceIds())
        .containsExactlyInAnyOrder("ins-a1", "ins-a2", "ins-b1", "ins-c1", "ins-c2");
    assertThat(sent.releaseDataDisks()).isTrue();
    assertThat(sent.idempotencyToken())
        .as("the token covers exactly the merged set and its members' attempts")
        .isEqualTo(
            BatchingProvider.mergedToken(
                "terminate", sent.instanceIds(), List.of("tok-a", "tok-b", "tok-c")))
        .isNotIn("tok-a", "tok-b", "tok-c")
        .hasSizeLessThanOrEqualTo(64);
    assertThat(get(r.get(0)).requestId())
        .isEqualTo(get(r.get(2)).requestId())
        .isEqualTo("terminate-1");
  }

  @Test
  void aMergedTerminateAndReleaseCarryTheirMembersObservationsTogether() throws Exception {
    Map<String, CloudInstance> seen =
        get(alone(() -> provider.describeInstances(List.of("ins-a1", "ins-b1"))));
    List<Future<BatchResult>> r =
        concurrently(
            List.of(
                () ->
                    provider.terminateInstances(
                        new TerminateRequest(
                            List.of("ins-a1"),
                            true,
                            false,
                            false,
                            "tok-a",
                            Map.of("ins-a1", seen.get("ins-a1")))),
                () ->
                    provider.terminateInstances(
                        new TerminateRequest(
                            List.of("ins-b1"),
                            true,
                            false,
                            false,
                            "tok-b",
                            Map.of("ins-b1", seen.get("ins-b1"))))),
            2);
    for (Future<BatchResult> f : r) {
      assertThat(get(f).failures()).isEmpty();
    }
    assertThat(cloud.terminates).hasSize(1);
    TerminateRequest sent = cloud.terminates.get(0);
    assertThat(sent.observedAll(sent.instanceIds())).isNotNull();
    assertThat(sent.observed()).containsOnlyKeys("ins-a1", "ins-b1");

    dev.teardown.cloud.CloudDisk d1 = dev.teardown.cloud.CloudDisk.gone("disk-1");
    dev.teardown.cloud.CloudDisk d2 = dev.teardown.cloud.CloudDisk.gone("disk-2");
    List<Future<BatchResult>> rel =
        concurrently(
            List.of(
                () ->
                    provider.releaseDisks(
                        new ReleaseDisksRequest(
                            List.of("disk-1"), false, "r-a", Map.of("disk-1", d1))),
                () ->
                    provider.releaseDisks(
                        new ReleaseDisksRequest(
                            List.of("disk-2"), false, "r-b", Map.of("disk-2", d2)))),
            2);
    for (Future<BatchResult> f : rel) {
      get(f);
    }
    assertThat(cloud.releases).hasSize(1);
    assertThat(cloud.releases.get(0).observed()).containsOnlyKeys("disk-1", "disk-2");
  }

  @Test
  void mergedTokenDependsOnTheSetAndTheAttemptsNotOnTheOrder() {
    String t = BatchingProvider.mergedToken("terminate", List.of("a", "b"), List.of("t1", "t2"));
    assertThat(BatchingProvider.mergedToken("terminate", List.of("b", "a"), List.of("t2", "t1")))
        .isEqualTo(t);
    assertThat(
            BatchingProvider.mergedToken("terminate", List.of("a", "b", "c"), List.of("t1", "t2")))
        .isNotEqualTo(t);
    assertThat(
            BatchingProvider.mergedToken("terminate", List.of("a", "b"), List.of("t1", "t2-next")))
        .isNotEqualTo(t);
  }

  @Test
  void terminatesOfDifferentChargeTypesOrFlagsAreNeverMerged() throws Exception {
    cloud.chargeTypes.put("ins-pre", "PREPAID");
    get(
        alone(
            () ->
                provider.describeInstances(
                    List.of("ins-pre", "ins-post", "ins-post2", "ins-post3"))));

    List<Future<BatchResult>> r =
        concurrently(
            List.of(
                () -> provider.terminateInstances(terminate("t1", "ins-pre")),
                () -> provider.terminateInstances(terminate("t2", "ins-post")),
                () ->
                    provider.terminateInstances(
                        new TerminateRequest(List.of("ins-post2"), false, false, false, "t3")),
                () -> provider.terminateInstances(terminate("t4", "ins-post3"))),
            4);
    for (Future<BatchResult> f : r) {
      get(f);
    }

    assertThat(cloud.terminates)
        .extracting(t -> java.util.Set.copyOf(t.instanceIds()))
        .containsExactlyInAnyOrder(
            java.util.Set.of("ins-pre"),
            java.util.Set.of("ins-post2"),
            java.util.Set.of("ins-post", "ins-post3"));
  }

  @Test
  void aTerminateWhoseChargeTypeWasNotObservedGoesAlone() throws Exception {
    List<Future<BatchResult>> r =
        concurrently(
            List.of(
                () -> provider.terminateInstances(terminate("t1", "ins-x")),
                () -> provider.terminateInstances(terminate("t2", "ins-y"))),
            2);
    get(r.get(0));
    get(r.get(1));
    assertThat(cloud.terminates)
        .extracting(TerminateRequest::instanceIds)
        .containsExactlyInAnyOrder(List.of("ins-x"), List.of("ins-y"));
    assertThat(cloud.terminates)
        .extracting(TerminateRequest::idempotencyToken)
        .containsExactlyInAnyOrder("t1", "t2");
  }

  @Test
  void aMergedCallRefusedAsAWholeIsRetriedPerDeletionSoOnlyTheRefusingDeletionFails()
      throws Exception {
    cloud.refuse =
        ids ->
            ids.contains("disk-bad")
                ? CloudError.of(
                    ErrorKind.TERMINAL,
                    "InvalidDisk.NotPortable",
                    "disk-bad cannot be released",
                    "r1",
                    "T")
                : null;

    List<Future<BatchResult>> r =
        concurrently(
            List.of(
                () ->
                    provider.releaseDisks(
                        new ReleaseDisksRequest(List.of("disk-a1", "disk-a2"), false, "ta")),
                () ->
                    provider.releaseDisks(
                        new ReleaseDisksRequest(List.of("disk-bad"), false, "tb")),
                () ->
                    provider.releaseDisks(
                        new ReleaseDisksRequest(List.of("disk-c1"), false, "tc"))),
            3);

    assertThat(get(r.get(0)).failures()).isEmpty();
    assertThat(failure(r.get(1)).error().code()).isEqualTo("InvalidDisk.NotPortable");
    assertThat(get(r.get(2)).failures()).isEmpty();
    assertThat(cloud.releases).hasSize(4);
    assertThat(cloud.releases.subList(1, 4))
        .extracting(ReleaseDisksRequest::idempotencyToken)
        .as("alone, each deletion's own call with its own token")
        .containsExactlyInAnyOrder("ta", "tb", "tc");
  }

  @Test
  void aRetryableRefusalOfAMergedDescribeGoesToEveryDeletionWithoutPerDeletionCalls()
      throws Exception {
    cloud.refuse =
        ids -> CloudError.of(ErrorKind.THROTTLED, "RequestLimitExceeded", "slow down", "r", "D");

    List<Future<Map<String, CloudInstance>>> r =
        concurrently(
            List.of(
                () -> provider.describeInstances(List.of("ins-1")),
                () -> provider.describeInstances(List.of("ins-2"))),
            2);

    assertThat(failure(r.get(0)).error().kind()).isEqualTo(ErrorKind.THROTTLED);
    assertThat(failure(r.get(1)).error().kind()).isEqualTo(ErrorKind.THROTTLED);
    assertThat(cloud.describeCalls).hasSize(1);
  }

  @Test
  void aMemberRetryingAfterALostAnswerReplaysTheSameMergedCallAndTheOthersGetItsAnswerWithoutACall()
      throws Exception {
    get(alone(() -> provider.describeInstances(List.of("ins-a", "ins-b"))));
    AtomicInteger calls = new AtomicInteger();
    cloud.refuse =
        ids ->
            calls.incrementAndGet() == 1
                ? CloudError.of(ErrorKind.RETRYABLE, "NetworkError", "read timed out", null, "T")
                : null;
    List<Future<BatchResult>> first =
        concurrently(
            List.of(
                () -> provider.terminateInstances(terminate("tok-a", "ins-a")),
                () -> provider.terminateInstances(terminate("tok-b", "ins-b"))),
            2);
    assertThat(failure(first.get(0)).error().kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(failure(first.get(1)).error().kind()).isEqualTo(ErrorKind.RETRYABLE);

    BatchResult a = get(alone(() -> provider.terminateInstances(terminate("tok-a", "ins-a"))));
    BatchResult b = provider.terminateInstances(terminate("tok-b", "ins-b"));

    assertThat(a.failures()).isEmpty();
    assertThat(b.failures()).isEmpty();
    assertThat(cloud.terminates).hasSize(2);
    assertThat(cloud.terminates.get(1))
        .as("the retry is the lost call itself, token and all")
        .isEqualTo(cloud.terminates.get(0));
  }

  @Test
  void aReplayedMergedCallRefusedForAnotherDeletionsItemFailsOnlyThatDeletion() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    cloud.refuse =
        ids -> {
          if (calls.incrementAndGet() == 1) {
            return CloudError.of(ErrorKind.RETRYABLE, "NetworkError", "read timed out", null, "R");
          }
          return ids.contains("disk-bad")
              ? CloudError.of(
                  ErrorKind.TERMINAL, "InvalidParameter", "disk-bad is refused", "r2", "R")
              : null;
        };
    List<Future<BatchResult>> first =
        concurrently(
            List.of(
                () ->
                    provider.releaseDisks(new ReleaseDisksRequest(List.of("disk-a1"), false, "ta")),
                () ->
                    provider.releaseDisks(
                        new ReleaseDisksRequest(List.of("disk-bad"), false, "tb"))),
            2);
    assertThat(failure(first.get(0)).error().kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(failure(first.get(1)).error().kind()).isEqualTo(ErrorKind.RETRYABLE);

    // Only the first deletion retries now, alone: it replays the merged call, which the cloud now
    // refuses because of the other deletion's disk. That refusal is not its own.
    BatchResult a =
        get(
            alone(
                () ->
                    provider.releaseDisks(
                        new ReleaseDisksRequest(List.of("disk-a1"), false, "ta"))));
    assertThat(a.failures()).isEmpty();
    CloudException b =
        failure(
            alone(
                () ->
                    provider.releaseDisks(
                        new ReleaseDisksRequest(List.of("disk-bad"), false, "tb"))));
    assertThat(b.error().code()).isEqualTo("InvalidParameter");
    // the two requests reach the merge in either order
    assertThat(cloud.releases)
        .extracting(ReleaseDisksRequest::diskIds)
        .as("the merged call, its replay, then each deletion's own call")
        .satisfiesExactly(
            merged -> assertThat(merged).containsExactlyInAnyOrder("disk-a1", "disk-bad"),
            replay -> assertThat(replay).containsExactlyInAnyOrder("disk-a1", "disk-bad"),
            own -> assertThat(own).containsExactly("disk-a1"),
            own -> assertThat(own).containsExactly("disk-bad"));
    assertThat(cloud.releases.subList(2, 4))
        .extracting(ReleaseDisksRequest::idempotencyToken)
        .containsExactly("ta", "tb");
  }

  @Test
  void aLoneCallWhoseAnswerWasLostIsRetriedAloneWithItsOwnTokenEvenWhenOthersAreWaiting()
      throws Exception {
    get(alone(() -> provider.describeInstances(List.of("ins-a", "ins-b"))));
    AtomicInteger calls = new AtomicInteger();
    cloud.refuse =
        ids ->
            calls.incrementAndGet() == 1
                ? CloudError.of(ErrorKind.RETRYABLE, "NetworkError", "read timed out", null, "T")
                : null;
    assertThat(
            failure(alone(() -> provider.terminateInstances(terminate("tok-a", "ins-a"))))
                .error()
                .kind())
        .isEqualTo(ErrorKind.RETRYABLE);

    List<Future<BatchResult>> next =
        concurrently(
            List.of(
                () -> provider.terminateInstances(terminate("tok-a", "ins-a")),
                () -> provider.terminateInstances(terminate("tok-b", "ins-b"))),
            2);
    get(next.get(0));
    get(next.get(1));

    assertThat(cloud.terminates)
        .extracting(TerminateRequest::idempotencyToken)
        .containsExactlyInAnyOrder("tok-a", "tok-a", "tok-b");
    assertThat(cloud.terminates)
        .extracting(TerminateRequest::instanceIds)
        .containsExactlyInAnyOrder(List.of("ins-a"), List.of("ins-a"), List.of("ins-b"));
  }

  @Test
  void noSubmitterWaitsOnABatchBeyondTheWindowPlusTheCallBound() throws Exception {
    cloud.gate = new CountDownLatch(1); // the cloud never answers while the test runs
    coalescer =
        new Coalescer(WINDOW, Duration.ofMillis(300), timers, Executors.newCachedThreadPool());
    provider = new BatchingProvider("tencentcloud", cloud, coalescer, transitions);

    Future<Map<String, CloudInstance>> r =
        alone(() -> provider.describeInstances(List.of("ins-1")));

    CloudException e = failure(r);
    assertThat(cloud.gate.getCount()).as("the call is still in flight").isEqualTo(1);
    assertThat(e.error().code()).isEqualTo("BatchTimeout");
    assertThat(e.error().kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(coalescer.maxWait()).isEqualTo(WINDOW.plusMillis(300));
    assertThat(timers.delays()).allMatch(d -> d.compareTo(WINDOW) <= 0).contains(WINDOW);
  }

  @Test
  void aLoneRequestGoesAfterTheIdleTimeNotTheWholeWindow() throws Exception {
    get(alone(() -> provider.describeInstances(List.of("ins-1"))));
    assertThat(timers.delays()).containsExactly(WINDOW, WINDOW.dividedBy(4));
  }

  @Test
  void aBatchThatASecondRequestJoinedWaitsForItsWindowNotTheIdleTime() throws Exception {
    List<Future<Map<String, CloudInstance>>> r =
        concurrently(
            List.of(
                () -> provider.describeInstances(List.of("ins-1")),
                () -> provider.describeInstances(List.of("ins-2"))),
            2);
    assertThat(get(r.get(0))).containsOnlyKeys("ins-1");
    assertThat(get(r.get(1))).containsOnlyKeys("ins-2");
    assertThat(timers.delays())
        .as("one window and the first request's idle time; none once the second joined")
        .containsExactly(WINDOW, WINDOW.dividedBy(4));
    assertThat(cloud.describeCalls).hasSize(1);
  }

  @Test
  void stopsAndDetachesPassStraightThrough() throws Exception {
    provider.detachDisks("ins-1", List.of("disk-1"));
    provider.stopInstances(List.of());
    assertThat(timers.delays()).isEmpty();
  }

  @Test
  void aCloudThatTakesOneInstancePerTerminateIsNeverBatched() throws Exception {
    cloud.caps = new dev.teardown.cloud.Capabilities(1, 1, 1, true, false, false);
    provider.terminateInstances(terminate("t1", "uhost-1"));
    provider.releaseDisks(new ReleaseDisksRequest(List.of("bs-1"), false, "t2"));
    assertThat(timers.delays()).isEmpty();
    assertThat(cloud.terminates)
        .extracting(TerminateRequest::idempotencyToken)
        .containsExactly("t1");
  }
}
