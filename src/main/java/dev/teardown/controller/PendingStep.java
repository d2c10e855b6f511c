package dev.teardown.controller;

import dev.teardown.api.v1alpha1.DataDiskPolicy;
import dev.teardown.api.v1alpha1.DiskAction;
import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.ErrorInfo;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.api.v1alpha1.NotFoundPolicy;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.InstancePhase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Records every instance and its data disks in status before any mutating call, decides each disk's
 * fate, and refuses up front what the cloud would refuse (deletion protection, a disk that Retain
 * cannot keep). A dry run ends here with the plan. Otherwise the pass goes straight on to
 * Terminating; the recording reaches the API server with the intent written before the first
 * mutating call ({@link DeletionContext#intend}), or at the end of a pass that makes none.
 */
final class PendingStep implements Step {
  /**
   * Condition reason and event reason for instances that did not exist at the first observation.
   */
  static final String REASON_NOT_FOUND = "InstancesNotFound";

  static String where(DeletionContext ctx) {
    return "region "
        + ctx.spec().getRegion()
        + (ctx.spec().getZone() == null ? "" : " (zone " + ctx.spec().getZone() + ")");
  }

  static String notFoundMessage(DeletionContext ctx, List<String> ids) {
    return "Not found in "
        + where(ctx)
        + ": "
        + String.join(", ", ids)
        + ". Nothing was deleted for "
        + (ids.size() == 1 ? "it" : "them")
        + ": check spec.instanceIds and spec.region (a deletion that may find its"
        + " instances already gone can set ifNotFound: Ignore), then delete and re-create this CloudInstanceDeletion.";
  }

  @Override
  public StepResult run(DeletionContext ctx) throws CloudException {
    boolean release = ctx.spec().getDataDisks() == DataDiskPolicy.Release;
    List<String> present =
        ctx.spec().getInstanceIds().stream()
            .filter(id -> ctx.snapshot().instance(id).phase() != InstancePhase.GONE)
            .toList();
    Map<String, List<CloudDisk>> disks =
        present.isEmpty() ? Map.of() : Observer.attachedDataDisks(ctx, present, List.of());

    List<InstanceStatus> recorded = new ArrayList<>();
    List<String> protectedIds = new ArrayList<>();
    List<String> cannotRetain = new ArrayList<>();
    for (String id : ctx.spec().getInstanceIds()) {
      CloudInstance ci = ctx.snapshot().instance(id);
      InstanceStatus is = new InstanceStatus(id);
      is.setName(ci.name());
      is.setState(ci.state());
      is.setChargeType(ci.chargeType());
      is.setOutcome(
          switch (ci.phase()) {
              // Not there at the first look: nothing will be deleted, so it must never count as
              // deleted.
            case GONE -> InstanceOutcome.NotFound;
            case RECYCLED -> InstanceOutcome.Recycled;
            default -> InstanceOutcome.Pending;
          });
      if (ci.deletionProtected() && ci.phase() != InstancePhase.GONE) {
        protectedIds.add(id);
      }
      if (ci.notDeletableReason() != null && is.getOutcome() == InstanceOutcome.Pending) {
        is.setOutcome(InstanceOutcome.Failed);
        is.setError(
            new ErrorInfo(
                "NotDeletable",
                ci.notDeletableReason(),
                null,
                "Terminal",
                "Observe",
                ctx.now().toString()));
      }
      for (CloudDisk d : disks.getOrDefault(id, List.of())) {
        if (!d.portable()) {
          ctx.nonPortableDisks().add(d.id());
        }
        DiskAction action;
        if (!release) {
          action = DiskAction.Retain;
          if (ctx.provider().releasedWithInstance(ci, d, false)) {
            cannotRetain.add(d.id() + " (on " + id + ")");
          }
        } else {
          action =
              ctx.provider().releasedWithInstance(ci, d, true)
                  ? DiskAction.ReleaseWithInstance
                  : DiskAction.Release;
        }
        is.getDataDisks().add(new DiskStatus(d.id(), d.state(), d.chargeType(), action));
      }
      recorded.add(is);
    }
    ctx.status().setInstances(recorded);
    ctx.status()
        .setRecorded(
            SpecFingerprint.record(
                ctx.spec(), ctx.resource().getMetadata().getGeneration(), ctx.now()));
    ctx.recordedInThisPass();
    ctx.updateDiskCount();
    List<String> notFound =
        recorded.stream()
            .filter(i -> i.getOutcome() == InstanceOutcome.NotFound)
            .map(InstanceStatus::getId)
            .toList();
    for (String id : notFound) {
      ctx.warn(
          REASON_NOT_FOUND,
          "instance "
              + id
              + " was not found in "
              + where(ctx)
              + (ctx.spec().getIfNotFound() == NotFoundPolicy.Ignore
                  ? "; ifNotFound: Ignore counts it as already gone"
                  : "; nothing was deleted for it (check spec.instanceIds and spec.region)"));
    }

    List<String> mismatches =
        TargetGuard.mismatches(
            ctx.spec().getGuard(),
            ctx.spec().getInstanceIds().stream().map(id -> ctx.snapshot().instance(id)).toList());
    if (!mismatches.isEmpty()) {
      return StepResult.fail(
          TargetGuard.REASON_MISMATCH, TargetGuard.message(mismatches, "at Pending"));
    }
    if (!protectedIds.isEmpty()) {
      return StepResult.fail(
          "DeletionProtection",
          "deletion protection is on for "
              + String.join(", ", protectedIds)
              + ": turn it off in the cloud console, then delete and re-create this CloudInstanceDeletion."
              + " Nothing was changed.");
    }
    if (!cannotRetain.isEmpty()) {
      return StepResult.fail(
          "DiskReleasedWithInstance",
          "dataDisks is Retain, but the cloud releases "
              + String.join(", ", cannotRetain)
              + " together with the instance (delete-with-instance is set): turn that"
              + " off for the disk, or use dataDisks: Release. Nothing was changed.");
    }
    long failed = recorded.stream().filter(i -> i.getOutcome() == InstanceOutcome.Failed).count();
    boolean failOnNotFound =
        ctx.spec().getIfNotFound() == NotFoundPolicy.Fail && !notFound.isEmpty();
    if (failed + notFound.size() == recorded.size() && failOnNotFound) {
      return StepResult.fail(
          REASON_NOT_FOUND, notFoundMessage(ctx, notFound) + " Nothing was changed.");
    }
    if (failed == recorded.size() || failed > 0 && failed + notFound.size() == recorded.size()) {
      InstanceStatus first =
          recorded.stream()
              .filter(i -> i.getOutcome() == InstanceOutcome.Failed)
              .findFirst()
              .orElseThrow();
      return StepResult.fail(
          "NotDeletable", first.getError().getMessage() + " Nothing was changed.");
    }
    if (ctx.spec().dryRunEnabled()) {
      List<String> plan = Plan.of(ctx);
      ctx.status().setPlan(plan);
      return StepResult.moveTo(
          Phase.Done,
          "Dry run: " + plan.size() + " steps planned, nothing was changed (see status.plan).");
    }
    long diskCount = recorded.stream().mapToLong(i -> i.getDataDisks().size()).sum();
    return StepResult.moveTo(
        Phase.Terminating,
        "Recorded "
            + count(recorded.size(), "instance")
            + " and "
            + count(diskCount, "data disk")
            + ".");
  }

  /** "1 instance", "2 instances". */
  static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
