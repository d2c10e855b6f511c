package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.ErrorInfo;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.CloudProviderFactory;
import dev.teardown.cloud.ErrorKind;
import dev.teardown.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin reconciler: observe the cloud → run the step for status.phase (passing straight through phases with
 * nothing to do, stopping after the first mutating call) → write status once, only if it changed → reschedule.
 * It never sleeps and keeps no state between reconciles except status, so it can be killed at any instant.
 */
@ControllerConfiguration(name = DeletionReconciler.NAME)
public class DeletionReconciler implements Reconciler<CloudInstanceDeletion>, Cleaner<CloudInstanceDeletion> {
  public static final String NAME = "cloudinstancedeletion";
  private static final Logger log = LoggerFactory.getLogger(DeletionReconciler.class);

  /** Requeue right after the status write that records the plan. */
  static final Duration RECORDED_REQUEUE = Duration.ofMillis(10);

  private final ProviderRegistry registry;
  private final ConnectionCache connections;
  private final OperatorConfig config;
  private final Clock clock;
  private final EventRecorder events;
  private final MeterRegistry meters;

  public DeletionReconciler(ProviderRegistry registry, ConnectionCache connections, OperatorConfig config, Clock clock,
      MeterRegistry meters) {
    this.registry = registry;
    this.connections = connections;
    this.config = config;
    this.clock = clock;
    this.events = new EventRecorder(clock);
    this.meters = meters;
  }

  /** What one pass decided. */
  record Outcome(CloudInstanceDeletionStatus status, boolean changed, Duration reschedule) {}

  @Override
  public UpdateControl<CloudInstanceDeletion> reconcile(CloudInstanceDeletion resource, Context<CloudInstanceDeletion> context) {
    Outcome o = process(resource, context.getClient());
    if (o.changed()) {
      // A whole-status PUT carrying the resourceVersion this reconcile started from: a write from a reconcile that
      // raced a newer one (an operator shutting down, a replica that lost its lease) is refused with 409 instead of
      // undoing newer progress. The result is cached so the next reconcile reads its own write.
      PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(resource, context, r -> {
        r.setStatus(o.status());
        return r;
      });
    }
    UpdateControl<CloudInstanceDeletion> control = UpdateControl.noUpdate();
    return o.reschedule() == null ? control : control.rescheduleAfter(o.reschedule());
  }

