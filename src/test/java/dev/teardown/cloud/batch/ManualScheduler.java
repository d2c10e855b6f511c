package dev.teardown.cloud.batch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Window timers that fire only when a test says so; records every delay it was asked for. */
public final class ManualScheduler implements Coalescer.Scheduler {
  private final List<Runnable> pending = new ArrayList<>();
  final List<Duration> delays = new ArrayList<>();

  @Override
  public synchronized Runnable schedule(Runnable task, Duration delay) {
    delays.add(delay);
    pending.add(task);
    return () -> {
      synchronized (this) {
        pending.remove(task);
      }
    };
  }

  /** Runs every timer not cancelled yet, as if their windows had passed. */
  public void fireAll() {
    List<Runnable> due;
    synchronized (this) {
      due = new ArrayList<>(pending);
      pending.clear();
    }
    due.forEach(Runnable::run);
  }

  public synchronized List<Duration> delays() {
    return List.copyOf(delays);
  }
}
