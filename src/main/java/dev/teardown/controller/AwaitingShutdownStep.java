package dev.teardown.controller;

import dev.teardown.api.v1alpha1.ErrorInfo;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.InstancePhase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Waits until every terminated instance is gone or in the recycle bin. An instance that shows up
 * terminable again after a grace period (the cloud dropped the terminate) goes back to Terminating,
 * up to a bounded number of attempts.
 */
final class AwaitingShutdownStep implements Step {

  @Override
  public StepResult run(DeletionContext ctx) {
    Observer.observeInstances(ctx);
    Duration grace = ctx.terminateGrace();
    List<String> again = new ArrayList<>();
    int waiting = 0;
    for (InstanceStatus is : ctx.instances()) {
      if (!DeletionContext.active(is)) {
        continue;
      }
      CloudInstance ci = ctx.snapshot().instance(is.getId());
      boolean terminable =
          ci.phase() == InstancePhase.RUNNING || ci.phase() == InstancePhase.STOPPED;
      Instant last =
          ctx.lastAttempt(TerminatingStep.TERMINATE, is.getId(), is.getLastTerminateAt());
      boolean graceOver = last == null || last.plus(grace).isBefore(ctx.now());
      if (terminable && graceOver) {
        if (is.terminateCallCount() >= ctx.config().maxTerminateAttempts()) {
          is.setOutcome(InstanceOutcome.Failed);
          is.setError(
              new ErrorInfo(
                  "TerminateIneffective",
                  "the cloud accepted "
                      + is.terminateCallCount()
                      + " terminate calls but "
                      + is.getId()
                      + " is still "
                      + ci.state()
                      + "; check it in the cloud console (locks, billing holds), then re-create this CloudInstanceDeletion",
                  null,
                  "Terminal",
                  "TerminateInstances",
                  ctx.now().toString()));
        } else {
          is.setOutcome(InstanceOutcome.Pending);
          again.add(is.getId());
        }
      } else {
        waiting++;
      }
    }
    if (!again.isEmpty()) {
      return StepResult.moveTo(
          Phase.Terminating,
          TerminatingStep.ids(again) + " still alive after terminate; terminating again.");
    }
    if (waiting > 0) {
      return StepResult.waitFor(
          Phase.AwaitingShutdown,
          "Waiting for " + PendingStep.count(waiting, "instance") + " to shut down.");
    }
    if (ctx.instances().stream().allMatch(i -> i.getOutcome() == InstanceOutcome.Failed)) {
      return StepResult.fail(
          "NotDeletable", "no instance could be deleted; see status.instances[].error.");
    }
    return StepResult.moveTo(Phase.Detaching, "Every instance is gone or in the recycle bin.");
  }
}
