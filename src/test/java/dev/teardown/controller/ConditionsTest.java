package dev.teardown.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
  private final Instant t1 = Instant.parse("2026-01-01T00:05:00Z");

  @Test
  void transitionTimeMovesOnlyWhenTheStatusChanges() {
    List<Condition> list = new ArrayList<>();
    Conditions.set(list, "Ready", false, "Terminating", "working", 1L, t0);
    Conditions.set(list, "Ready", false, "AwaitingShutdown", "still working", 1L, t1);
    assertThat(list).hasSize(1);
    assertThat(list.get(0).getLastTransitionTime()).isEqualTo(t0.toString());
    assertThat(list.get(0).getReason()).isEqualTo("AwaitingShutdown");
    Conditions.set(list, "Ready", true, "Deleted", "done", 1L, t1);
    assertThat(list.get(0).getLastTransitionTime()).isEqualTo(t1.toString());
    assertThat(list.get(0).getStatus()).isEqualTo("True");
  }

  @Test
  void cloudErrorCodesBecomeValidConditionReasons() {
    assertThat(Conditions.reason("AuthFailure.SignatureFailure"))
        .isEqualTo("AuthFailureSignatureFailure");
    assertThat(Conditions.reason("171")).isEqualTo("R171");
    assertThat(Conditions.reason(null)).isEqualTo("Unknown");
    assertThat(Conditions.reason("Invalid-Instance.Not Found"))
        .matches("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$");
  }
}
