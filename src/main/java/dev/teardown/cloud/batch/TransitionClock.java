package dev.teardown.cloud.batch;

import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.DiskPhase;
import dev.teardown.cloud.InstancePhase;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Learns how long the cloud takes to carry out each kind of call, per provider and action, from
 * what the observations show, and tells the reconciler when to look again: when the outstanding
 * call of a deletion is expected to have finished, never sooner than the floor, never later than
 * the cap.
 *
 * <p>A call's duration is known only between two observations: the last one that showed it
 * unfinished and the first that showed it finished. The sample is the middle of that interval, so
 * that polling at the estimate does not teach the estimate to grow. Samples are averaged with an
 * exponential weight ({@link #WEIGHT}).
 */
public final class TransitionClock {
  /** Weight of a new sample in the running estimate. */
  static final double WEIGHT = 0.2;

  /** Outstanding calls kept at most; the oldest are forgotten first. */
  static final int MAX_OUTSTANDING = 200_000;

  /** The call kinds whose completion the observations show. */
  public enum Action {
    STOP,
    TERMINATE,
    PURGE,
    DETACH,
    RELEASE
  }

  private record Key(String provider, Action action) {}

  private static final class Outstanding {
    final Key key;
    final long sentAt;
    long lastUnfinished;

    Outstanding(Key key, long sentAt) {
      this.key = key;
      this.sentAt = sentAt;
      this.lastUnfinished = sentAt;
    }
  }

  private final LongSupplier nanos;
  private final Duration floor;
  private final Duration cap;
  private final Map<Key, Double> estimateNanos = new HashMap<>();
  private final Map<Key, Long> samples = new HashMap<>();
  private final LinkedHashMap<String, Outstanding> outstanding = new LinkedHashMap<>();

  public TransitionClock(LongSupplier nanos, Duration floor, Duration cap) {
    this.nanos = nanos;
    this.floor = floor;
    this.cap = cap;
  }

  /** The cloud accepted {@code action} for these instance or disk ids just now. */
  public synchronized void accepted(String provider, Action action, Collection<String> ids) {
    long now = nanos.getAsLong();
    Key k = new Key(provider, action);
    for (String id : ids) {
      outstanding.remove(id);
      outstanding.put(id, new Outstanding(k, now));
    }
    Iterator<String> it = outstanding.keySet().iterator();
    while (outstanding.size() > MAX_OUTSTANDING && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  /** An observation of instances. */
  public void observedInstances(Collection<CloudInstance> seen) {
    long now = nanos.getAsLong();
    synchronized (this) {
      for (CloudInstance i : seen) {
        Outstanding o = outstanding.get(i.id());
        if (o != null) {
          settle(i.id(), o, finished(o.key.action(), i.phase()), now);
        }
      }
    }
  }

  /** An observation of disks. */
  public void observedDisks(Collection<CloudDisk> seen) {
    long now = nanos.getAsLong();
    synchronized (this) {
      for (CloudDisk d : seen) {
        Outstanding o = outstanding.get(d.id());
        if (o != null) {
          settle(d.id(), o, finished(o.key.action(), d.phase()), now);
        }
      }
    }
  }

  private void settle(String id, Outstanding o, boolean finished, long now) {
    if (!finished) {
      o.lastUnfinished = now;
      return;
    }
    outstanding.remove(id);
    double sample = (o.lastUnfinished + now) / 2.0 - o.sentAt;
    estimateNanos.merge(o.key, sample, (old, s) -> old + WEIGHT * (s - old));
    samples.merge(o.key, 1L, Long::sum);
  }

  private static boolean finished(Action a, InstancePhase p) {
    return switch (a) {
      case STOP ->
          p == InstancePhase.STOPPED || p == InstancePhase.GONE || p == InstancePhase.RECYCLED;
      case TERMINATE -> p == InstancePhase.GONE || p == InstancePhase.RECYCLED;
      case PURGE -> p == InstancePhase.GONE;
      default -> false; // a disk action never completes on an instance
    };
  }

  private static boolean finished(Action a, DiskPhase p) {
    return switch (a) {
      case DETACH -> p == DiskPhase.AVAILABLE || p == DiskPhase.GONE || p == DiskPhase.RECYCLED;
      case RELEASE -> p == DiskPhase.GONE || p == DiskPhase.RECYCLED;
      case PURGE -> p == DiskPhase.GONE;
      default -> false;
    };
  }

  /** The learned duration of an action, if any call of it has been seen to finish. */
  public synchronized Duration estimate(String provider, Action action) {
    Double e = estimateNanos.get(new Key(provider, action));
    return e == null ? null : Duration.ofNanos(Math.round(e));
  }

  /** How many finished calls the estimate of an action is learned from. */
  public synchronized long samples(String provider, Action action) {
    return samples.getOrDefault(new Key(provider, action), 0L);
  }

  /**
   * When to look again at a deletion of {@code provider} that has outstanding calls on some of
   * {@code ids}: the earliest moment one of them is expected to have finished (its send time plus
   * the learned duration of its action; {@code fallback} while nothing is learned yet), between the
   * floor and the cap. Without an outstanding call among the ids (waiting on something Teardown did
   * not start) it is {@code fallback}, capped.
   */
  public Duration expectedDelay(String provider, Collection<String> ids, Duration fallback) {
    long now = nanos.getAsLong();
    long best = Long.MAX_VALUE;
    synchronized (this) {
      for (String id : ids) {
        Outstanding o = outstanding.get(id);
        if (o == null || !o.key.provider().equals(provider)) {
          continue;
        }
        Double e = estimateNanos.get(o.key);
        long expected = e == null ? fallback.toNanos() : Math.round(e);
        best = Math.min(best, o.sentAt + expected - now);
      }
    }
    Duration d = best == Long.MAX_VALUE ? fallback : Duration.ofNanos(best);
    if (d.compareTo(floor) < 0) {
      return floor;
    }
    return d.compareTo(cap) > 0 ? cap : d;
  }
}
