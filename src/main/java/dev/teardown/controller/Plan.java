package dev.teardown.controller;

import dev.teardown.api.v1alpha1.DataDiskPolicy;
import dev.teardown.api.v1alpha1.DiskAction;
import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.api.v1alpha1.RecycleBinPolicy;
import dev.teardown.cloud.Batches;
import dev.teardown.cloud.Capabilities;
import dev.teardown.cloud.InstancePhase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The dry-run plan: the calls the steps would make, in order, from the recorded status. */
final class Plan {
  private Plan() {}

  /**
   * Pending observed the disks through describeDataDisks; portability is known only from that
   * answer.
   */
  private static boolean notPortable(DeletionContext ctx, String diskId) {
    return ctx.nonPortableDisks().contains(diskId);
  }

  static List<String> of(DeletionContext ctx) {
    Capabilities caps = ctx.caps();
    List<String> plan = new ArrayList<>();
    List<InstanceStatus> live =
        ctx.instances().stream().filter(i -> i.getOutcome() == InstanceOutcome.Pending).toList();
    for (InstanceStatus is : ctx.instances()) {
      if (is.getOutcome() == InstanceOutcome.Failed) {
        plan.add("skip " + is.getId() + ": " + is.getError().getMessage());
      } else if (is.getOutcome() == InstanceOutcome.Gone) {
        plan.add("skip " + is.getId() + ": already gone");
      } else if (is.getOutcome() == InstanceOutcome.NotFound) {
        plan.add(
            "skip "
                + is.getId()
                + ": not found in "
                + PendingStep.where(ctx)
                + (ctx.spec().getIfNotFound() == dev.teardown.api.v1alpha1.NotFoundPolicy.Fail
                    ? "; the deletion ends Failed (InstancesNotFound) after the others"
                    : "; counted as already gone"));
      } else if (is.getOutcome() == InstanceOutcome.Recycled) {
        plan.add(
            "skip terminate of "
                + is.getId()
                + ": already in the recycle bin ("
                + is.getState()
                + ")");
      }
    }
    if (caps.stopBeforeTerminate()) {
      for (InstanceStatus is : live) {
        if (ctx.snapshot().instance(is.getId()).phase() == InstancePhase.RUNNING) {
          plan.add("stop " + is.getId() + ", then wait until it is stopped");
        }
      }
    }
    boolean release = ctx.spec().getDataDisks() == DataDiskPolicy.Release;
    Map<String, List<InstanceStatus>> groups =
        caps.sameChargeTypePerTerminate()
            ? BatchCalls.groupBy(live, i -> String.valueOf(i.getChargeType()))
            : Map.of("", live);
    for (List<InstanceStatus> g : groups.values()) {
      for (List<InstanceStatus> chunk : Batches.chunks(g, caps.maxInstancesPerTerminate())) {
        plan.add(
            "terminate "
                + chunk.stream().map(InstanceStatus::getId).toList()
                + " (releaseDataDisks="
                + release
                + ", releaseAddress="
                + ctx.spec().releaseAddressEnabled()
                + ")");
      }
    }
    if (!live.isEmpty()) {
      plan.add(
          "wait until the instances are gone"
              + (caps.recycleBin() ? " or in the recycle bin" : ""));
    }
    for (InstanceStatus is : ctx.instances()) {
      if (is.getOutcome() == InstanceOutcome.Failed) {
        continue;
      }
      for (DiskStatus ds : is.getDataDisks()) {
        boolean blind = !ctx.provider().canObserveUnattachedDisks();
        boolean nonElastic =
            ds.getAction() == DiskAction.ReleaseWithInstance
                && is.getOutcome() != InstanceOutcome.NotFound
                && "PREPAID".equals(is.getChargeType())
                && caps.recycleBin()
                && !ctx.snapshot().instances().isEmpty()
                && notPortable(ctx, ds.getId());
        plan.add(
            switch (ds.getAction()) {
              case Retain -> "keep disk " + ds.getId() + " (dataDisks: Retain)";
              case ReleaseWithInstance ->
                  nonElastic
                      ? "disk "
                          + ds.getId()
                          + " is not elastic: it goes to the recycle bin with "
                          + is.getId()
                          + " (no detach call)"
                          + (ctx.spec().getRecycleBin() == RecycleBinPolicy.Purge
                              ? " and is purged with it"
                              : "")
                      : "verify disk "
                          + ds.getId()
                          + " was released with "
                          + is.getId()
                          + (blind
                              ? "; release it once more (idempotent; the cloud cannot show unattached disks)"
                              : "; if it survived, detach and release it");
              case Release ->
                  "detach disk "
                      + ds.getId()
                      + " from "
                      + is.getId()
                      + " if still attached, then release it";
            });
      }
    }
    if (ctx.spec().getRecycleBin() == RecycleBinPolicy.Purge && caps.recycleBin()) {
      plan.add("purge recycled instances and disks for good (second terminate; irreversible)");
    }
    long toRelease = ctx.disks().filter(d -> d.getAction() != DiskAction.Retain).count();
    plan.add(
        "verify: "
            + ctx.instances().size()
            + " instances gone"
            + (caps.recycleBin() ? " or recycled" : "")
            + ", "
            + toRelease
            + " data disks released");
    return plan;
  }
}
