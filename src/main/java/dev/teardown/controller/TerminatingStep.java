package dev.teardown.controller;

import dev.teardown.api.v1alpha1.DataDiskPolicy;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.cloud.BatchResult;
import dev.teardown.cloud.Batches;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.TerminateRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stops (where the cloud requires it) and terminates the instances that are still alive. Never terminates an
 * instance that is gone, busy, or already in the recycle bin: a second terminate of a recycled Tencent prepaid
 * instance would destroy it for good, and that happens only in {@link ReleasingDisksStep} under recycleBin: Purge.
 */
final class TerminatingStep implements Step {

  @Override
  public StepResult run(DeletionContext ctx) throws CloudException {
    StepSupport.observeInstances(ctx);
    List<CloudInstance> toStop = new ArrayList<>();
    List<InstanceStatus> toTerminate = new ArrayList<>();
    int busy = 0;
    for (InstanceStatus is : ctx.instances()) {
      if (!StepSupport.active(is)) {
        continue;
      }
      CloudInstance ci = ctx.snapshot().instance(is.getId());
      switch (ci.phase()) {
        case BUSY -> busy++;
        case RUNNING -> {
          if (ctx.caps().stopBeforeTerminate()) {
            toStop.add(ci);
          } else if (is.getOutcome() != InstanceOutcome.Terminating) {
            toTerminate.add(is);
          }
        }
        case STOPPED -> {
          if (is.getOutcome() != InstanceOutcome.Terminating) {
            toTerminate.add(is);
          }
        }
        default -> {}
      }
    }
    if (!toStop.isEmpty()) {
      return stop(ctx, toStop);
    }
    if (!toTerminate.isEmpty()) {
      return terminate(ctx, toTerminate);
    }
    if (ctx.instances().stream().allMatch(i -> i.getOutcome() == InstanceOutcome.Failed)) {
      return StepResult.fail("NotDeletable", "no instance could be deleted; see status.instances[].error.");
    }
    boolean waitingToStop = ctx.instances().stream()
        .anyMatch(i -> StepSupport.active(i) && i.getOutcome() != InstanceOutcome.Terminating);
    if (waitingToStop) {
      return StepResult.waitFor(Phase.Terminating, "Waiting for " + busy + " instances to finish their current operation.");
    }
    return StepResult.moveTo(Phase.AwaitingShutdown, "Terminate accepted for every instance.");
  }

  private StepResult stop(DeletionContext ctx, List<CloudInstance> toStop) throws CloudException {
    BatchResult r = ctx.provider().stopInstances(toStop);
    CloudError retry = null;
    for (CloudInstance ci : toStop) {
      InstanceStatus is = find(ctx, ci.id());
      CloudError e = r.failures().get(ci.id());
      if (e == null) {
        is.setOutcome(InstanceOutcome.Stopping);
        is.setError(null);
      } else {
        retry = applyFailure(ctx, is, e, retry);
      }
    }
    if (retry != null) {
      throw new CloudException(retry);
    }
    return StepResult.acted(Phase.Terminating, "Stop requested for " + ids(toStop.stream().map(CloudInstance::id).toList()) + ".");
  }

  private StepResult terminate(DeletionContext ctx, List<InstanceStatus> toTerminate) throws CloudException {
    boolean releaseDisks = ctx.spec().getDataDisks() == DataDiskPolicy.Release;
    Map<String, List<InstanceStatus>> groups = ctx.caps().sameChargeTypePerTerminate()
        ? StepSupport.groupBy(toTerminate, i -> String.valueOf(i.getChargeType()))
        : Map.of("", toTerminate);
    List<List<InstanceStatus>> chunks = new ArrayList<>();
    groups.values().forEach(g -> chunks.addAll(Batches.chunks(g, ctx.caps().maxInstancesPerTerminate())));
    List<String> accepted = new ArrayList<>();
    CloudError[] retry = {null};
    StepSupport.callEach(chunks,
        chunk -> {
          List<String> ids = chunk.stream().map(InstanceStatus::getId).toList();
          int attempt = chunk.stream().mapToInt(InstanceStatus::terminateCallCount).max().orElse(0);
          return ctx.provider().terminateInstances(new TerminateRequest(ids, releaseDisks,
              ctx.spec().releaseAddressEnabled(), false, ctx.token("terminate", ids, attempt)));
        },
        (chunk, r) -> {
          for (InstanceStatus is : chunk) {
            CloudError e = r.failures().get(is.getId());
            is.setTerminateCalls(is.terminateCallCount() + 1);
            if (e == null) {
              is.setLastTerminateAt(ctx.now().toString());
              is.setOutcome(InstanceOutcome.Terminating);
              is.setError(null);
              accepted.add(is.getId());
            } else {
              retry[0] = applyFailure(ctx, is, e, retry[0]);
            }
          }
          return retry[0] == null; // a retryable refusal of one instance ends the pass, as a whole-call one would
        },
        (chunk, err) -> chunk.forEach(is -> {
          is.setOutcome(InstanceOutcome.Failed);
          is.setError(ctx.errorInfo(err));
        }),
        () -> !accepted.isEmpty());
    if (retry[0] != null && accepted.isEmpty()) {
      throw new CloudException(retry[0]);
    }
    boolean allAccepted = ctx.instances().stream()
        .allMatch(i -> !StepSupport.active(i) || i.getOutcome() == InstanceOutcome.Terminating);
    String msg = accepted.isEmpty() ? "No terminate call was accepted." : "Terminate accepted for " + ids(accepted) + ".";
    return StepResult.acted(allAccepted ? Phase.AwaitingShutdown : Phase.Terminating, msg);
  }

  /** Records a per-instance error; returns the retryable error to report, if any. */
  static CloudError applyFailure(DeletionContext ctx, InstanceStatus is, CloudError e, CloudError retry) {
    switch (e.kind()) {
      case NOT_FOUND -> {
        is.setOutcome(InstanceOutcome.Gone);
        is.setState("Gone");
        is.setError(null);
      }
      case TERMINAL -> {
        is.setOutcome(InstanceOutcome.Failed);
        is.setError(ctx.errorInfo(e));
      }
      default -> {
        is.setError(ctx.errorInfo(e));
        return retry == null ? e : retry;
      }
    }
    return retry;
  }

  static InstanceStatus find(DeletionContext ctx, String id) {
    return ctx.instances().stream().filter(i -> i.getId().equals(id)).findFirst().orElseThrow();
  }

  static String ids(List<String> ids) {
    return ids.size() <= 5 ? String.join(", ", ids) : String.join(", ", ids.subList(0, 5)) + " and " + (ids.size() - 5) + " more";
  }
}