  /**
   * Deleting the resource while the cloud deletion is under way does not abandon it half-done (that would orphan
   * billed disks): the finalizer stays until the deletion reaches Done or Failed. Before the first mutating call
   * (Pending) or for a dry run there is nothing to finish.
   */
  @Override
  public DeleteControl cleanup(CloudInstanceDeletion resource, Context<CloudInstanceDeletion> context) {
    CloudInstanceDeletionStatus st = resource.getStatus();
    if (st == null || st.getPhase() == null || st.getPhase() == Phase.Pending || st.getPhase().isTerminal()
        || resource.getSpec().dryRunEnabled()) {
      return DeleteControl.defaultDelete();
    }
    Outcome o = process(resource, context.getClient());
    if (o.changed()) {
      CloudInstanceDeletion copy = Serialization.clone(resource);
      copy.setStatus(o.status());
      try {
        context.getClient().resource(copy).updateStatus();
      } catch (KubernetesClientException e) {
        log.debug("status write during cleanup of {} failed: {}", name(resource), e.getMessage());
      }
    }
    if (o.status().getPhase().isTerminal()) {
      return DeleteControl.defaultDelete();
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(o.reschedule() == null ? config.pollInterval() : o.reschedule());
  }

  Outcome process(CloudInstanceDeletion resource, KubernetesClient client) {
    CloudInstanceDeletionStatus before = resource.getStatus();
    CloudInstanceDeletionStatus status = before == null ? new CloudInstanceDeletionStatus() : Serialization.clone(before);
    Instant now = clock.instant();
    CloudInstanceDeletionSpec spec = resource.getSpec();
    if (status.getPhase() == null) {
      status.setPhase(Phase.Pending);
      status.setStartedAt(now.toString());
      status.setInstanceCount(spec == null || spec.getInstanceIds() == null ? 0 : spec.getInstanceIds().size());
    }
    status.setObservedGeneration(resource.getMetadata().getGeneration());
    Phase startPhase = status.getPhase();
    if (startPhase.isTerminal()) {
      return new Outcome(status, changed(before, status), null);
    }
    if (status.getNextAttemptAt() != null) {
      Instant next = Instant.parse(status.getNextAttemptAt());
      if (now.isBefore(next)) {
        return new Outcome(status, changed(before, status), Duration.between(now, next));
      }
    }
    ErrorInfo previousError = status.getLastError();
    Duration reschedule;
    String failReason = null;
    List<String> warnings = new ArrayList<>();
    try {
      RunResult rr = run(resource, status, client, warnings);
      reschedule = rr.reschedule();
      failReason = rr.failReason();
      status.setRetries(null);
      status.setNextAttemptAt(null);
    } catch (SetupProblem p) {
      status.setMessage(p.getMessage());
      Conditions.set(status.getConditions(), Conditions.CREDENTIALS, false, p.reason, p.getMessage(), resource.getMetadata().getGeneration(), now);
      reschedule = backoff(status, null, false, now);
    } catch (CloudException e) {
      CloudError err = e.error();
      if (RateLimitedProvider.DEFERRED.equals(err.code())) {
        // held back by our own rate limit: not an error of the cloud, nothing to record
        return new Outcome(status, changed(before, status), err.retryAfter());
      }
      status.setLastError(errorInfo(err, now));
      if (err.kind() == ErrorKind.TERMINAL) {
        status.setPhase(Phase.Failed);
        status.setMessage(err.code() + ": " + err.message());
        failReason = err.code();
        reschedule = null;
      } else {
        reschedule = backoff(status, err.retryAfter(), err.kind() == ErrorKind.THROTTLED, now);
        status.setMessage("Retrying " + err.action() + " at " + status.getNextAttemptAt() + " after " + err.code()
            + ": " + err.message());
      }
    } catch (RuntimeException e) {
      log.warn("unexpected failure reconciling {}", name(resource), e);
      status.setLastError(new ErrorInfo("InternalError", e.getClass().getSimpleName() + ": " + e.getMessage(), null,
          ErrorKind.RETRYABLE.display(), "Reconcile", now.toString()));
      reschedule = backoff(status, null, false, now);
      status.setMessage("Internal error, retrying at " + status.getNextAttemptAt());
    }
    applyConditions(resource, status, failReason, now);
    if (status.getPhase().isTerminal() && status.getCompletedAt() == null) {
      status.setCompletedAt(now.toString());
    }
    emitEvents(client, resource, startPhase, status, previousError, warnings);
    return new Outcome(status, changed(before, status), status.getPhase().isTerminal() ? null : reschedule);
  }

  /** The result of the steps of one pass. */
  private record RunResult(Duration reschedule, String failReason) {}

  private RunResult run(CloudInstanceDeletion resource, CloudInstanceDeletionStatus status, KubernetesClient client,
      List<String> warnings) throws CloudException, SetupProblem {
    CloudInstanceDeletionSpec spec = resource.getSpec();
    CloudProviderFactory factory = registry.get(spec.getProvider()).orElseThrow(() -> new CloudException(CloudError.of(
        ErrorKind.TERMINAL, "ProviderUnavailable", "this build of Teardown has no adapter for " + spec.getProvider().value(),
        null, "Connect")));
    Map<String, String> secret = readSecret(client, resource, factory);
    Conditions.set(status.getConditions(), Conditions.CREDENTIALS, true, "SecretFound",
        "Secret " + spec.getCredentialsSecretRef().getName() + " has the keys " + factory.requiredSecretKeys(),
        resource.getMetadata().getGeneration(), clock.instant());
    CloudProvider provider = connections.connect(factory, spec.getRegion(), spec.getZone(), secret,
        config.endpoints().get(spec.getProvider().value()), config.cloudTimeout());

    Map<String, CloudInstance> instances = provider.describeInstances(spec.getInstanceIds());
    // The disk ids are read when a step first needs the disks, not now: Pending records them, and a pass may go
    // straight on from Pending to a step that observes them (an instance found already in the recycle bin).
    CloudSnapshot snapshot = new CloudSnapshot(instances, () -> {
      List<String> diskIds = status.getInstances().stream()
          .flatMap(i -> i.getDataDisks().stream()).map(DiskStatus::getId).toList();
      return diskIds.isEmpty() ? Map.<String, CloudDisk>of() : provider.describeDisks(diskIds);
    });
    DeletionContext ctx = new DeletionContext(resource, status, provider, snapshot, config, clock);
    String reason = null;
    for (int hop = 0; hop < Phase.values().length; hop++) {
      Phase phase = status.getPhase();
      StepResult r = step(phase).run(ctx);
      if (!phase.canMoveTo(r.next())) {
        throw new IllegalStateException("step " + phase + " tried to move to " + r.next());
      }
      status.setPhase(r.next());
      status.setMessage(r.message());
      reason = r.reason();
      if (r.next() != phase) {
        meters.counter("teardown.deletions.phase.transitions", "provider", spec.getProvider().value(),
            "phase", r.next().name()).increment();
      }
      if (r.mutated() || r.waiting()) {
        warnings.addAll(ctx.warnings());
        return new RunResult(connections.nextLook(spec.getProvider().value(), status, config.pollInterval()), reason);
      }
      if (r.next() == phase || r.next().isTerminal()) {
        break;
      }
      if (phase == Phase.Pending) {
        // What Pending recorded (every instance and data disk) must be in status before the first mutating call:
        // after a crash between an accepted terminate and the status write, a gone instance's detached disks could
        // no longer be found. So the recording is written now and the next pass starts terminating.
        warnings.addAll(ctx.warnings());
        return new RunResult(RECORDED_REQUEUE, reason);
      }
      // otherwise pass straight through to the next phase with the same observation (disks load lazily)
    }
    warnings.addAll(ctx.warnings());
    return new RunResult(status.getPhase().isTerminal() ? null : config.pollInterval(), reason);
  }

  private static Step step(Phase phase) {
    return switch (phase) {
      case Pending -> new PendingStep();
      case Terminating -> new TerminatingStep();
      case AwaitingShutdown -> new AwaitingShutdownStep();
      case Detaching -> new DetachingStep();
      case ReleasingDisks -> new ReleasingDisksStep();
      case Done, Failed -> throw new IllegalStateException("no step for terminal phase " + phase);
    };
  }

  /** A problem with the resource's own setup (its Secret) that the user fixes; retried, never Failed. */
  static final class SetupProblem extends Exception {
    final String reason;

    SetupProblem(String reason, String message) {
      super(message);
      this.reason = reason;
    }
  }

  private Map<String, String> readSecret(KubernetesClient client, CloudInstanceDeletion r, CloudProviderFactory factory)
      throws SetupProblem {
    String ns = r.getMetadata().getNamespace();
    String name = r.getSpec().getCredentialsSecretRef().getName();
    Secret s;
    try {
      s = client.secrets().inNamespace(ns).withName(name).get();
    } catch (KubernetesClientException e) {
      throw new SetupProblem("SecretUnreadable", "cannot read Secret " + ns + "/" + name + " (HTTP " + e.getCode()
          + "); check the operator's RBAC allows get on secrets in " + ns);
    }
    if (s == null) {
      throw new SetupProblem("SecretNotFound", "Secret " + name + " not found in namespace " + ns + ": create it with the keys "
          + factory.requiredSecretKeys() + " (see examples/secrets/)");
    }
    Map<String, String> values = new LinkedHashMap<>();
    if (s.getData() != null) {
      s.getData().forEach((k, v) -> values.put(k, v == null ? null : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8).trim()));
    }
    if (s.getStringData() != null) {
      s.getStringData().forEach((k, v) -> values.put(k, v == null ? null : v.trim()));
    }
    List<String> missing = factory.requiredSecretKeys().stream()
        .filter(k -> values.get(k) == null || values.get(k).isEmpty()).toList();
    if (!missing.isEmpty()) {
      throw new SetupProblem("SecretKeysMissing", "Secret " + ns + "/" + name + " lacks the keys " + missing
          + " needed for " + r.getSpec().getProvider().value());
    }
    return values;
  }

