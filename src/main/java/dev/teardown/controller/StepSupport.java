package dev.teardown.controller;

import dev.teardown.api.v1alpha1.DiskAction;
import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.ErrorInfo;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.cloud.BatchResult;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.DiskPhase;
import dev.teardown.cloud.ErrorKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Observation bookkeeping and batching shared by the steps. */
final class StepSupport {
  private StepSupport() {}

  /** Copies observed instance states into status; gone and recycled instances get their outcome. */
  static void observeInstances(DeletionContext ctx) {
    for (InstanceStatus is : ctx.instances()) {
      CloudInstance ci = ctx.snapshot().instance(is.getId());
      is.setState(ci.state());
      if (ci.chargeType() != null) {
        is.setChargeType(ci.chargeType());
      }
      if (is.getOutcome() == InstanceOutcome.Failed
          || is.getOutcome() == InstanceOutcome.NotFound) {
        continue;
      }
      switch (ci.phase()) {
        case GONE -> is.setOutcome(InstanceOutcome.Gone);
        case RECYCLED -> is.setOutcome(InstanceOutcome.Recycled);
        default -> {}
      }
    }
  }

  /**
   * Copies observed disk states into status; a disk to release that is gone or recycled counts as
   * released.
   */
  static void observeDisks(DeletionContext ctx) throws dev.teardown.cloud.CloudException {
    ctx.snapshot().loadDisks();
    Map<String, InstanceStatus> owner = ownerOfDisk(ctx);
    for (DiskStatus ds : ctx.disks().toList()) {
      CloudDisk cd = ctx.snapshot().disk(ds.getId());
      boolean unseen = cd.phase() == DiskPhase.GONE && !goneConfirmed(ctx, ds, cd);
      // A cloud that cannot look up unattached disks reports them gone: the status must not say
      // Gone for a disk
      // that may well be there and billed (a kept disk, or one Teardown has not released yet).
      ds.setState(unseen ? UNATTACHED_UNOBSERVABLE : cd.state());
      if (ds.getAction() == DiskAction.Retain) {
        continue;
      }
      if (goneConfirmed(ctx, ds, cd) || cd.phase() == DiskPhase.RECYCLED) {
        ds.setReleased(true);
        ds.setError(null);
      } else if (goesToRecycleBinWithInstance(ctx, ds, cd, owner.get(ds.getId()))) {
        // A non-elastic disk cannot be detached: it stays attached to its recycled (prepaid)
        // instance, is recycled
        // with it and goes with it on Purge. That is its end, by choice; no DetachDisks is ever
        // sent for it.
        ds.setReleased(true);
        ds.setState(cd.state() + " (recycled with " + cd.instanceId() + ")");
        ds.setError(null);
      }
    }
    updateDiskCount(ctx);
  }

  /** State shown for a disk the cloud cannot see because it is attached to nothing (CompShare). */
  static final String UNATTACHED_UNOBSERVABLE = "Unattached";

  /**
   * A disk planned to go with its instance that is still attached to it after the instance went to
   * the recycle bin: a non-elastic disk (it cannot be detached), or any such disk on a cloud whose
   * recycle bin keeps the disks with the instance (CompShare InRecycle).
   */
  static boolean goesToRecycleBinWithInstance(
      DeletionContext ctx, DiskStatus ds, CloudDisk cd, InstanceStatus owner) {
    return ds.getAction() == DiskAction.ReleaseWithInstance
        && (!cd.portable() || !ctx.caps().recycleBin())
        && owner != null
        && owner.getOutcome() == InstanceOutcome.Recycled
        && cd.phase() == DiskPhase.ATTACHED
        && owner.getId().equals(cd.instanceId());
  }

  /**
   * How long an accepted call may take to show in observations before Teardown considers it
   * dropped.
   */
  static java.time.Duration grace(DeletionContext ctx) {
    java.time.Duration g = ctx.config().pollInterval().multipliedBy(10);
    return g.compareTo(java.time.Duration.ofSeconds(2)) < 0 ? java.time.Duration.ofSeconds(2) : g;
  }

  /**
   * The grace before a terminate is sent again: never shorter than what the cloud needs to show it.
   */
  static java.time.Duration terminateGrace(DeletionContext ctx) {
    java.time.Duration g = grace(ctx);
    java.time.Duration settles = ctx.caps().terminateSettles();
    return settles != null && settles.compareTo(g) > 0 ? settles : g;
  }

