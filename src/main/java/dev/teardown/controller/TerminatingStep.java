package dev.teardown.controller;

import dev.teardown.api.v1alpha1.DataDiskPolicy;
import dev.teardown.api.v1alpha1.DiskAction;
import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.cloud.BatchResult;
import dev.teardown.cloud.Batches;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.TerminateRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Stops (where the cloud requires it) and terminates the instances that are still alive. Never
 * terminates an instance that is gone, busy, or already in the recycle bin: a second terminate of a
 * recycled Tencent prepaid instance would destroy it for good, and that happens only in {@link
 * ReleasingDisksStep} under recycleBin: Purge. The data disks of an instance are listed in the pass
 * that sends its first terminate: Pending's own listing when the plan was recorded in this pass,
 * otherwise they are listed again, so a disk attached since Pending joins the plan and a recorded
 * disk someone detached on purpose is kept.
 */
final class TerminatingStep implements Step {
  static final String STOP = "StopInstances";
  static final String TERMINATE = "TerminateInstances";

  @Override
  public StepResult run(DeletionContext ctx) throws CloudException {
    Observer.observeInstances(ctx);
    List<CloudInstance> toStop = new ArrayList<>();
    List<InstanceStatus> toTerminate = new ArrayList<>();
    int busy = 0;
    for (InstanceStatus is : ctx.instances()) {
      if (!DeletionContext.active(is)) {
        continue;
      }
      CloudInstance ci = ctx.snapshot().instance(is.getId());
      switch (ci.phase()) {
        case BUSY -> busy++;
        case RUNNING -> {
          if (ctx.caps().stopBeforeTerminate()) {
            if (withinGrace(ctx, STOP, is.getId(), null)) {
              busy++; // a stop was just asked for; the cloud has not shown it yet
            } else {
              toStop.add(ci);
            }
          } else if (is.getOutcome() != InstanceOutcome.Terminating) {
            addOrWait(ctx, is, toTerminate);
          }
        }
        case STOPPED -> {
          if (is.getOutcome() != InstanceOutcome.Terminating) {
            addOrWait(ctx, is, toTerminate);
          }
        }
        default -> {}
      }
    }
    // the wrong-target guard again, on this pass's observation, right before the call
    List<CloudInstance> targets = new ArrayList<>(toStop);
    toTerminate.forEach(is -> targets.add(ctx.snapshot().instance(is.getId())));
    List<String> mismatches = TargetGuard.mismatches(ctx.spec().getGuard(), targets);
    if (!mismatches.isEmpty()) {
      return StepResult.fail(
          TargetGuard.REASON_MISMATCH,
          TargetGuard.message(mismatches, "right before " + (toStop.isEmpty() ? TERMINATE : STOP)));
    }
    if (!toStop.isEmpty()) {
      return stop(ctx, toStop);
    }
    if (!toTerminate.isEmpty()) {
      return terminate(ctx, toTerminate);
    }
    if (ctx.instances().stream().allMatch(i -> i.getOutcome() == InstanceOutcome.Failed)) {
      return StepResult.fail(
          "NotDeletable", "no instance could be deleted; see status.instances[].error.");
    }
    boolean waitingToStop =
        ctx.instances().stream()
            .anyMatch(
                i -> DeletionContext.active(i) && i.getOutcome() != InstanceOutcome.Terminating);
    if (waitingToStop) {
      return StepResult.waitFor(
          Phase.Terminating,
          "Waiting for "
              + PendingStep.count(busy, "instance")
              + " to finish their current operation.");
    }
    return StepResult.moveTo(Phase.AwaitingShutdown, "Terminate accepted for every instance.");
  }

  /**
   * A terminate whose intent was written but whose answer was not (a crash) gets its grace window
   * first.
   */
  private static void addOrWait(
      DeletionContext ctx, InstanceStatus is, List<InstanceStatus> toTerminate) {
    if (ctx.status().getIntent() != null
        && ctx.status().getIntent().getResult() == null
        && withinGrace(ctx, TERMINATE, is.getId(), is.getLastTerminateAt())) {
      is.setOutcome(InstanceOutcome.Terminating);
      return;
    }
    toTerminate.add(is);
  }

