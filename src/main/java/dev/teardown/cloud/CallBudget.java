package dev.teardown.cloud;

/**
 * Client-side request budget, charged once per SDK call inside each adapter's single call helper
 * (not per port call: one port call can make several SDK calls, e.g. a look before a terminate). It
 * never waits: over the budget it throws a {@link ErrorKind#THROTTLED} error with code {@link
 * #DEFERRED} and a retry hint, and the reconcile requeues for when the budget has room, instead of
 * spending a request the cloud would refuse.
 */
@FunctionalInterface
public interface CallBudget {
  /**
   * The code of a call Teardown held back itself; the reconciler reschedules without recording an
   * error.
   */
  String DEFERRED = "ClientRateLimit";

  /** No client-side limit. */
  CallBudget UNLIMITED = action -> {};

  /**
   * Charges one SDK call of {@code action} (the cloud's own action name, e.g. DescribeInstances).
   *
   * @throws CloudException {@link #DEFERRED} when the call would exceed the budget
   */
  void acquire(String action) throws CloudException;
}
