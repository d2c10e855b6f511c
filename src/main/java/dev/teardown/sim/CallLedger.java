package dev.teardown.sim;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Every call a simulator answered: what was asked, about which ids, and how it ended. Thread-safe.
 */
public final class CallLedger {

  /**
   * One call.
   *
   * @param outcome "OK", or the error code the simulator answered with (including injected faults)
   * @param effective true when the call changed the world (an idempotent replay or a refused call
   *     is not)
   */
  public record Call(
      String cloud,
      String action,
      List<String> ids,
      String outcome,
      boolean effective,
      String requestId,
      Instant at,
      Map<String, String> params) {

    public boolean ok() {
      return "OK".equals(outcome);
    }
  }

  private final List<Call> calls = new ArrayList<>();
  private final List<Consumer<Call>> listeners = new CopyOnWriteArrayList<>();

  /**
   * Records a call, then tells the listeners on the simulator's thread before the answer is sent: a
   * listener that blocks holds the answer back (crash tests kill the operator at that moment).
   */
  public void record(Call call) {
    synchronized (this) {
      calls.add(call);
    }
    listeners.forEach(l -> l.accept(call));
  }

  /** Adds a listener told of every recorded call, synchronously, before its answer goes out. */
  public void onRecord(Consumer<Call> listener) {
    listeners.add(listener);
  }

  public synchronized List<Call> all() {
    return List.copyOf(calls);
  }

  public synchronized List<Call> matching(Predicate<Call> p) {
    return calls.stream().filter(p).toList();
  }

  public long count(String action) {
    return matching(c -> c.action().equals(action)).size();
  }

  /** Calls of an action that named this id. */
  public long count(String action, String id) {
    return matching(c -> c.action().equals(action) && c.ids().contains(id)).size();
  }

  /** Calls of an action that named this id and changed the world. */
  public long effectiveCount(String action, String id) {
    return matching(c -> c.action().equals(action) && c.ids().contains(id) && c.effective()).size();
  }

  public long countAny(Collection<String> actions) {
    return matching(c -> actions.contains(c.action())).size();
  }

  /** Every call as plain data, for {@code GET /_sim/state}. */
  public List<Map<String, Object>> asMaps() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Call c : all()) {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      m.put("cloud", c.cloud());
      m.put("action", c.action());
      m.put("ids", c.ids());
      m.put("outcome", c.outcome());
      m.put("effective", c.effective());
      m.put("requestId", c.requestId());
      m.put("at", c.at().toString());
      m.put("params", c.params());
      out.add(m);
    }
    return out;
  }

  public synchronized int size() {
    return calls.size();
  }

  public synchronized void clear() {
    calls.clear();
  }
}