  static boolean withinGrace(DeletionContext ctx, String action, String id, String recorded) {
    Instant last = ctx.lastAttempt(action, id, recorded);
    java.time.Duration grace = TERMINATE.equals(action) ? ctx.terminateGrace() : ctx.grace();
    return last != null && !last.plus(grace).isBefore(ctx.now());
  }

  private StepResult stop(DeletionContext ctx, List<CloudInstance> toStop) throws CloudException {
    ctx.intend(STOP, toStop.stream().map(CloudInstance::id).toList(), null);
    BatchResult r;
    try {
      r = ctx.provider().stopInstances(toStop);
    } catch (CloudException e) {
      ctx.answered("Failed: " + e.error().code());
      if (e.error().kind() != dev.teardown.cloud.ErrorKind.TERMINAL) {
        throw e;
      }
      // a terminal refusal fails these instances only; the others (and every disk) go on to their
      // end
      for (CloudInstance ci : toStop) {
        InstanceStatus is = find(ctx, ci.id());
        is.setOutcome(InstanceOutcome.Failed);
        is.setError(ctx.errorInfo(e.error()));
      }
      return StepResult.acted(
          Phase.Terminating,
          "Stop refused for "
              + ids(toStop.stream().map(CloudInstance::id).toList())
              + ": "
              + e.error().code()
              + ".");
    }
    CloudError retry = null;
    for (CloudInstance ci : toStop) {
      InstanceStatus is = find(ctx, ci.id());
      CloudError e = r.failures().get(ci.id());
      if (e == null) {
        is.setOutcome(InstanceOutcome.Stopping);
        is.setError(null);
      } else if (e.kind() == dev.teardown.cloud.ErrorKind.NOT_FOUND) {
        is.setError(ctx.errorInfo(e)); // a refused stop did nothing; the next observation decides
      } else {
        retry = applyFailure(ctx, is, e, retry);
      }
    }
    ctx.answered(r.failures().isEmpty() ? "Accepted" : "Refused for " + r.failures().keySet());
    if (retry != null) {
      throw new CloudException(retry);
    }
    return StepResult.acted(
        Phase.Terminating,
        "Stop requested for " + ids(toStop.stream().map(CloudInstance::id).toList()) + ".");
  }

