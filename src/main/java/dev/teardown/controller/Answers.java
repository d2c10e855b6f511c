package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.InstanceStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answers to a pass's mutating calls, kept in memory until the next write of the same deletion
 * instead of a status write of their own.
 *
 * <p>Before every mutating call its intent is written (the recorded plan, the action, the ids, the
 * idempotency token); the answer only adds the result to what the server already has. A pass that
 * made calls and ends normally (no error, not finished, next look soon) keeps the status it ended
 * with here, and the next pass of the same deletion starts from it, then writes it with its own
 * status write or intent. That is one status write fewer per mutating pass.
 *
 * <p>What is kept is used only while the status on the server is exactly the one this process last
 * wrote for that object (same uid, the same status), and a stopping operator writes what it still
 * keeps ({@link #writeAll}): a change to its metadata or spec (an annotation, a GitOps apply) keeps
 * it, since status is the operator's alone. A status written by anyone else, a restart, a new
 * leader or a crash drops it, and the next pass reads the server's status: an intent without a
 * result, the state a crash between a call and its status write leaves, which every step already
 * handles (the call's grace window, the same idempotency token for a retry, observation first).
 */
final class Answers {
  /** Kept at most; beyond this, nothing more is kept and the status is written as before. */
  static final int MAX_KEPT = 100_000;

  /** A pass whose next look is further away than this writes its answers at once. */
  static final Duration MAX_WAIT = Duration.ofSeconds(10);

  /** The result a step books for a call the cloud accepted as a whole. */
  static final String ACCEPTED = "Accepted";

  private record Kept(String writtenJson, CloudInstanceDeletionStatus status, Runnable write) {}

  private static final Logger log = LoggerFactory.getLogger(Answers.class);

  private final Map<String, Kept> kept = new ConcurrentHashMap<>();

  /**
   * True when a pass that made calls may leave their answers for the next write: it ended without
   * an error, not in a final phase, looks again soon, and its last call was plainly accepted with
   * nothing in the answer that a later observation could not show again. An answer that refused
   * items, failed, or said an instance went to the recycle bin (CompShare's InRecycle, while the
   * cloud still lists it as stopped) is written at once: after a restart it must not be lost.
   *
   * @param written the status as last written in this pass (its intent)
   */
  static boolean canWait(DeletionReconciler.Outcome o, CloudInstanceDeletionStatus written) {
    CloudInstanceDeletionStatus s = o.status();
    Duration next = o.reschedule();
    return next != null
        && next.compareTo(MAX_WAIT) <= 0
        && !s.getPhase().isTerminal()
        && s.getLastError() == null
        && s.getNextAttemptAt() == null
        && s.getIntent() != null
        && ACCEPTED.equals(s.getIntent().getResult())
        && recycledIds(s).equals(written == null ? Set.of() : recycledIds(written));
  }

  private static Set<String> recycledIds(CloudInstanceDeletionStatus s) {
    Set<String> out = new HashSet<>();
    if (s.getInstances() != null) {
      for (InstanceStatus i : s.getInstances()) {
        if (i.getOutcome() == InstanceOutcome.Recycled) {
          out.add(i.getId());
        }
      }
    }
    return out;
  }

  /**
   * Keeps {@code status} for the next pass over {@code written}, the object last written; false
   * when it cannot (then the caller writes it).
   */
  boolean keep(CloudInstanceDeletion written, CloudInstanceDeletionStatus status, Runnable write) {
    String uid = written.getMetadata().getUid();
    if (uid == null || written.getStatus() == null || kept.size() >= MAX_KEPT) {
      return false;
    }
    kept.put(uid, new Kept(Serialization.asJson(written.getStatus()), status, write));
    return true;
  }

  /**
   * Writes every status still kept, as a stopping operator does once its reconciles have drained:
   * the answers are on the server when the next leader or process starts. A write that fails (the
   * object changed meanwhile) leaves what a crash would. Returns how many were written.
   */
  int writeAll() {
    int written = 0;
    for (String uid : List.copyOf(kept.keySet())) {
      Kept k = kept.remove(uid);
      if (k == null) {
        continue;
      }
      try {
        k.write().run();
        written++;
      } catch (RuntimeException e) {
        log.debug("kept status of {} not written: {}", uid, e.toString());
      }
    }
    return written;
  }

  /**
   * The status kept for this object, if the status on the server is still the one written; null
   * otherwise. Either way nothing stays kept for it.
   */
  CloudInstanceDeletionStatus take(CloudInstanceDeletion resource) {
    String uid = resource.getMetadata().getUid();
    Kept k = uid == null ? null : kept.remove(uid);
    if (k == null
        || resource.getStatus() == null
        || !k.writtenJson().equals(Serialization.asJson(resource.getStatus()))) {
      return null;
    }
    return k.status();
  }

  /** How many statuses are kept (for tests). */
  int size() {
    return kept.size();
  }
}
