package dev.teardown.cloud.batch;

import dev.teardown.cloud.CallBudget;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.ErrorKind;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A {@link CallBudget} per SDK action over a sliding window: at most {@code limit} calls of an
 * action start within any window of one second plus a margin. The margin absorbs the difference
 * between when a call is charged here and when the cloud counts it (network latency varies between
 * calls), so the cloud's own one-second count never sees more than the limit. A token bucket would
 * not do: a full bucket plus a second of refill allows twice the rate in one second.
 *
 * <p>The limit of an action is its rate from the adapter times this operator's share (several
 * operators splitting the deletions between them by label selector each take a share of the same
 * keys' budget), at least 1.
 */
public final class SlidingWindowBudget implements CallBudget {
  private final LongSupplier nanos;
  private final double share;
  private final long windowNanos;
  private final Map<String, Window> windows = new HashMap<>();

  /**
   * @param nanos monotonic time in nanoseconds (System::nanoTime; a manual clock in tests)
   * @param share this operator's share of every rate, in (0, 1]
   * @param margin added to the one-second window
   */
  public SlidingWindowBudget(LongSupplier nanos, double share, Duration margin) {
    if (!(share > 0 && share <= 1)) {
      throw new IllegalArgumentException("share must be in (0, 1], got " + share);
    }
    this.nanos = nanos;
    this.share = share;
    this.windowNanos = Duration.ofSeconds(1).plus(margin).toNanos();
  }

  /** Sets the per-second rate of each SDK action; actions without a rate are not limited. */
  public synchronized SlidingWindowBudget configure(Map<String, Integer> perSecond) {
    perSecond.forEach(
        (action, rate) -> {
          if (rate != null && rate > 0) {
            windows.put(action, new Window(Math.max(1, (int) Math.floor(rate * share))));
          }
        });
    return this;
  }

  /** The calls of {@code action} allowed per window, or 0 when it is not limited. */
  public synchronized int limit(String action) {
    Window w = windows.get(action);
    return w == null ? 0 : w.limit;
  }

  private static final class Window {
    final int limit;
    final ArrayDeque<Long> starts = new ArrayDeque<>();

    Window(int limit) {
      this.limit = limit;
    }
  }

  /** Until when (System.nanoTime) the current thread may wait for the budget; null = it may not. */
  private static final ThreadLocal<Long> MAY_WAIT_UNTIL = new ThreadLocal<>();

  /**
   * Runs {@code task} on this thread allowing it to wait up to {@code max} for budget instead of
   * being deferred. Only the threads that make merged calls do this: a merged port call makes
   * several SDK calls (one per instance on some clouds), and deferring it as a whole after some of
   * them would repeat those, again and again, when many merged calls share the budget. Reconcile
   * threads never wait: their own calls are deferred.
   */
  public static <T> T pacing(Duration max, java.util.function.Supplier<T> task) {
    Long before = MAY_WAIT_UNTIL.get();
    MAY_WAIT_UNTIL.set(System.nanoTime() + max.toNanos());
    try {
      return task.get();
    } finally {
      if (before == null) {
        MAY_WAIT_UNTIL.remove();
      } else {
        MAY_WAIT_UNTIL.set(before);
      }
    }
  }

  @Override
  public void acquire(String action) throws CloudException {
    while (true) {
      long wait;
      int limit;
      synchronized (this) {
        Window w = windows.get(action);
        if (w == null) {
          return;
        }
        long now = nanos.getAsLong();
        while (!w.starts.isEmpty() && now - w.starts.peekFirst() >= windowNanos) {
          w.starts.pollFirst();
        }
        if (w.starts.size() < w.limit) {
          w.starts.addLast(now);
          return;
        }
        wait = w.starts.peekFirst() + windowNanos - now;
        limit = w.limit;
      }
      Long until = MAY_WAIT_UNTIL.get();
      if (until == null || System.nanoTime() + wait > until) {
        throw new CloudException(
            new CloudError(
                ErrorKind.THROTTLED,
                DEFERRED,
                "held back to stay under " + limit + " " + action + " requests per second",
                null,
                action,
                Duration.ofNanos(Math.max(1_000_000, wait))));
      }
      java.util.concurrent.locks.LockSupport.parkNanos(
          wait); // a merged call's thread, paced by the budget
    }
  }
}