  private StepResult terminate(DeletionContext ctx, List<InstanceStatus> toTerminate)
      throws CloudException {
    recheckDisks(ctx, toTerminate);
    boolean releaseDisks = ctx.spec().getDataDisks() == DataDiskPolicy.Release;
    Map<String, List<InstanceStatus>> groups =
        ctx.caps().sameChargeTypePerTerminate()
            ? BatchCalls.groupBy(toTerminate, i -> String.valueOf(i.getChargeType()))
            : Map.of("", toTerminate);
    List<List<InstanceStatus>> chunks = new ArrayList<>();
    groups
        .values()
        .forEach(g -> chunks.addAll(Batches.chunks(g, ctx.caps().maxInstancesPerTerminate())));
    List<String> accepted = new ArrayList<>();
    CloudError[] retry = {null};
    BatchCalls.callEach(
        chunks,
        chunk -> {
          List<String> ids = chunk.stream().map(InstanceStatus::getId).toList();
          int attempt = chunk.stream().mapToInt(InstanceStatus::terminateCallCount).max().orElse(0);
          String token = ctx.intend(TERMINATE, ids, ctx.token("terminate", ids, attempt));
          try {
            return ctx.provider()
                .terminateInstances(
                    new TerminateRequest(
                        ids,
                        releaseDisks,
                        ctx.spec().releaseAddressEnabled(),
                        false,
                        token,
                        observed(ctx, ids)));
          } catch (CloudException e) {
            // an error the cloud answered (it carries the cloud's request id) did nothing; one
            // without an answer
            // (timeout, reset) may have been applied
            ctx.answered((e.error().requestId() != null ? REFUSED : "Failed: ") + e.error().code());
            throw e;
          }
        },
        (chunk, r) -> {
          ctx.answered(
              r.failures().isEmpty() ? "Accepted" : "Refused for " + r.failures().keySet());
          for (InstanceStatus is : chunk) {
            CloudError e = r.failures().get(is.getId());
            is.setTerminateCalls(is.terminateCallCount() + 1);
            if (e == null) {
              is.setLastTerminateAt(ctx.now().toString());
              is.setError(null);
              if (r.recycled().contains(is.getId())) {
                // the cloud's answer says it is in the recycle bin: it must never be terminated
                // again
                is.setOutcome(InstanceOutcome.Recycled);
                is.setState("InRecycle");
              } else {
                is.setOutcome(InstanceOutcome.Terminating);
              }
              accepted.add(is.getId());
            } else {
              is.setLastTerminateAt(ctx.now().toString());
              retry[0] = applyFailure(ctx, is, e, retry[0]);
            }
          }
          return retry[0]
              == null; // a retryable refusal of one instance ends the pass, as a whole-call one
          // would
        },
        (chunk, err) ->
            chunk.forEach(
                is -> {
                  is.setOutcome(InstanceOutcome.Failed);
                  is.setError(ctx.errorInfo(err));
                }),
        () -> !accepted.isEmpty());
    if (retry[0] != null && accepted.isEmpty()) {
      throw new CloudException(retry[0]);
    }
    boolean allAccepted =
        ctx.instances().stream()
            .allMatch(
                i -> !DeletionContext.active(i) || i.getOutcome() == InstanceOutcome.Terminating);
    String msg =
        accepted.isEmpty()
            ? "No terminate call was accepted."
            : "Terminate accepted for " + ids(accepted) + ".";
    return StepResult.acted(allAccepted ? Phase.AwaitingShutdown : Phase.Terminating, msg);
  }

  /**
   * This pass's observation of the instances a terminate or purge is about to be sent for: the one
   * the step decided from, handed to the adapter so that it need not look again.
   */
  static Map<String, CloudInstance> observed(DeletionContext ctx, List<String> ids) {
    Map<String, CloudInstance> out = new java.util.LinkedHashMap<>();
    ids.forEach(id -> out.put(id, ctx.snapshot().instance(id)));
    return out;
  }

  /** The result of a terminate the cloud answered with an error: nothing was applied. */
  static final String REFUSED = "Refused: ";

  /**
   * True when a terminate of this instance was tried and may have been applied: its answer never
   * came (the intent has no result, or failed without the cloud's answer), or it came from a merged
   * call another deletion replays. Only a terminate the cloud refused for certain (an error answer,
   * or an item refusal) leaves the disks as they were.
   */
  private static boolean terminateMayHaveApplied(DeletionContext ctx, InstanceStatus i) {
    if (ctx.lastAttempt(TERMINATE, i.getId(), i.getLastTerminateAt()) == null) {
      return false;
    }
    dev.teardown.api.v1alpha1.CallIntent last = ctx.status().getIntent();
    return last == null
        || !last.covers(TERMINATE, i.getId())
        || last.getResult() == null
        || !last.getResult().startsWith("Refused");
  }

