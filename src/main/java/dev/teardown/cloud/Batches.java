package dev.teardown.cloud;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** Splitting id lists into the batch sizes the clouds document. */
public final class Batches {
  private Batches() {}

  /** Consecutive slices of at most {@code size} items (at least 1 per slice), in order. */
  public static <T> List<List<T>> chunks(List<T> items, int size) {
    int n = Math.max(1, size);
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i += n) {
      out.add(items.subList(i, Math.min(items.size(), i + n)));
    }
    return out;
  }

  /** The ids without repeats, in first-seen order; null is empty. */
  public static List<String> distinct(List<String> ids) {
    return ids == null ? List.of() : List.copyOf(new LinkedHashSet<>(ids));
  }
}
