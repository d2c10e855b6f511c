package dev.teardown.controller;

import dev.teardown.api.v1alpha1.DiskAction;
import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.api.v1alpha1.NotFoundPolicy;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.RecycleBinPolicy;
import dev.teardown.cloud.Batches;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.DiskPhase;
import dev.teardown.cloud.ErrorKind;
import dev.teardown.cloud.InstancePhase;
import dev.teardown.cloud.ReleaseDisksRequest;
import dev.teardown.cloud.TerminateRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Releases unattached recorded disks, then (recycleBin: Purge only) destroys recycled instances and
 * disks with a second call, then verifies from the snapshot that nothing to release is left, and
 * ends the deletion.
 */
final class ReleasingDisksStep implements Step {
  static final String REASON_PARTIALLY_FAILED = "PartiallyFailed";

  static final String RELEASE = "ReleaseDisks";
  static final String PURGE = "PurgeInstances";
  static final String PURGE_DISKS = "PurgeDisks";

  @Override
  public StepResult run(DeletionContext ctx) throws CloudException {
    Observer.observeInstances(ctx);
    Observer.observeDisks(ctx);
    List<DiskStatus> available = new ArrayList<>();
    int busy = 0;
    for (DiskStatus ds : ctx.disksToRelease()) {
      DiskPhase p = ctx.snapshot().disk(ds.getId()).phase();
      switch (p) {
        case ATTACHED -> {
          return StepResult.moveTo(
              Phase.Detaching, ds.getId() + " is attached again; detaching it first.");
        }
        case AVAILABLE -> {
          // A release the cloud accepted moments ago may not show yet; never send a second call
          // into that window
          // (on a prepaid disk it would purge the disk from the recycle bin).
          Instant last = ctx.lastAttempt(RELEASE, ds.getId(), ds.getLastReleaseAt());
          if (last == null || last.plus(ctx.grace()).isBefore(ctx.now())) {
            available.add(ds);
          } else {
            busy++;
          }
        }
        case GONE ->
            available.add(
                ds); // reported gone by a cloud that cannot see unattached disks: release once
        default -> busy++;
      }
    }
    if (!available.isEmpty()) {
      StepResult released = release(ctx, available, false);
      if (busy == 0 && ctx.disksToRelease().isEmpty() && !purging(ctx)) {
        // Every disk left to release was settled by this very call (a cloud blind to unattached
        // disks, see settledByThisRelease): a further pass could observe nothing more. End now.
        StepResult end = finish(ctx);
        return new StepResult(end.next(), true, true, end.message(), end.reason());
      }
      return released;
    }
    if (busy > 0) {
      return StepResult.waitFor(
          Phase.ReleasingDisks, "Waiting for " + busy + " disks to be released.");
    }
    if (purging(ctx)) {
      StepResult purge = purge(ctx);
      if (purge != null) {
        return purge;
      }
    }
    return finish(ctx);
  }

  private static boolean purging(DeletionContext ctx) {
    return ctx.spec().getRecycleBin() == RecycleBinPolicy.Purge && ctx.caps().recycleBin();
  }

  /**
   * A release the cloud accepted (not a "not found" answer) of a disk that this pass observed
   * attached to no instance, on a cloud that cannot observe an unattached disk (CompShare): the
   * disk counts as released now. A later look could not see it either way (attached to nothing, or
   * deleted), so it would add no observation, only a call; see docs/safety.md.
   */
  private static boolean settledByThisRelease(DeletionContext ctx, DiskStatus d, boolean purge) {
    return !purge
        && !ctx.provider().canObserveUnattachedDisks()
        && ctx.snapshot().disk(d.getId()).phase() == DiskPhase.GONE;
  }

