package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CallIntent;
import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.DiskAction;
import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.ErrorInfo;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.cloud.Capabilities;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.ErrorKind;
import dev.teardown.config.OperatorConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Everything one reconcile of one deletion works with: the resource, the spec it acts on (the
 * recorded plan once Pending has recorded it), a working copy of its status, the cloud, and where
 * an intent is written before a call.
 */
public final class DeletionContext {
  /**
   * Writes status (with the intent just set) before a mutating call; throws if it cannot, and then
   * no call is made.
   */
  @FunctionalInterface
  public interface IntentSink {
    void written(CloudInstanceDeletionStatus status);
  }

  /** A Warning event to emit: reason and message. */
  public record Warning(String reason, String message) {}

  private final CloudInstanceDeletion resource;
  private final CloudInstanceDeletionSpec spec;
  private final IntentSink intents;
  private final CloudInstanceDeletionStatus status;
  private final CloudProvider provider;
  private final CloudSnapshot snapshot;
  private final OperatorConfig config;
  private final Clock clock;
  private final List<Warning> warnings = new ArrayList<>();
  private final java.util.Set<String> nonPortableDisks = new java.util.HashSet<>();
  private boolean recordedInThisPass;

  public DeletionContext(
      CloudInstanceDeletion resource,
      CloudInstanceDeletionStatus status,
      CloudProvider provider,
      CloudSnapshot snapshot,
      OperatorConfig config,
      Clock clock) {
    this(resource, resource.getSpec(), status, provider, snapshot, config, clock, st -> {});
  }

  public DeletionContext(
      CloudInstanceDeletion resource,
      CloudInstanceDeletionSpec spec,
      CloudInstanceDeletionStatus status,
      CloudProvider provider,
      CloudSnapshot snapshot,
      OperatorConfig config,
      Clock clock,
      IntentSink intents) {
    this.resource = resource;
    this.spec = spec;
    this.intents = intents;
    this.status = status;
    this.provider = provider;
    this.snapshot = snapshot;
    this.config = config;
    this.clock = clock;
  }

  public CloudInstanceDeletion resource() {
    return resource;
  }

  /**
   * The spec this pass acts on: the recorded plan once Pending recorded it (never a changed spec).
   */
  public CloudInstanceDeletionSpec spec() {
    return spec;
  }

  public CloudInstanceDeletionStatus status() {
    return status;
  }

  public CloudProvider provider() {
    return provider;
  }

  public Capabilities caps() {
    return provider.capabilities();
  }

  public CloudSnapshot snapshot() {
    return snapshot;
  }

  public OperatorConfig config() {
    return config;
  }

  public Instant now() {
    return clock.instant();
  }

  /** Warnings for events (e.g. a disk left alone because it is attached elsewhere). */
  public List<Warning> warnings() {
    return warnings;
  }

  /** Disks Pending saw that cannot be detached on their own (for the dry-run plan). */
  public java.util.Set<String> nonPortableDisks() {
    return nonPortableDisks;
  }

  public void warn(String w) {
    warnings.add(new Warning("LeftAlone", w));
  }

  public void warn(String reason, String w) {
    warnings.add(new Warning(reason, w));
  }

  /**
   * Pending recorded the plan in this pass (it has not been written yet unless a call followed).
   */
  void recordedInThisPass() {
    recordedInThisPass = true;
  }

  /** True when the plan was recorded in this pass: its disk listing is this pass's own. */
  boolean wasRecordedInThisPass() {
    return recordedInThisPass;
  }

  /**
   * Records the intent of a mutating call in status and has it written before the call is made. The
   * write is of the whole status, so it also carries what Pending recorded when the call comes in
   * the same pass: the plan (every instance and data disk) is on the API server before the first
   * mutating call. If the write fails, this throws and no call is made. Returns the token to send:
   * the one of an unanswered intent for the same action and ids (a retry after a crash), else
   * {@code token}.
   *
   * @throws IllegalStateException when no plan is recorded: no mutating call may precede it
   */
  public String intend(String action, List<String> ids, String token) {
    if (status.getRecorded() == null || status.getInstances() == null) {
      throw new IllegalStateException(
          "no mutating call (" + action + ") before the plan is recorded in status");
    }
    CallIntent last = status.getIntent();
    String use =
        last != null
                && last.getResult() == null
                && action.equals(last.getAction())
                && last.getIds() != null
                && last.getIds().equals(ids)
                && last.getToken() != null
            ? last.getToken()
            : token;
    status.setIntent(new CallIntent(action, ids, use, now().toString()));
    try {
      intents.written(status);
    } catch (RuntimeException e) {
      status.setIntent(last); // not written, so no call is made: the status must not claim one
      throw e;
    }
    return use;
  }

