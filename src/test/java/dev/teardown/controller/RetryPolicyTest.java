package dev.teardown.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.ErrorInfo;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.config.OperatorConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Backoff, its cap, the cloud's lock hint, and the Stalled signal after TEARDOWN_STALL_AFTER. */
class RetryPolicyTest {
  private final OperatorConfig config =
      OperatorConfig.from(
          Map.of(
                  "TEARDOWN_RETRY_BASE",
                  "2s",
                  "TEARDOWN_RETRY_MAX",
                  "1m",
                  "TEARDOWN_STALL_AFTER",
                  "30m")
              ::get);
  private final RetryPolicy policy = new RetryPolicy(config);
  private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void backoffDoublesUpToTheCapWhichALockHintMayExceed() {
    CloudInstanceDeletionStatus st = new CloudInstanceDeletionStatus();
    Duration first = policy.backoff(st, null, false, t0);
    assertThat(first).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(3));
    for (int i = 0; i < 10; i++) {
      policy.backoff(st, null, false, t0);
    }
    Duration capped = policy.backoff(st, null, false, t0);
    assertThat(capped).isBetween(Duration.ofMinutes(1), Duration.ofSeconds(90));
    assertThat(policy.backoff(st, Duration.ofMinutes(10), false, t0))
        .isEqualTo(Duration.ofMinutes(10));
    assertThat(st.getNextAttemptAt()).isEqualTo(t0.plus(Duration.ofMinutes(10)).toString());
  }

  @Test
  void stalledOnlyAfterTheConfiguredTimeOfConsecutiveErrorsAndClearedByProgress() {
    CloudInstanceDeletionStatus st = new CloudInstanceDeletionStatus();
    policy.backoff(st, null, false, t0);
    policy.backoff(st, null, false, t0.plus(Duration.ofMinutes(20)));
    assertThat(policy.stalled(st, t0.plus(Duration.ofMinutes(29)))).isFalse();
    assertThat(policy.stalled(st, t0.plus(Duration.ofMinutes(30)))).isTrue();
    assertThat(st.getRetryingSince())
        .as("the run started with the first error")
        .isEqualTo(t0.toString());
    policy.succeeded(st);
    assertThat(policy.stalled(st, t0.plus(Duration.ofHours(2)))).isFalse();
    assertThat(st.getRetries()).isNull();
    assertThat(st.getNextAttemptAt()).isNull();
  }

  @Test
  void theStalledConditionNamesTheLastCloudErrorWhileReconcilingStaysTrue() {
    CloudInstanceDeletionStatus st = new CloudInstanceDeletionStatus();
    st.setPhase(Phase.Terminating);
    policy.backoff(st, null, false, t0);
    ErrorInfo last =
        new ErrorInfo(
            "OperationDenied.SomethingNew",
            "denied",
            "r-1",
            "Retryable",
            "TerminateInstances",
            t0.toString());
    DeletionConditions.apply(st, false, null, false, last, 1L, t0.plus(Duration.ofMinutes(31)));
    assertThat(Conditions.get(st.getConditions(), "Stalled").getStatus()).isEqualTo("True");
    assertThat(Conditions.get(st.getConditions(), "Stalled").getReason())
        .isEqualTo("OperationDeniedSomethingNew");
    assertThat(Conditions.get(st.getConditions(), "Stalled").getMessage())
        .contains("denied", "TerminateInstances");
    assertThat(Conditions.get(st.getConditions(), "Reconciling").getStatus()).isEqualTo("True");
    assertThat(Conditions.get(st.getConditions(), "Ready").getStatus()).isEqualTo("False");
  }

  @Test
  void theDefaultStallTimeIsThirtyMinutes() {
    assertThat(OperatorConfig.defaults().stallAfter()).isEqualTo(Duration.ofMinutes(30));
  }
}
