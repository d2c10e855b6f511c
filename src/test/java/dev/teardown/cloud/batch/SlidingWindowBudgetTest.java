package dev.teardown.cloud.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.teardown.cloud.CallBudget;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.ErrorKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-SDK-call budget on a manual clock: no wall-clock time in any assertion. */
class SlidingWindowBudgetTest {
  static final long MS = 1_000_000L;
  final AtomicLong now = new AtomicLong(1_000 * MS);

  SlidingWindowBudget budget(double share, Map<String, Integer> rates) {
    return new SlidingWindowBudget(now::get, share, Duration.ofMillis(100)).configure(rates);
  }

  boolean tryAcquire(CallBudget b, String action) {
    try {
      b.acquire(action);
      return true;
    } catch (CloudException e) {
      assertThat(e.error().code()).isEqualTo(CallBudget.DEFERRED);
      assertThat(e.error().kind()).isEqualTo(ErrorKind.THROTTLED);
      return false;
    }
  }

  @Test
  void aBurstGetsExactlyTheBudgetAndTheRestIsDeferredUntilTheWindowHasPassed() throws Exception {
    SlidingWindowBudget b = budget(1.0, Map.of("DescribeInstances", 20));
    int passed = 0;
    for (int i = 0; i < 1000; i++) {
      passed += tryAcquire(b, "DescribeInstances") ? 1 : 0;
    }
    assertThat(passed).isEqualTo(20);

    CloudException held =
        catchThrowableOfType(CloudException.class, () -> b.acquire("DescribeInstances"));
    assertThat(held.error().retryAfter()).isEqualTo(Duration.ofMillis(1100));
    now.addAndGet(1099 * MS);
    assertThat(tryAcquire(b, "DescribeInstances"))
        .as("one nanosecond short of the window")
        .isFalse();
    now.addAndGet(MS);
    for (int i = 0; i < 20; i++) {
      assertThat(tryAcquire(b, "DescribeInstances")).isTrue();
    }
    assertThat(tryAcquire(b, "DescribeInstances")).isFalse();
  }

  @Test
  void underRandomLoadNoOneSecondWindowEverHoldsMoreThanTheBudget() {
    SlidingWindowBudget b = budget(1.0, Map.of("TerminateInstances", 8));
    Random random = new Random(42);
    List<Long> accepted = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      now.addAndGet(
          random.nextInt(3) == 0 ? random.nextInt(50) * MS : 0); // bursts and gaps over ~160 s
      if (tryAcquire(b, "TerminateInstances")) {
        accepted.add(now.get());
      }
    }
    int worst = 0;
    for (int i = 0, j = 0; i < accepted.size(); i++) {
      while (accepted.get(i) - accepted.get(j) >= 1000 * MS) {
        j++;
      }
      worst = Math.max(worst, i - j + 1);
    }
    assertThat(worst).isLessThanOrEqualTo(8);
    long seconds = (accepted.get(accepted.size() - 1) - accepted.get(0)) / (1000 * MS);
    assertThat(accepted.size())
        .as("the budget is used, not starved")
        .isGreaterThan((int) (seconds * 8 * 0.85));
  }

  @Test
  void aShardTakesItsShareOfEveryRateAndAtLeastOneCall() {
    SlidingWindowBudget b = budget(0.5, Map.of("DescribeInstances", 32, "TerminateInstances", 1));
    assertThat(b.limit("DescribeInstances")).isEqualTo(16);
    assertThat(b.limit("TerminateInstances")).isEqualTo(1);
    assertThat(b.limit("DescribeDisks")).as("not limited").isZero();
  }

  @Test
  void actionsWithoutARateAreNeverHeldBack() {
    SlidingWindowBudget b = budget(1.0, Map.of("DescribeInstances", 1));
    for (int i = 0; i < 100; i++) {
      assertThat(tryAcquire(b, "DescribeDisks")).isTrue();
    }
  }

  @Test
  void aMergedCallsThreadWaitsForTheBudgetWithinItsBoundAndAReconcileThreadIsDeferred()
      throws Exception {
    SlidingWindowBudget b =
        new SlidingWindowBudget(System::nanoTime, 1.0, Duration.ZERO)
            .configure(Map.of("DescribeVolumes", 2));
    b.acquire("DescribeVolumes");
    b.acquire("DescribeVolumes");
    assertThat(tryAcquire(b, "DescribeVolumes")).as("a reconcile thread").isFalse();
    assertThat(
            SlidingWindowBudget.pacing(
                Duration.ofMillis(10), () -> tryAcquire(b, "DescribeVolumes")))
        .as("a wait longer than the bound is still a deferral")
        .isFalse();
    assertThat(
            SlidingWindowBudget.pacing(
                Duration.ofSeconds(30), () -> tryAcquire(b, "DescribeVolumes")))
        .as("a merged call's thread waits for the window to move on")
        .isTrue();
    b.acquire("DescribeVolumes"); // the window's second slot
    assertThat(tryAcquire(b, "DescribeVolumes"))
        .as("and the thread is a reconcile thread again")
        .isFalse();
  }

  @Test
  void aShareOutsideZeroToOneIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> budget(0, Map.of()))
        .hasMessageContaining("share");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> budget(1.5, Map.of()))
        .hasMessageContaining("share");
  }
}
