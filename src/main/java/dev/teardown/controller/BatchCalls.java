package dev.teardown.controller;

import dev.teardown.cloud.BatchResult;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.ErrorKind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The loop every step uses to make its batch calls: one call per chunk, terminal refusals bisected.
 */
final class BatchCalls {
  private BatchCalls() {}

  /** One call of a batch-shaped port method. */
  interface BatchCall<T> {
    BatchResult call(List<T> chunk) throws CloudException;
  }

  /** Books one answered call; returns false to make no further call in this pass. */
  interface Answer<T> {
    boolean accept(List<T> chunk, BatchResult result);
  }

  /**
   * Makes one call per chunk, in order. A chunk the cloud refuses as a whole with a terminal error
   * is split in halves and each half is tried again, down to single ids, so only the ids the cloud
   * refuses on their own go to {@code refused} and the innocent ones of the same batch are deleted.
   * A retryable error ends the pass: it is thrown (backoff) when nothing was accepted yet, and
   * otherwise dropped, so that what was accepted is written and the next reconcile retries the
   * rest.
   */
  static <T> void callEach(
      List<List<T>> chunks,
      BatchCall<T> call,
      Answer<T> answered,
      BiConsumer<List<T>, CloudError> refused,
      BooleanSupplier anyAccepted)
      throws CloudException {
    Deque<List<T>> todo = new ArrayDeque<>(chunks);
    while (!todo.isEmpty()) {
      List<T> chunk = todo.pollFirst();
      BatchResult r;
      try {
        r = call.call(chunk);
      } catch (CloudException e) {
        if (e.error().kind() == ErrorKind.TERMINAL) {
          if (chunk.size() > 1) {
            int half = chunk.size() / 2;
            todo.addFirst(List.copyOf(chunk.subList(half, chunk.size())));
            todo.addFirst(List.copyOf(chunk.subList(0, half)));
          } else {
            refused.accept(chunk, e.error());
          }
          continue;
        }
        if (!anyAccepted.getAsBoolean()) {
          throw e;
        }
        return;
      }
      if (!answered.accept(chunk, r)) {
        return;
      }
    }
  }

  /** The items grouped by key, groups and items in first-seen order. */
  static <T, K> Map<K, List<T>> groupBy(List<T> items, Function<T, K> key) {
    Map<K, List<T>> out = new LinkedHashMap<>();
    for (T t : items) {
      out.computeIfAbsent(key.apply(t), k -> new ArrayList<>()).add(t);
    }
    return out;
  }
}