  private StepResult purge(DeletionContext ctx) throws CloudException {
    List<InstanceStatus> recycled = new ArrayList<>();
    int waiting = 0;
    for (InstanceStatus is : ctx.instances()) {
      InstancePhase p = ctx.snapshot().instance(is.getId()).phase();
      if (is.getOutcome() == InstanceOutcome.Recycled
          && p == InstancePhase.RECYCLED
          && !is.purgeWasRequested()) {
        recycled.add(is);
      } else if (is.purgeWasRequested() && p != InstancePhase.GONE) {
        waiting++;
      }
    }
    if (!recycled.isEmpty()) {
      List<String> mismatches =
          TargetGuard.mismatches(
              ctx.spec().getGuard(),
              recycled.stream().map(is -> ctx.snapshot().instance(is.getId())).toList());
      if (!mismatches.isEmpty()) {
        return StepResult.fail(
            TargetGuard.REASON_MISMATCH, TargetGuard.message(mismatches, "right before " + PURGE));
      }
      Map<String, List<InstanceStatus>> groups =
          BatchCalls.groupBy(recycled, i -> String.valueOf(i.getChargeType()));
      List<String> requested = new ArrayList<>();
      List<List<InstanceStatus>> chunks = new ArrayList<>();
      groups
          .values()
          .forEach(g -> chunks.addAll(Batches.chunks(g, ctx.caps().maxInstancesPerTerminate())));
      BatchCalls.callEach(
          chunks,
          chunk -> {
            List<String> ids = chunk.stream().map(InstanceStatus::getId).toList();
            String token = ctx.intend(PURGE, ids, ctx.token("purge", ids, 0));
            try {
              return ctx.provider()
                  .terminateInstances(
                      new TerminateRequest(
                          ids,
                          true,
                          ctx.spec().releaseAddressEnabled(),
                          true,
                          token,
                          TerminatingStep.observed(ctx, ids)));
            } catch (CloudException e) {
              ctx.answered("Failed: " + e.error().code());
              throw e;
            }
          },
          (chunk, r) -> {
            ctx.answered(
                r.failures().isEmpty() ? "Accepted" : "Refused for " + r.failures().keySet());
            for (InstanceStatus is : chunk) {
              CloudError e = r.failures().get(is.getId());
              is.setTerminateCalls(is.terminateCallCount() + 1);
              if (e == null || e.kind() == ErrorKind.NOT_FOUND) {
                is.setPurgeRequested(true);
                requested.add(is.getId());
              } else {
                TerminatingStep.applyFailure(ctx, is, e, null);
              }
            }
            return true;
          },
          (chunk, err) ->
              chunk.forEach(
                  is -> {
                    // still in the recycle bin: not billed, recoverable; the purge is what failed
                    is.setOutcome(InstanceOutcome.Failed);
                    is.setError(ctx.errorInfo(err));
                  }),
          () -> !requested.isEmpty());
      return StepResult.acted(
          Phase.ReleasingDisks,
          "Purge requested for recycled " + TerminatingStep.ids(requested) + ".");
    }
    if (waiting > 0) {
      // Destroying a recycled instance destroys the disks recycled with it; purging those now would
      // race the cloud
      // with a second irreversible call. Look at the disks again once the purged instances are
      // gone.
      return StepResult.waitFor(
          Phase.ReleasingDisks, "Waiting for " + waiting + " purged instances to disappear.");
    }
    List<DiskStatus> recycledDisks = new ArrayList<>();
    for (InstanceStatus is : ctx.instances()) {
      if (is.getOutcome() == InstanceOutcome.Failed) {
        continue;
      }
      for (DiskStatus ds : is.getDataDisks()) {
        DiskPhase p = ctx.snapshot().disk(ds.getId()).phase();
        if (ds.getAction() == DiskAction.Retain) {
          continue;
        }
        if (p == DiskPhase.RECYCLED && !ds.purgeWasRequested()) {
          recycledDisks.add(ds);
        } else if (ds.purgeWasRequested() && p != DiskPhase.GONE) {
          waiting++;
        }
      }
    }
    if (!recycledDisks.isEmpty()) {
      return release(ctx, recycledDisks, true);
    }
    if (waiting > 0) {
      return StepResult.waitFor(
          Phase.ReleasingDisks, "Waiting for " + waiting + " purged resources to disappear.");
    }
    return null;
  }

