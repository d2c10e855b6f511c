package dev.teardown.testing;

import dev.teardown.sim.CallLedger;
import dev.teardown.sim.CallLedger.Call;
import dev.teardown.sim.CloudSimulator;
import dev.teardown.sim.tencent.TencentSimulator;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.ListAssert;

/**
 * Reads and asserts a simulator's call ledger the same way on every cloud: {@code
 * LedgerAssert.assertThat(sim).effectiveOnce("TerminateInstances", id).neverEffective(detach, id)}.
 * Queries ({@link #calls}, {@link #effective}, {@link #mutatingFor}...) return plain values for
 * awaits and further checks; assertions return this for more. "Mutating" is the cloud's set in
 * {@link CloudNames#mutating()}.
 */
public final class LedgerAssert {
  private final CallLedger ledger;
  private final Set<String> mutating;
  private String description;

  private LedgerAssert(CallLedger ledger, Set<String> mutating) {
    this.ledger = ledger;
    this.mutating = mutating;
  }

  public static LedgerAssert assertThat(CloudSimulator sim) {
    return new LedgerAssert(sim.ledger(), CloudNames.of(sim.provider()).mutating());
  }

  /** The same as {@link #assertThat(CloudSimulator)}, for a static import beside AssertJ's. */
  public static LedgerAssert ledgerOf(CloudSimulator sim) {
    return assertThat(sim);
  }

  public static LedgerAssert assertThat(SimCloud cloud) {
    return assertThat((CloudSimulator) cloud.sim());
  }

  /** A ledger whose cloud is unknown: everything but the mutating-call checks. */
  public static LedgerAssert assertThat(CallLedger ledger) {
    return new LedgerAssert(ledger, Set.of());
  }

  /** Describes the next assertion, as AssertJ's {@code as}. */
  public LedgerAssert as(String description) {
    this.description = description;
    return this;
  }

  // ---------------------------------------------------------------- queries

  public List<Call> all() {
    return ledger.all();
  }

  public int size() {
    return ledger.size();
  }

  public List<Call> calls(Predicate<Call> p) {
    return ledger.matching(p);
  }

  /** Calls of the action, in order. */
  public List<Call> calls(String action) {
    return ledger.matching(c -> c.action().equals(action));
  }

  /** Calls of the action that named the id. */
  public List<Call> calls(String action, String id) {
    return ledger.matching(c -> c.action().equals(action) && c.ids().contains(id));
  }

  public long count(String action) {
    return ledger.count(action);
  }

  public long count(String action, String id) {
    return ledger.count(action, id);
  }

  /** Calls of any of the actions. */
  public long countAny(java.util.Collection<String> actions) {
    return ledger.countAny(actions);
  }

  /** Calls of the action that named the id and changed the world. */
  public long effective(String action, String id) {
    return ledger.effectiveCount(action, id);
  }

  /** Calls that changed the world. */
  public List<Call> effectiveCalls() {
    return ledger.matching(Call::effective);
  }

  /** Calls of the cloud's mutating actions (stop, terminate, detach, release). */
  public List<Call> mutating() {
    return ledger.matching(c -> mutating.contains(c.action()));
  }

  /** Mutating calls that named the id. */
  public List<Call> mutatingFor(String id) {
    return ledger.matching(c -> mutating.contains(c.action()) && c.ids().contains(id));
  }

  /** How many calls of each action, by action name (for reports and messages). */
  public java.util.Map<String, Long> countsByAction() {
    return all().stream()
        .collect(
            java.util.stream.Collectors.groupingBy(
                Call::action, java.util.TreeMap::new, java.util.stream.Collectors.counting()));
  }

  /** Calls answered with an error (refusals and injected faults). */
  public List<Call> failed() {
    return ledger.matching(c -> !c.ok());
  }

  /** The only call of the action; fails when there is none or more than one. */
  public Call onlyCall(String action) {
    List<Call> calls = calls(action);
    Assertions.assertThat(calls).as(describe("calls of " + action)).hasSize(1);
    return calls.get(0);
  }

  /**
   * Whether an effective call of the action terminated the id outright (not into the recycle bin):
   * Tencent's ledger lists those ids in the "Terminated" parameter.
   */
  public boolean terminatedOutright(String action, String id) {
    return calls(action).stream()
        .anyMatch(
            c ->
                c.effective()
                    && Arrays.asList(c.params().getOrDefault("Terminated", "").split(","))
                        .contains(id));
  }