  private Duration backoff(CloudInstanceDeletionStatus status, Duration hint, boolean throttled, Instant now) {
    int retries = status.getRetries() == null ? 0 : status.getRetries();
    retries++;
    status.setRetries(retries);
    Duration base = throttled ? config.retryBase().multipliedBy(2) : config.retryBase();
    Duration d = base.multipliedBy(1L << Math.min(retries - 1, 20));
    if (d.compareTo(config.retryMax()) > 0) {
      d = config.retryMax();
    }
    d = jitter(d); // resources throttled together must not retry in lockstep
    if (hint != null && hint.compareTo(d) > 0) {
      d = hint; // a cloud-side lock is honoured even past retryMax: calling earlier only fails again
    }
    status.setNextAttemptAt(now.plus(d).toString());
    return d;
  }

  /** Spreads a delay over [d, 1.5 d) so that deletions waiting together do not come back together. */
  static Duration jitter(Duration d) {
    long ms = Math.max(1, d.toMillis());
    return Duration.ofMillis(ms + java.util.concurrent.ThreadLocalRandom.current().nextLong(ms / 2 + 1));
  }

  private void applyConditions(CloudInstanceDeletion r, CloudInstanceDeletionStatus st, String failReason, Instant now) {
    Long gen = r.getMetadata().getGeneration();
    Phase p = st.getPhase();
    String msg = st.getMessage() == null ? p.name() : st.getMessage();
    boolean dry = r.getSpec().dryRunEnabled();
    Conditions.set(st.getConditions(), Conditions.READY, p == Phase.Done, p == Phase.Done ? (dry ? "DryRunComplete" : "Deleted") : p.name(), msg, gen, now);
    Conditions.set(st.getConditions(), Conditions.PROGRESSING, !p.isTerminal(), p.isTerminal() ? p.name() : p.name(), msg, gen, now);
    Conditions.set(st.getConditions(), Conditions.FAILED, p == Phase.Failed, p == Phase.Failed ? (failReason == null ? "Failed" : failReason) : "NoError", p == Phase.Failed ? msg : "No terminal error.", gen, now);
  }