  private StepResult release(DeletionContext ctx, List<DiskStatus> disks, boolean purge)
      throws CloudException {
    List<String> requested = new ArrayList<>();
    BatchCalls.callEach(
        Batches.chunks(disks, ctx.caps().maxDisksPerRelease()),
        chunk -> {
          List<String> ids = chunk.stream().map(DiskStatus::getId).toList();
          int attempt = chunk.stream().mapToInt(DiskStatus::releaseCallCount).max().orElse(0);
          String token =
              ctx.intend(
                  purge ? PURGE_DISKS : RELEASE,
                  ids,
                  ctx.token(purge ? "purge-disks" : "release", ids, attempt));
          try {
            Map<String, dev.teardown.cloud.CloudDisk> observed = new java.util.LinkedHashMap<>();
            ids.forEach(id -> observed.put(id, ctx.snapshot().disk(id)));
            return ctx.provider()
                .releaseDisks(new ReleaseDisksRequest(ids, purge, token, observed));
          } catch (CloudException e) {
            ctx.answered("Failed: " + e.error().code());
            throw e;
          }
        },
        (chunk, r) -> {
          ctx.answered(
              r.failures().isEmpty() ? "Accepted" : "Refused for " + r.failures().keySet());
          for (DiskStatus d : chunk) {
            CloudError err = r.failures().get(d.getId());
            d.setReleaseCalls(d.releaseCallCount() + 1);
            if (err == null || err.kind() == ErrorKind.NOT_FOUND) {
              requested.add(d.getId());
              d.setError(null);
              d.setLastReleaseAt(ctx.now().toString());
              if (purge) {
                d.setPurgeRequested(true);
              }
              if (err == null && settledByThisRelease(ctx, d, purge)) {
                d.setReleased(true);
                d.setState(ctx.snapshot().disk(d.getId()).state());
              }
            } else {
              d.setError(ctx.errorInfo(err));
            }
          }
          return true;
        },
        (chunk, err) -> chunk.forEach(d -> d.setError(ctx.errorInfo(err))),
        () -> !requested.isEmpty());
    ctx.updateDiskCount();
    return StepResult.acted(
        Phase.ReleasingDisks,
        (purge ? "Purge" : "Release")
            + " requested for "
            + (requested.isEmpty() ? "no disk" : TerminatingStep.ids(requested))
            + ".");
  }

  private StepResult finish(DeletionContext ctx) {
    List<String> problems = new ArrayList<>();
    List<String> left = new ArrayList<>();
    for (InstanceStatus is : ctx.instances()) {
      if (is.getOutcome() == InstanceOutcome.Failed) {
        String why = is.getError() == null ? "failed" : is.getError().getMessage();
        problems.add(is.getId() + ": " + why);
        left.add("instance " + is.getId() + " (" + is.getState() + "): " + why);
        for (DiskStatus ds : is.getDataDisks()) {
          if (ds.getAction() != DiskAction.Retain) {
            left.add(
                "disk "
                    + ds.getId()
                    + " ("
                    + ds.getState()
                    + "), attached to "
                    + is.getId()
                    + ": release it with the instance, or on its own once the instance is gone");
          }
        }
        continue;
      }
      for (DiskStatus ds : is.getDataDisks()) {
        if (ds.getError() != null && DeletionContext.terminal(ds.getError())) {
          problems.add(ds.getId() + ": " + ds.getError().getMessage());
          left.add(
              "disk " + ds.getId() + " (" + ds.getState() + "): " + ds.getError().getMessage());
        }
      }
    }
    List<String> notFound =
        ctx.instances().stream()
            .filter(i -> i.getOutcome() == InstanceOutcome.NotFound)
            .map(InstanceStatus::getId)
            .toList();
    long gone =
        ctx.instances().stream().filter(i -> i.getOutcome() == InstanceOutcome.Gone).count();
    long recycled =
        ctx.instances().stream().filter(i -> i.getOutcome() == InstanceOutcome.Recycled).count();
    long retained = ctx.disks().filter(d -> d.getAction() == DiskAction.Retain).count();
    String summary =
        PendingStep.count(gone, "instance")
            + " deleted"
            + (recycled > 0 ? ", " + recycled + " in the recycle bin" : "")
            + (notFound.isEmpty()
                ? ""
                : ", " + notFound.size() + " already gone (not found at the start)")
            + ", "
            + ctx.status().getDisks().replaceFirst(",.*", "")
            + " data disks released"
            + (retained > 0 ? ", " + retained + " retained" : "");
    boolean failOnNotFound =
        !notFound.isEmpty() && ctx.spec().getIfNotFound() == NotFoundPolicy.Fail;
    if (!problems.isEmpty() || failOnNotFound) {
      ctx.status().setLeftInCloud(left.isEmpty() ? null : left);
      String reason = problems.isEmpty() ? PendingStep.REASON_NOT_FOUND : REASON_PARTIALLY_FAILED;
      String msg =
          summary
              + "."
              + (problems.isEmpty() ? "" : " Not deleted: " + String.join("; ", problems) + ".")
              + (failOnNotFound ? " " + PendingStep.notFoundMessage(ctx, notFound) : "");
      return StepResult.fail(reason, msg);
    }
    return StepResult.moveTo(Phase.Done, summary + ".");
  }
}