  /**
   * Lists the data disks of instances about to get their first terminate, in the same pass (unless
   * Pending listed them in this very pass, which is the record itself): a disk attached since
   * Pending joins the plan (with the fate Pending would have given it); a recorded disk that is no
   * longer attached was taken by someone on purpose and is kept, never released by Teardown. Only
   * while no tried terminate may have been applied (see terminateMayHaveApplied): an applied one,
   * answered or not, by this deletion's call or by another deletion replaying the merged call it
   * was part of, makes the cloud detach the disks itself.
   */
  private static void recheckDisks(DeletionContext ctx, List<InstanceStatus> toTerminate)
      throws CloudException {
    // An instance whose observation in this pass lists exactly its recorded disks has none joined
    // and none taken: no further look-up (the cloud's own list, in the same answer that shows it
    // running or stopped).
    if (ctx.wasRecordedInThisPass()) {
      return; // Pending listed them in this pass: the record is this pass's listing
    }
    List<InstanceStatus> first =
        toTerminate.stream()
            .filter(i -> i.terminateCallCount() == 0 && !terminateMayHaveApplied(ctx, i))
            .filter(i -> !Observer.listsExactlyTheRecordedDisks(ctx, i))
            .toList();
    if (first.isEmpty()) {
      return;
    }
    Map<String, List<CloudDisk>> now =
        Observer.attachedDataDisks(
            ctx,
            first.stream().map(InstanceStatus::getId).toList(),
            first.stream().flatMap(i -> i.getDataDisks().stream()).map(DiskStatus::getId).toList());
    boolean release = ctx.spec().getDataDisks() == DataDiskPolicy.Release;
    for (InstanceStatus is : first) {
      List<CloudDisk> attached = now.getOrDefault(is.getId(), List.of());
      Set<String> attachedIds = attached.stream().map(CloudDisk::id).collect(Collectors.toSet());
      Set<String> recordedIds =
          is.getDataDisks().stream().map(DiskStatus::getId).collect(Collectors.toSet());
      CloudInstance ci = ctx.snapshot().instance(is.getId());
      for (CloudDisk d : attached) {
        if (!recordedIds.contains(d.id())) {
          DiskAction action =
              !release
                  ? DiskAction.Retain
                  : ctx.provider().releasedWithInstance(ci, d, true)
                      ? DiskAction.ReleaseWithInstance
                      : DiskAction.Release;
          is.getDataDisks().add(new DiskStatus(d.id(), d.state(), d.chargeType(), action));
          ctx.warn(
              "DiskJoined",
              "disk "
                  + d.id()
                  + " was attached to "
                  + is.getId()
                  + " after the plan was recorded;"
                  + " it joins the plan ("
                  + action
                  + ")");
        }
      }
      List<DiskStatus> taken =
          is.getDataDisks().stream()
              .filter(
                  ds -> !attachedIds.contains(ds.getId()) && ds.getAction() != DiskAction.Retain)
              .toList();
      if (!taken.isEmpty() && !stillUp(ctx, is.getId())) {
        continue; // a terminate took effect meanwhile: the cloud detached them, they stay in the
        // plan
      }
      for (DiskStatus ds : taken) {
        ds.setAction(DiskAction.Retain);
        ds.setState("Detached");
        ctx.warn(
            "DiskTaken",
            "disk "
                + ds.getId()
                + " was detached from "
                + is.getId()
                + " by someone else before Teardown's terminate; it is kept (Retain), not released. Release it"
                + " yourself if it is not needed.");
      }
    }
    ctx.updateDiskCount();
  }

  /**
   * The instance, observed again now, is running or stopped: no terminate, this deletion's or
   * another deletion's replay of a merged call, has taken effect, so disks gone from it were taken
   * by someone.
   */
  private static boolean stillUp(DeletionContext ctx, String id) throws CloudException {
    CloudInstance now = ctx.provider().describeInstances(List.of(id)).get(id);
    return now != null
        && (now.phase() == dev.teardown.cloud.InstancePhase.RUNNING
            || now.phase() == dev.teardown.cloud.InstancePhase.STOPPED);
  }

  /**
   * Records a per-instance error; returns the retryable error to report, if any. A refusal is never
   * success: a "not found" answer to a stop or terminate only says the call did nothing; the next
   * observation decides.
   */
  static CloudError applyFailure(
      DeletionContext ctx, InstanceStatus is, CloudError e, CloudError retry) {
    switch (e.kind()) {
      case NOT_FOUND -> {
        // Terminating: wait for an observation (gone → Gone; still there after the grace →
        // terminate again, bounded).
        is.setOutcome(InstanceOutcome.Terminating);
        is.setError(ctx.errorInfo(e));
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
    return ids.size() <= 5
        ? String.join(", ", ids)
        : String.join(", ", ids.subList(0, 5)) + " and " + (ids.size() - 5) + " more";
  }
}
