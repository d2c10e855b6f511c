package dev.teardown.sim;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-action request limits over a sliding one-second window, like the clouds' documented QPS
 * limits.
 */
public final class RateLimits {
  private final Clock clock;
  private final Map<String, Integer> perSecond = new HashMap<>();
  private final Map<String, Deque<Long>> windows = new HashMap<>();
  private int defaultPerSecond;

  public RateLimits(Clock clock, int defaultPerSecond) {
    this.clock = clock;
    this.defaultPerSecond = defaultPerSecond;
  }

  public synchronized void set(String action, int limit) {
    perSecond.put(action, limit);
  }

  public synchronized void setDefault(int limit) {
    this.defaultPerSecond = limit;
  }

  public synchronized Map<String, Integer> limits() {
    return Map.copyOf(perSecond);
  }

  /**
   * True if the call may proceed (and counts it); false if it is over the limit. A limit of 0 or
   * less is off.
   */
  public synchronized boolean tryAcquire(String action) {
    int limit = perSecond.getOrDefault(action, defaultPerSecond);
    if (limit <= 0) {
      return true;
    }
    long now = clock.millis();
    Deque<Long> w = windows.computeIfAbsent(action, a -> new ArrayDeque<>());
    while (!w.isEmpty() && now - w.peekFirst() >= 1000) {
      w.pollFirst();
    }
    if (w.size() >= limit) {
      return false;
    }
    w.addLast(now);
    return true;
  }
}