  /** Calls that destroyed something out of Tencent's recycle bin. */
  public List<Call> destroyCalls() {
    return ledger.matching(c -> c.params().containsKey(TencentSimulator.DESTROYED));
  }

  // ---------------------------------------------------------------- assertions

  /** Exactly one call of the action, whatever it named. */
  public LedgerAssert calledOnce(String action) {
    return calledTimes(action, 1);
  }

  public LedgerAssert calledTimes(String action, long times) {
    Assertions.assertThat(count(action)).as(describe("calls of " + action)).isEqualTo(times);
    return this;
  }

  /** Exactly one call of the action named the id. */
  public LedgerAssert calledOnce(String action, String id) {
    Assertions.assertThat(count(action, id))
        .as(describe("calls of " + action + " naming " + id))
        .isEqualTo(1);
    return this;
  }

  /** Exactly one call of the action named the id and changed the world. */
  public LedgerAssert effectiveOnce(String action, String id) {
    return effectiveTimes(action, id, 1);
  }

  public LedgerAssert effectiveTimes(String action, String id, long times) {
    Assertions.assertThat(effective(action, id))
        .as(describe("effective calls of " + action + " on " + id))
        .isEqualTo(times);
    return this;
  }

  /** No call of the action at all. */
  public LedgerAssert never(String action) {
    return calledTimes(action, 0);
  }

  /** No call of the action named the id. */
  public LedgerAssert never(String action, String id) {
    Assertions.assertThat(count(action, id))
        .as(describe("calls of " + action + " naming " + id))
        .isZero();
    return this;
  }

  /** No call of the action on the id changed the world. */
  public LedgerAssert neverEffective(String action, String id) {
    return effectiveTimes(action, id, 0);
  }

  /** No stop, terminate, detach or release was sent. */
  public LedgerAssert noMutatingCalls() {
    requireMutatingSet();
    Assertions.assertThat(mutating()).as(describe("mutating calls")).isEmpty();
    return this;
  }

  /** Calls of anything but a Describe action. */
  public List<Call> nonDescribeCalls() {
    return ledger.matching(c -> !c.action().startsWith("Describe"));
  }

  /** Nothing but Describe calls: nothing was even tried on the cloud. */
  public LedgerAssert onlyDescribeCalls() {
    Assertions.assertThat(nonDescribeCalls()).as(describe("calls other than Describe")).isEmpty();
    return this;
  }

  /** No call changed the world. */
  public LedgerAssert noEffectiveCalls() {
    Assertions.assertThat(effectiveCalls()).as(describe("effective calls")).isEmpty();
    return this;
  }

  /** Every call was answered OK. */
  public LedgerAssert noFailedCalls() {
    Assertions.assertThat(failed()).as(describe("calls answered with an error")).isEmpty();
    return this;
  }

  /** Nothing was destroyed out of the recycle bin (Tencent). */
  public LedgerAssert noDestroyCalls() {
    Assertions.assertThat(destroyCalls())
        .as(describe("irreversible calls on recycled resources"))
        .isEmpty();
    return this;
  }

  /** No call at all. */
  public LedgerAssert isEmpty() {
    Assertions.assertThat(all()).as(describe("calls")).isEmpty();
    return this;
  }

  /** No call recorded after the first {@code size} (a ledger size taken earlier). */
  public LedgerAssert noCallsAfter(int size) {
    List<Call> all = all();
    Assertions.assertThat(all.subList(Math.min(size, all.size()), all.size()))
        .as(describe("calls after the first " + size))
        .isEmpty();
    return this;
  }

  /** AssertJ on the calls of the action, for anything else. */
  public ListAssert<Call> callsOf(String action) {
    return Assertions.assertThat(calls(action)).as(describe("calls of " + action));
  }

  /** AssertJ on every call, for anything else. */
  public ListAssert<Call> allCalls() {
    return Assertions.assertThat(all()).as(describe("calls"));
  }

  private void requireMutatingSet() {
    if (mutating.isEmpty()) {
      throw new IllegalStateException("a ledger without its cloud has no mutating set");
    }
  }

  private String describe(String what) {
    String d = description;
    description = null;
    return d == null ? what : d;
  }
}