  /** Books the answer to the intent just made. */
  public void answered(String result) {
    if (status.getIntent() != null) {
      status.getIntent().setResult(result);
    }
  }

  /**
   * When a call of {@code action} for {@code id} was last made or about to be made: the recorded
   * time, or the time of an intent that covers it (a crash may have hit between the call and the
   * status write).
   */
  public Instant lastAttempt(String action, String id, String recorded) {
    Instant t = recorded == null ? null : Instant.parse(recorded);
    CallIntent i = status.getIntent();
    if (i != null && i.covers(action, id) && i.getAt() != null) {
      Instant at = Instant.parse(i.getAt());
      if (t == null || at.isAfter(t)) {
        t = at;
      }
    }
    return t;
  }

  public List<InstanceStatus> instances() {
    return status.getInstances();
  }

  public Stream<DiskStatus> disks() {
    return status.getInstances().stream().flatMap(i -> i.getDataDisks().stream());
  }

  public ErrorInfo errorInfo(CloudError e) {
    return new ErrorInfo(
        e.code(), e.message(), e.requestId(), e.kind().display(), e.action(), now().toString());
  }

  /**
   * An idempotency token for one batch attempt: stable across retries of the same attempt (a lost
   * response, a restart), different for the next attempt. At most 64 ASCII characters, as
   * Volcengine's ClientToken requires.
   */
  public String token(String action, List<String> ids, int attempt) {
    String uid =
        resource.getMetadata().getUid() == null
            ? resource.getMetadata().getName()
            : resource.getMetadata().getUid();
    String seed =
        uid + "|" + action + "|" + String.join(",", ids.stream().sorted().toList()) + "|" + attempt;
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
      return "td-" + HexFormat.of().formatHex(h).substring(0, 40);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * How long an accepted call may take to show in observations before Teardown considers it
   * dropped.
   */
  public java.time.Duration grace() {
    java.time.Duration g = config.pollInterval().multipliedBy(10);
    return g.compareTo(java.time.Duration.ofSeconds(2)) < 0 ? java.time.Duration.ofSeconds(2) : g;
  }

  /**
   * The grace before a terminate is sent again: never shorter than what the cloud needs to show it.
   */
  public java.time.Duration terminateGrace() {
    java.time.Duration g = grace();
    java.time.Duration settles = caps().terminateSettles();
    return settles != null && settles.compareTo(g) > 0 ? settles : g;
  }

  /** Writes the "released/total, kept" disk count into status. */
  public void updateDiskCount() {
    long total = disks().filter(d -> d.getAction() != DiskAction.Retain).count();
    long released =
        disks().filter(d -> d.getAction() != DiskAction.Retain && d.isReleased()).count();
    long kept = disks().filter(d -> d.getAction() == DiskAction.Retain).count();
    status.setDisks(released + "/" + total + (kept > 0 ? ", " + kept + " kept" : ""));
  }

  /** An instance Teardown still works on: not failed, not found, gone or recycled. */
  public static boolean active(InstanceStatus is) {
    return is.getOutcome() != InstanceOutcome.Failed
        && is.getOutcome() != InstanceOutcome.NotFound
        && is.getOutcome() != InstanceOutcome.Gone
        && is.getOutcome() != InstanceOutcome.Recycled;
  }

  /** The instance each disk was recorded under. */
  public Map<String, InstanceStatus> ownerOfDisk() {
    Map<String, InstanceStatus> owner = new LinkedHashMap<>();
    for (InstanceStatus is : instances()) {
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
  public List<DiskStatus> disksToRelease() {
    List<DiskStatus> out = new ArrayList<>();
    for (InstanceStatus is : instances()) {
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

  /** A recorded error that retrying cannot fix. */
  public static boolean terminal(ErrorInfo e) {
    return e != null && ErrorKind.TERMINAL.display().equals(e.getKind());
  }
}