  private void emitEvents(KubernetesClient client, CloudInstanceDeletion r, Phase from, CloudInstanceDeletionStatus st,
      ErrorInfo previousError, List<String> warnings) {
    if (st.getPhase() != from) {
      log.info("{} {} -> {}: {}", name(r), from, st.getPhase(), st.getMessage());
      if (st.getPhase() == Phase.Failed) {
        events.warning(client, r, "Failed", st.getMessage());
      } else {
        events.normal(client, r, st.getPhase().name(), st.getMessage());
      }
      if (st.getPhase().isTerminal()) {
        meters.counter("teardown.deletions.completed", "provider", r.getSpec().getProvider().value(),
            "result", st.getPhase().name()).increment();
      }
    }
    ErrorInfo e = st.getLastError();
    if (e != null && (previousError == null || !e.sameAs(previousError)) && st.getPhase() != Phase.Failed) {
      log.info("{} cloud error {} on {}: {}", name(r), e.getCode(), e.getAction(), e.getMessage());
      events.warning(client, r, e.getCode(), e.getAction() + ": " + e.getMessage());
    }
    for (String w : warnings) {
      events.warning(client, r, "LeftAlone", w);
    }
  }

  private static boolean changed(CloudInstanceDeletionStatus before, CloudInstanceDeletionStatus after) {
    return before == null || !Serialization.asJson(before).equals(Serialization.asJson(after));
  }

  private static ErrorInfo errorInfo(CloudError e, Instant now) {
    return new ErrorInfo(e.code(), e.message(), e.requestId(), e.kind().display(), e.action(), now.toString());
  }

  private static String name(CloudInstanceDeletion r) {
    return r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }
}
