package dev.teardown.cloud.batch;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.CallBudget;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.cloud.TerminateRequest;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.tencent.TencentSimulator;
import dev.teardown.testing.LedgerAssert;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The budget is charged per SDK call inside the adapter, and what the simulator records (its own
 * clock, its own one-second windows) never shows more calls of an action in any second than the
 * budget allows.
 */
class BudgetAgainstLedgerTest {
  static final String REGION = "ap-guangzhou";
  static final String ID = "AKIDteardowntest";
  static final String KEY = "teardown-test-secret";

  SimCloud cloud;
  TencentSimulator sim;
  CloudProvider provider;

  @AfterEach
  void stop() {
    if (cloud != null) {
      cloud.close();
    }
  }

  CloudProvider start(int instances, Map<String, Integer> simLimits, CallBudget budget)
      throws CloudException {
    TestWorld w =
        TestWorld.of(Provider.TENCENTCLOUD)
            .region(REGION)
            .instanceZone(REGION + "-3")
            .keys(ID, KEY)
            .noTimings();
    simLimits.forEach(w::rateLimit);
    for (int i = 0; i < instances; i++) {
      w.instance(String.format("ins-%08d", i));
    }
    cloud = w.start();
    sim = cloud.sim();
    provider =
        cloud.connect(
            spec ->
                new ConnectionSpec(
                    spec.region(),
                    spec.zone(),
                    spec.credentials(),
                    spec.endpoint(),
                    spec.timeout(),
                    budget),
            w.secret(),
            Duration.ofSeconds(5));
    return provider;
  }

  @Test
  void eachSdkCallOfAPortCallIsCharged() throws Exception {
    SlidingWindowBudget budget =
        new SlidingWindowBudget(System::nanoTime, 1.0, Duration.ofMinutes(10))
            .configure(Map.of("DescribeInstances", 1));
    CloudProvider p = start(1, Map.of(), budget);
    p.describeInstances(List.of("ins-00000000"));

    CloudException held =
        catchThrowableOfType(
            CloudException.class,
            () ->
                p.terminateInstances(
                    new TerminateRequest(List.of("ins-00000000"), true, false, false, "t")));

    assertThat(held.error().code()).isEqualTo(CallBudget.DEFERRED);
    ledgerOf(sim).calledOnce("DescribeInstances");
    assertThat(ledgerOf(sim).count("TerminateInstances"))
        .as("the look before the terminate had no budget left")
        .isZero();
  }

  @Test
  void theLedgerNeverShowsMoreCallsInAnySecondThanTheBudgetAndTheCloudRefusesNone()
      throws Exception {
    int perSecond = 6;
    // the simulator enforces exactly the budget: one call too many in any second would be refused
    Map<String, Integer> limits =
        Map.of("DescribeInstances", perSecond, "TerminateInstances", perSecond);
    // the margin covers the time between the charge here and the simulator's record, on a loaded
    // machine too
    SlidingWindowBudget budget =
        new SlidingWindowBudget(System::nanoTime, 1.0, Duration.ofMillis(500)).configure(limits);
    CloudProvider p = start(8, limits, budget);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> load = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String id = String.format("ins-%08d", i);
      load.add(
          pool.submit(
              () -> {
                untilAccepted(() -> p.describeInstances(List.of(id)));
                untilAccepted(
                    () ->
                        p.terminateInstances(
                            new TerminateRequest(List.of(id), true, false, false, "t-" + id)));
                return null;
              }));
    }
    for (Future<?> f : load) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();

    for (String action : limits.keySet()) {
      List<CallLedger.Call> calls = LedgerAssert.assertThat(sim).calls(action);
      assertThat(calls).isNotEmpty();
      assertThat(busiestSecond(calls)).as(action).isLessThanOrEqualTo(perSecond);
    }
    LedgerAssert.assertThat(sim).as("refused by the cloud").noFailedCalls();
    assertThat(ledgerOf(sim).count("TerminateInstances")).isEqualTo(8);
  }

  interface Call {
    void run() throws CloudException;
  }

  /** A client that honours the deferral hint, as a requeued reconcile does. */
  static void untilAccepted(Call c) throws CloudException {
    while (true) {
      try {
        c.run();
        return;
      } catch (CloudException e) {
        if (!CallBudget.DEFERRED.equals(e.error().code())) {
          throw e;
        }
        LockSupport.parkNanos(e.error().retryAfter().toNanos());
      }
    }
  }

  static int busiestSecond(List<CallLedger.Call> calls) {
    List<Long> at = calls.stream().map(c -> c.at().toEpochMilli()).sorted().toList();
    int worst = 0;
    for (int i = 0, j = 0; i < at.size(); i++) {
      while (at.get(i) - at.get(j) >= 1000) {
        j++;
      }
      worst = Math.max(worst, i - j + 1);
    }
    return worst;
  }
}
