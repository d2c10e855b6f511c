package dev.teardown.controller;

import dev.teardown.cloud.CallBudget;

/**
 * Client-side rate limits. The budget itself is charged once per SDK call inside each adapter's
 * call helper (see {@link CallBudget} and {@link dev.teardown.cloud.batch.SlidingWindowBudget},
 * built per connection by {@link ConnectionCache}), so a port call that makes several SDK calls is
 * charged for each of them.
 */
public final class RateLimitedProvider {
  /**
   * The code of a call Teardown held back itself; the reconciler reschedules without recording an
   * error.
   */
  public static final String DEFERRED = CallBudget.DEFERRED;

  private RateLimitedProvider() {}
}
