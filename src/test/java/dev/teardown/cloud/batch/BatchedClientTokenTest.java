package dev.teardown.cloud.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.BatchResult;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.ErrorKind;
import dev.teardown.cloud.TerminateRequest;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.FaultRule;
import dev.teardown.sim.volcengine.VolcengineSimulator;
import dev.teardown.testing.LedgerAssert;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Idempotency of merged mutations against the Volcengine simulator's ClientToken record: two
 * deletions' terminates merged into one DeleteInstances whose answer is lost; their retries never
 * delete twice.
 */
class BatchedClientTokenTest {
  static final String AK = "AKLTdGVhcmRvd24tdGVzdA";
  static final String SK = "c2VjcmV0LWZvci10ZXN0cw==";
  static final Duration WAIT = Duration.ofSeconds(10);

  final ManualScheduler timers = new ManualScheduler();
  final ExecutorService pool = Executors.newCachedThreadPool();
  final Coalescer coalescer =
      new Coalescer(Duration.ofMillis(40), Duration.ofSeconds(5), timers, pool);
  SimCloud cloud;
  VolcengineSimulator sim;
  CloudProvider adapter;

  @AfterEach
  void stop() {
    pool.shutdownNow();
    if (cloud != null) {
      cloud.close();
    }
  }

  <V> List<Future<V>> concurrently(List<Callable<V>> calls) {
    List<Future<V>> out = calls.stream().map(pool::submit).toList();
    await().atMost(WAIT).until(() -> coalescer.waiting() == calls.size());
    timers.fireAll();
    return out;
  }

  static TerminateRequest terminate(String token, String id) {
    return new TerminateRequest(List.of(id), false, false, false, token);
  }

  @Test
  void aLostAnswerOfAMergedDeleteIsRetriedWithTheSameClientTokenAndDeletesEachInstanceOnce()
      throws Exception {
    TestWorld w =
        TestWorld.of(Provider.VOLCENGINE)
            .region("cn-beijing")
            .keys(AK, SK)
            .noTimings()
            .timing("terminate", 3000); // still DELETING when the retries come
    w.instance("i-merged1");
    w.instance("i-merged2");
    FaultRule lost = new FaultRule().type(FaultRule.Type.TIMEOUT_AFTER_APPLY).delayMs(1500);
    lost.action = "DeleteInstances";
    w.fault(lost);
    cloud = w.start();
    sim = cloud.sim();
    adapter = cloud.connect(Duration.ofMillis(400));
    BatchingProvider provider =
        new BatchingProvider(
            "volcengine",
            adapter,
            coalescer,
            new TransitionClock(System::nanoTime, Duration.ofMillis(100), Duration.ofSeconds(5)));

    List<Future<BatchResult>> first =
        concurrently(
            List.of(
                () -> provider.terminateInstances(terminate("uid-a|attempt-0", "i-merged1")),
                () -> provider.terminateInstances(terminate("uid-b|attempt-0", "i-merged2"))));
    for (Future<BatchResult> f : first) {
      ExecutionException e =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              ExecutionException.class, () -> f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
      assertThat(((CloudException) e.getCause()).error().kind()).isEqualTo(ErrorKind.RETRYABLE);
    }
    // the cloud did delete both although the answer was lost
    assertThat(sim.instanceStatus("i-merged1")).isNotEqualTo(java.util.Optional.of("RUNNING"));

    BatchResult a =
        concurrently(
                List.<Callable<BatchResult>>of(
                    () -> provider.terminateInstances(terminate("uid-a|attempt-0", "i-merged1"))))
            .get(0)
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    BatchResult b = provider.terminateInstances(terminate("uid-b|attempt-0", "i-merged2"));

    assertThat(a.failures()).isEmpty();
    assertThat(b.failures()).isEmpty();
    LedgerAssert ledger = LedgerAssert.assertThat(sim);
    List<CallLedger.Call> deletes = ledger.calls("DeleteInstances");
    assertThat(deletes).hasSize(2);
    assertThat(deletes)
        .extracting(c -> c.params().get("ClientToken"))
        .containsOnly(
            BatchingProvider.mergedToken(
                "terminate",
                List.of("i-merged1", "i-merged2"),
                List.of("uid-a|attempt-0", "uid-b|attempt-0")));
    assertThat(deletes.get(1).ids()).containsExactlyInAnyOrderElementsOf(deletes.get(0).ids());
    assertThat(deletes).extracting(CallLedger.Call::effective).containsExactly(true, false);
    ledger
        .effectiveOnce("DeleteInstances", "i-merged1")
        .effectiveOnce("DeleteInstances", "i-merged2");
  }
}
