package dev.teardown.sim;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/** Holds fault rules and decides, deterministically for a given seed, which call a rule hits. */
public final class FaultInjector {
  private final List<FaultRule> rules = new ArrayList<>();
  private final Random random;

  public FaultInjector(long seed) {
    this.random = new Random(seed);
  }

  public synchronized void add(FaultRule rule) {
    rules.add(rule);
  }

  public synchronized void clear() {
    rules.clear();
  }

  public synchronized List<FaultRule> rules() {
    return List.copyOf(rules);
  }

  /** The first rule that hits this call, consuming one of its shots. */
  public synchronized Optional<FaultRule> match(String action, Collection<String> ids) {
    for (FaultRule r : rules) {
      if (!"*".equals(r.action) && !r.action.equals(action)) {
        continue;
      }
      if (r.target != null && !r.target.isEmpty() && !ids.contains(r.target)) {
        continue;
      }
      if (r.times >= 0 && r.hits >= r.times) {
        continue;
      }
      r.seen++;
      if (r.seen <= r.after) {
        continue;
      }
      if (r.probability < 1.0 && random.nextDouble() >= r.probability) {
        continue;
      }
      r.hits++;
      return Optional.of(r);
    }
    return Optional.empty();
  }
}
