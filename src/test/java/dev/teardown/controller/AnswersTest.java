package dev.teardown.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.api.v1alpha1.CallIntent;
import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.api.v1alpha1.Phase;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a pass's answers may wait for the next write, and when what was kept is used. */
class AnswersTest {

  private static CloudInstanceDeletionStatus status(String result, InstanceOutcome outcome) {
    CloudInstanceDeletionStatus s = new CloudInstanceDeletionStatus();
    s.setPhase(Phase.AwaitingShutdown);
    InstanceStatus i = new InstanceStatus("ins-aaaaaaaa");
    i.setOutcome(outcome);
    s.setInstances(new java.util.ArrayList<>(List.of(i)));
    CallIntent intent =
        new CallIntent("TerminateInstances", List.of("ins-aaaaaaaa"), null, "2026-01-01T00:00:00Z");
    intent.setResult(result);
    s.setIntent(intent);
    return s;
  }

  private static CloudInstanceDeletion object(String uid, CloudInstanceDeletionStatus s) {
    CloudInstanceDeletion r = new CloudInstanceDeletion();
    r.setMetadata(
        new ObjectMetaBuilder().withName("d").withUid(uid).withResourceVersion("7").build());
    r.setStatus(
        Serialization.unmarshal(Serialization.asJson(s), CloudInstanceDeletionStatus.class));
    return r;
  }

  private static DeletionReconciler.Outcome outcome(
      CloudInstanceDeletionStatus s, Duration reschedule) {
    return new DeletionReconciler.Outcome(s, true, reschedule);
  }

  @Test
  void onlyAPlainlyAcceptedCallWithANearNextLookMayWait() {
    CloudInstanceDeletionStatus written = status(null, InstanceOutcome.Pending);
    Duration soon = Duration.ofMillis(500);
    assertThat(
            Answers.canWait(
                outcome(status("Accepted", InstanceOutcome.Terminating), soon), written))
        .isTrue();
    // refused items, a failure without an answer, a recycle bin known only from the answer
    assertThat(
            Answers.canWait(
                outcome(status("Refused for [ins-aaaaaaaa]", InstanceOutcome.Failed), soon),
                written))
        .isFalse();
    assertThat(
            Answers.canWait(
                outcome(status("Failed: RequestTimeout", InstanceOutcome.Pending), soon), written))
        .isFalse();
    assertThat(
            Answers.canWait(outcome(status("Accepted", InstanceOutcome.Recycled), soon), written))
        .isFalse();
    // finished, erring, waiting long, or not looking again: written at once
    CloudInstanceDeletionStatus done = status("Accepted", InstanceOutcome.Gone);
    done.setPhase(Phase.Done);
    assertThat(Answers.canWait(outcome(done, soon), written)).isFalse();
    CloudInstanceDeletionStatus backingOff = status("Accepted", InstanceOutcome.Terminating);
    backingOff.setNextAttemptAt("2026-01-01T00:01:00Z");
    assertThat(Answers.canWait(outcome(backingOff, soon), written)).isFalse();
    assertThat(
            Answers.canWait(
                outcome(
                    status("Accepted", InstanceOutcome.Terminating),
                    Answers.MAX_WAIT.plusMillis(1)),
                written))
        .isFalse();
    assertThat(
            Answers.canWait(
                outcome(status("Accepted", InstanceOutcome.Terminating), null), written))
        .isFalse();
  }

  @Test
  void whatIsKeptIsUsedOnlyWhileTheServerHasTheStatusWrittenAndOnlyOnce() {
    Answers answers = new Answers();
    CloudInstanceDeletionStatus intent = status(null, InstanceOutcome.Pending);
    CloudInstanceDeletion written = object("uid-1", intent);
    CloudInstanceDeletionStatus answered = status("Accepted", InstanceOutcome.Terminating);

    assertThat(answers.keep(written, answered, () -> {})).isTrue();
    // the same status on the server (here with other metadata: an annotation added) -> used, once
    CloudInstanceDeletion annotated = object("uid-1", intent);
    annotated.getMetadata().setResourceVersion("8");
    assertThat(answers.take(annotated)).isSameAs(answered);
    assertThat(answers.take(annotated)).isNull();
    assertThat(answers.size()).isZero();

    // someone else wrote status meanwhile -> dropped, the server's status is read instead
    answers.keep(written, answered, () -> {});
    CloudInstanceDeletionStatus foreign = status(null, InstanceOutcome.Pending);
    foreign.setMessage("edited by hand");
    assertThat(answers.take(object("uid-1", foreign))).isNull();
    assertThat(answers.size()).isZero();

    // another object (a re-created deletion of the same name) -> not used
    answers.keep(written, answered, () -> {});
    assertThat(answers.take(object("uid-2", intent))).isNull();
    assertThat(answers.take(object("uid-1", intent))).isSameAs(answered);

    // an object without uid (never from a server) is not kept: the caller writes
    assertThat(answers.keep(object(null, intent), answered, () -> {})).isFalse();
  }

  @Test
  void aStoppingOperatorWritesWhatIsStillKeptAndAFailedWriteIsNoError() {
    Answers answers = new Answers();
    CloudInstanceDeletionStatus intent = status(null, InstanceOutcome.Pending);
    java.util.List<String> written = new java.util.ArrayList<>();
    answers.keep(
        object("uid-1", intent),
        status("Accepted", InstanceOutcome.Terminating),
        () -> written.add("uid-1"));
    answers.keep(
        object("uid-2", intent),
        status("Accepted", InstanceOutcome.Terminating),
        () -> {
          throw new StatusWriter.Conflict("changed meanwhile");
        });
    assertThat(answers.writeAll()).isEqualTo(1);
    assertThat(written).containsExactly("uid-1");
    assertThat(answers.size()).isZero();
    assertThat(answers.writeAll()).isZero();
  }
}
