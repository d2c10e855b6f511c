package dev.teardown.controller;

import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.ErrorInfo;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.cloud.Batches;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.DiskPhase;
import dev.teardown.cloud.ErrorKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Detaches the recorded disks that must be released and are still attached to one of this
 * deletion's instances. A disk now attached to some other instance is left alone: releasing it
 * would hurt a machine nobody asked to delete.
 */
final class DetachingStep implements Step {
  static final String DETACH = "DetachDisks";

  @Override
  public StepResult run(DeletionContext ctx) throws CloudException {
    Observer.observeDisks(ctx);
    Set<String> ours =
        ctx.instances().stream().map(InstanceStatus::getId).collect(Collectors.toSet());
    List<DiskStatus> attached = new ArrayList<>();
    int busy = 0;
    for (DiskStatus ds : ctx.disksToRelease()) {
      CloudDisk cd = ctx.snapshot().disk(ds.getId());
      if (cd.phase() == DiskPhase.BUSY) {
        busy++;
      } else if (cd.phase() == DiskPhase.ATTACHED) {
        if (cd.instanceId() != null && !ours.contains(cd.instanceId())) {
          ds.setError(
              new ErrorInfo(
                  "AttachedElsewhere",
                  ds.getId()
                      + " is now attached to "
                      + cd.instanceId()
                      + ", which this deletion does not own; it was left alone. Release it yourself if it is not needed.",
                  null,
                  ErrorKind.TERMINAL.display(),
                  "Observe",
                  ctx.now().toString()));
          ctx.warn(ds.getError().getMessage());
        } else {
          attached.add(ds);
        }
      }
    }
    if (!attached.isEmpty()) {
      return detach(ctx, attached);
    }
    if (busy > 0) {
      return StepResult.waitFor(
          Phase.Detaching, "Waiting for " + busy + " disks to finish detaching.");
    }
    return StepResult.moveTo(Phase.ReleasingDisks, "No disk to release is attached any more.");
  }

  private StepResult detach(DeletionContext ctx, List<DiskStatus> attached) throws CloudException {
    Map<String, List<DiskStatus>> byInstance =
        BatchCalls.groupBy(attached, d -> ctx.snapshot().disk(d.getId()).instanceId());
    List<List<DiskStatus>> chunks = new ArrayList<>();
    byInstance
        .values()
        .forEach(v -> chunks.addAll(Batches.chunks(v, ctx.caps().maxDisksPerDetach())));
    List<String> requested = new ArrayList<>();
    BatchCalls.callEach(
        chunks,
        chunk -> {
          List<String> ids = chunk.stream().map(DiskStatus::getId).toList();
          ctx.intend(DETACH, ids, null);
          try {
            return ctx.provider()
                .detachDisks(ctx.snapshot().disk(chunk.get(0).getId()).instanceId(), ids);
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
            if (err == null) {
              requested.add(d.getId());
              d.setError(null);
            } else if (err.kind() == ErrorKind.NOT_FOUND) {
              // "not attached" or "not found": the detach did nothing; the next observation says
              // where the disk is
              d.setError(null);
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
        Phase.Detaching,
        requested.isEmpty()
            ? "No detach call was accepted."
            : "Detach requested for " + TerminatingStep.ids(requested) + ".");
  }
}
