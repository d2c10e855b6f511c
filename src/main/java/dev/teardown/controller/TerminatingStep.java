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
import dev.teardown.cloud.ErrorKind;
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
    List<String> accepted = new ArrayList<>();
    CloudError retry = null;
    for (List<InstanceStatus> group : groups.values()) {
      for (List<InstanceStatus> chunk : Batches.chunks(group, ctx.caps().maxInstancesPerTerminate())) {
        List<String> ids = chunk.stream().map(InstanceStatus::getId).toList();
        int attempt = chunk.stream().mapToInt(InstanceStatus::terminateCallCount).max().orElse(0);
        TerminateRequest req = new TerminateRequest(ids, releaseDisks, ctx.spec().releaseAddressEnabled(), false,
            ctx.token("terminate", ids, attempt));
        BatchResult r;
        try {
          r = ctx.provider().terminateInstances(req);
        } catch (CloudException e) {
          if (e.error().kind() != ErrorKind.TERMINAL) {
            if (accepted.isEmpty()) {
              throw e;
            }
            retry = e.error(); // keep what was accepted; the next reconcile backs off and retries the rest
            break;
          }
          // A refusal of the whole batch (protection, prepaid not returnable...) fails these instances only;
          // the others carry on so that none of their disks are orphaned.
          for (InstanceStatus is : chunk) {
            is.setOutcome(InstanceOutcome.Failed);
            is.setError(ctx.errorInfo(e.error()));
          }
          continue;
        }
        for (InstanceStatus is : chunk) {
          CloudError e = r.failures().get(is.getId());
          if (e == null) {
            is.setTerminateCalls(is.terminateCallCount() + 1);
            is.setLastTerminateAt(ctx.now().toString());
            is.setOutcome(InstanceOutcome.Terminating);
            is.setError(null);
            accepted.add(is.getId());
          } else {
            is.setTerminateCalls(is.terminateCallCount() + 1);
            retry = applyFailure(ctx, is, e, retry);
          }
        }
      }
      if (retry != null) {
        break;
      }
    }
    if (retry != null && accepted.isEmpty()) {
      throw new CloudException(retry);
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