  /** Gone, and the cloud can tell (or Teardown's own idempotent release already ran for it). */
  static boolean goneConfirmed(DeletionContext ctx, DiskStatus ds, CloudDisk cd) {
    return cd.phase() == DiskPhase.GONE
        && (ctx.provider().canObserveUnattachedDisks() || ds.releaseCallCount() > 0);
  }

  static void updateDiskCount(DeletionContext ctx) {
    long total = ctx.disks().filter(d -> d.getAction() != DiskAction.Retain).count();
    long released =
        ctx.disks().filter(d -> d.getAction() != DiskAction.Retain && d.isReleased()).count();
    long kept = ctx.disks().filter(d -> d.getAction() == DiskAction.Retain).count();
    ctx.status().setDisks(released + "/" + total + (kept > 0 ? ", " + kept + " kept" : ""));
  }

  static boolean active(InstanceStatus is) {
    return is.getOutcome() != InstanceOutcome.Failed
        && is.getOutcome() != InstanceOutcome.NotFound
        && is.getOutcome() != InstanceOutcome.Gone
        && is.getOutcome() != InstanceOutcome.Recycled;
  }

  /** The instance a disk was recorded under. */
  static Map<String, InstanceStatus> ownerOfDisk(DeletionContext ctx) {
    Map<String, InstanceStatus> owner = new LinkedHashMap<>();
    for (InstanceStatus is : ctx.instances()) {
      for (DiskStatus ds : is.getDataDisks()) {
        owner.put(ds.getId(), is);
      }
    }
    return owner;
  }

  /**
   * Disks Teardown must still release itself: not retained, not released, no terminal error, owner
   * not failed.
   */
  static List<DiskStatus> disksToRelease(DeletionContext ctx) {
    List<DiskStatus> out = new ArrayList<>();
    for (InstanceStatus is : ctx.instances()) {
      if (is.getOutcome() == InstanceOutcome.Failed
          || is.getOutcome() == InstanceOutcome.NotFound) {
        continue;
      }
      for (DiskStatus ds : is.getDataDisks()) {
        if (ds.getAction() != DiskAction.Retain && !ds.isReleased() && !terminal(ds.getError())) {
          out.add(ds);
        }
      }
    }
    return out;
  }

  static boolean terminal(ErrorInfo e) {
    return e != null && ErrorKind.TERMINAL.display().equals(e.getKind());
  }

  /** One call of a batch-shaped port method. */
  interface BatchCall<T> {
    BatchResult call(List<T> chunk) throws CloudException;
  }

  /** Books one answered call; returns false to make no further call in this pass. */
  interface Answer<T> {
    boolean accept(List<T> chunk, BatchResult result);
  }

  /**
   * Makes one call per chunk, in order. A chunk the cloud refuses as a whole with a terminal error
   * is split in halves and each half is tried again, down to single ids, so only the ids the cloud
   * refuses on their own go to {@code refused} and the innocent ones of the same batch are deleted.
   * A retryable error ends the pass: it is thrown (backoff) when nothing was accepted yet, and
   * otherwise dropped, so that what was accepted is written and the next reconcile retries the
   * rest.
   */
  static <T> void callEach(
      List<List<T>> chunks,
      BatchCall<T> call,
      Answer<T> answered,
      java.util.function.BiConsumer<List<T>, CloudError> refused,
      java.util.function.BooleanSupplier anyAccepted)
      throws CloudException {
    java.util.Deque<List<T>> todo = new java.util.ArrayDeque<>(chunks);
    while (!todo.isEmpty()) {
      List<T> chunk = todo.pollFirst();
      BatchResult r;
      try {
        r = call.call(chunk);
      } catch (CloudException e) {
        if (e.error().kind() == ErrorKind.TERMINAL) {
          if (chunk.size() > 1) {
            int half = chunk.size() / 2;
            todo.addFirst(List.copyOf(chunk.subList(half, chunk.size())));
            todo.addFirst(List.copyOf(chunk.subList(0, half)));
          } else {
            refused.accept(chunk, e.error());
          }
          continue;
        }
        if (!anyAccepted.getAsBoolean()) {
          throw e;
        }
        return;
      }
      if (!answered.accept(chunk, r)) {
        return;
      }
    }
  }

  static <T, K> Map<K, List<T>> groupBy(List<T> items, Function<T, K> key) {
    Map<K, List<T>> out = new LinkedHashMap<>();
    for (T t : items) {
      out.computeIfAbsent(key.apply(t), k -> new ArrayList<>()).add(t);
    }
    return out;
  }

  /** Largest retry hint among per-id errors, if any. */
  static Optional<CloudError> firstRetryable(Map<String, CloudError> failures) {
    return failures.values().stream().filter(CloudError::isRetryable).findFirst();
  }
}
