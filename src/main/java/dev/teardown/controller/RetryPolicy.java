package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.config.OperatorConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Backoff after retryable errors: {@code TEARDOWN_RETRY_BASE} doubling up to {@code
 * TEARDOWN_RETRY_MAX} (twice the base when throttled), jittered, a cloud-side lock honoured past
 * the cap. It also dates the run of consecutive errors, so that after {@code TEARDOWN_STALL_AFTER}
 * the deletion shows Stalled while it keeps retrying.
 */
final class RetryPolicy {
  private final OperatorConfig config;

  RetryPolicy(OperatorConfig config) {
    this.config = config;
  }

  /** Books one more retryable error; sets nextAttemptAt and returns the delay. */
  Duration backoff(
      CloudInstanceDeletionStatus status, Duration hint, boolean throttled, Instant now) {
    int retries = status.getRetries() == null ? 1 : status.getRetries() + 1;
    status.setRetries(retries);
    if (status.getRetryingSince() == null) {
      status.setRetryingSince(now.toString());
    }
    Duration base = throttled ? config.retryBase().multipliedBy(2) : config.retryBase();
    Duration d = base.multipliedBy(1L << Math.min(retries - 1, 20));
    if (d.compareTo(config.retryMax()) > 0) {
      d = config.retryMax();
    }
    d = jitter(d); // resources throttled together must not retry in lockstep
    if (hint != null && hint.compareTo(d) > 0) {
      d = hint; // a cloud-side lock is honoured even past retryMax: calling earlier only fails
      // again
    }
    status.setNextAttemptAt(now.plus(d).toString());
    return d;
  }

  /** A pass that got through: the run of errors is over. */
  void succeeded(CloudInstanceDeletionStatus status) {
    status.setRetries(null);
    status.setNextAttemptAt(null);
    status.setRetryingSince(null);
  }

  /**
   * True once the current run of consecutive retryable errors has lasted {@code
   * TEARDOWN_STALL_AFTER}.
   */
  boolean stalled(CloudInstanceDeletionStatus status, Instant now) {
    return status.getRetryingSince() != null
        && !Instant.parse(status.getRetryingSince()).plus(config.stallAfter()).isAfter(now);
  }

  /**
   * Spreads a delay over [d, 1.5 d) so that deletions waiting together do not come back together.
   */
  static Duration jitter(Duration d) {
    long ms = Math.max(1, d.toMillis());
    return Duration.ofMillis(ms + ThreadLocalRandom.current().nextLong(ms / 2 + 1));
  }
}
