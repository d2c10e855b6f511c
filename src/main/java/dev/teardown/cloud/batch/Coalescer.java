package dev.teardown.cloud.batch;

import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.ErrorKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Merges requests that arrive within a short window under the same key into one call, like
 * Karpenter's batcher: a batch opens with its first request and closes when the window has passed
 * since then, or, while it holds a single request, earlier when nobody joins it within the idle
 * time (a lone deletion does not wait the whole window), or at once when it is full (the API's
 * batch limit). A batch that a second request joined waits for its window. The merged call runs on
 * the executor; each submitter waits for its own answer.
 *
 * <p>The merged call runs paced by the rate budget: it may wait for budget within {@code callBound}
 * instead of being deferred after part of its SDK calls. A submitter waits at most the window plus
 * {@code callBound} (the time one merged call may take), then gets a retryable {@code BatchTimeout}
 * error and its reconcile requeues; the call itself carries on and its answer goes to whoever else
 * waits for it. Waiting (rather than a future kept across reconciles) keeps the reconciler
 * stateless: a reconcile writes the outcome of the calls it made to status before it ends, so an
 * operator killed at any instant has lost nothing that status does not show.
 */
public final class Coalescer {

  /**
   * Runs one merged call for the requests of one batch and answers each of them, in order. Never
   * throws.
   */
  @FunctionalInterface
  public interface MergedCall<T, V> {
    List<Answer<V>> run(List<T> requests);
  }

  /** One request's answer: a value or the error of its call. */
  public record Answer<V>(V value, CloudException error) {
    public static <V> Answer<V> of(V value) {
      return new Answer<>(value, null);
    }

    public static <V> Answer<V> failed(CloudException error) {
      return new Answer<>(null, error);
    }
  }

  /** Runs a task after a delay; returns what cancels it. */
  @FunctionalInterface
  public interface Scheduler {
    Runnable schedule(Runnable task, Duration delay);
  }

  private final Duration window;
  private final Duration idle;
  private final Duration callBound;
  private final Scheduler scheduler;
  private final Executor executor;
  private final Map<String, Batch<?, ?>> open = new HashMap<>();

  /** With an idle time of a quarter of the window. */
  public Coalescer(Duration window, Duration callBound, Scheduler scheduler, Executor executor) {
    this(window, window.dividedBy(4), callBound, scheduler, executor);
  }

  public Coalescer(
      Duration window, Duration idle, Duration callBound, Scheduler scheduler, Executor executor) {
    this.window = window;
    this.idle = idle.compareTo(window) > 0 ? window : idle;
    this.callBound = callBound;
    this.scheduler = scheduler;
    this.executor = executor;
  }

  /** The longest a submitter waits for its answer. */
  public Duration maxWait() {
    return window.plus(callBound);
  }

  public Duration window() {
    return window;
  }

  private static final class Entry<T, V> {
    final T request;
    final CompletableFuture<V> answer = new CompletableFuture<>();

    Entry(T request) {
      this.request = request;
    }
  }

  private static final class Batch<T, V> {
    final String key;
    final MergedCall<T, V> call;
    final List<Entry<T, V>> entries = new ArrayList<>();
    int size;
    int joined;
    boolean closed;
    Runnable cancelTimer = () -> {};
    Runnable cancelIdle = () -> {};

    Batch(String key, MergedCall<T, V> call) {
      this.key = key;
      this.call = call;
    }
  }

  /**
   * Adds a request of {@code size} items to the open batch of {@code key} (opening one if needed)
   * and waits for its answer. A batch never holds more than {@code limit} items unless a single
   * request is larger; every request of a key must be answerable by the same {@code call}.
   */
  @SuppressWarnings("unchecked")
  public <T, V> V submit(String key, T request, int size, int limit, MergedCall<T, V> call)
      throws CloudException {
    Entry<T, V> entry = new Entry<>(request);
    List<Batch<?, ?>> ready = new ArrayList<>(2);
    synchronized (this) {
      Batch<T, V> b = (Batch<T, V>) open.get(key);
      if (b != null && b.size + size > limit) {
        ready.add(closeLocked(b));
        b = null;
      }
      if (b == null) {
        Batch<T, V> nb = new Batch<>(key, call);
        open.put(key, nb);
        nb.cancelTimer = scheduler.schedule(() -> expire(nb), window);
        b = nb;
      }
      b.entries.add(entry);
      b.size += size;
      if (b.size >= limit) {
        ready.add(closeLocked(b));
      } else if (b.entries.size() > 1) {
        // Another request joined: the batch waits for its window (or until full). Under load,
        // requests of a cohort reach a call further apart than the idle time, and closing on it
        // split merges into many small calls. (The count tells an idle timer already firing that
        // someone joined.)
        b.joined++;
        b.cancelIdle.run();
        b.cancelIdle = () -> {};
      } else if (idle.compareTo(window) < 0) {
        Batch<T, V> ib = b;
        int joinedNow = ++b.joined;
        b.cancelIdle.run();
        b.cancelIdle =
            scheduler.schedule(
                () -> {
                  synchronized (this) {
                    if (ib.joined != joinedNow) {
                      return; // someone joined since: their own idle timer decides
                    }
                  }
                  expire(ib);
                },
                idle);
      }
    }
    ready.forEach(this::dispatch);
    return await(entry);
  }

  /** Batches not yet sent. */
  public synchronized int openBatches() {
    return open.size();
  }

  /** Requests in batches not yet sent. */
  public synchronized int waiting() {
    return open.values().stream().mapToInt(b -> b.entries.size()).sum();
  }

  private Batch<?, ?> closeLocked(Batch<?, ?> b) {
    b.closed = true;
    open.remove(b.key, b);
    b.cancelTimer.run();
    b.cancelIdle.run();
    return b;
  }

  private void expire(Batch<?, ?> b) {
    synchronized (this) {
      if (b.closed) {
        return;
      }
      closeLocked(b);
    }
    dispatch(b);
  }

  private <T, V> void dispatch(Batch<T, V> b) {
    executor.execute(() -> run(b, callBound));
  }

  private static <T, V> void run(Batch<T, V> b, Duration callBound) {
    List<T> requests = b.entries.stream().map(e -> e.request).toList();
    List<Answer<V>> answers;
    try {
      // the merged call may wait for rate budget (within its bound) rather than be deferred
      // half-way
      answers = SlidingWindowBudget.pacing(callBound, () -> b.call.run(requests));
    } catch (RuntimeException e) {
      b.entries.forEach(en -> en.answer.completeExceptionally(e));
      return;
    }
    for (int i = 0; i < b.entries.size(); i++) {
      Answer<V> a = i < answers.size() ? answers.get(i) : null;
      CompletableFuture<V> f = b.entries.get(i).answer;
      if (a == null) {
        f.completeExceptionally(
            new IllegalStateException("merged call of " + b.key + " gave no answer"));
      } else if (a.error() != null) {
        f.completeExceptionally(a.error());
      } else {
        f.complete(a.value());
      }
    }
  }

  private <V> V await(Entry<?, V> entry) throws CloudException {
    try {
      return entry.answer.get(maxWait().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new CloudException(
          CloudError.of(
              ErrorKind.RETRYABLE,
              "BatchTimeout",
              "the batched call did not answer within "
                  + maxWait().toMillis()
                  + " ms; its outcome is checked again",
              null,
              "Batch"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CloudException(
          CloudError.of(
              ErrorKind.RETRYABLE, "Interrupted", "stopped while waiting", null, "Batch"));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CloudException ce) {
        throw ce;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
