package dev.teardown.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.api.v1alpha1.Phase;
import org.junit.jupiter.api.Test;

class PhaseTest {
  @Test
  void terminalPhasesGoNowhere() {
    assertThat(Phase.Done.allowedNext()).isEmpty();
    assertThat(Phase.Failed.allowedNext()).isEmpty();
    assertThat(Phase.Done.canMoveTo(Phase.Pending)).isFalse();
  }

  @Test
  void everyNonTerminalPhaseCanFailAndTheForwardPathIsAllowed() {
    for (Phase p : Phase.values()) {
      if (!p.isTerminal()) {
        assertThat(p.canMoveTo(Phase.Failed)).as(p + " -> Failed").isTrue();
      }
    }
    assertThat(Phase.Pending.canMoveTo(Phase.Terminating)).isTrue();
    assertThat(Phase.Terminating.canMoveTo(Phase.AwaitingShutdown)).isTrue();
    assertThat(Phase.AwaitingShutdown.canMoveTo(Phase.Detaching)).isTrue();
    assertThat(Phase.Detaching.canMoveTo(Phase.ReleasingDisks)).isTrue();
    assertThat(Phase.ReleasingDisks.canMoveTo(Phase.Done)).isTrue();
    assertThat(Phase.Terminating.canMoveTo(Phase.Done))
        .as("no skipping the verification")
        .isFalse();
  }
}
