package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.RecordedPlan;
import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.CloudProviderFactory;
import dev.teardown.cloud.ErrorKind;
import dev.teardown.config.OperatorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One pass over the cloud: connect with the resource's keys, observe the recorded instances, then
 * run the step for status.phase, passing straight through phases with nothing to do (Pending's
 * recording included) and stopping after the first mutating call.
 */
final class StepRunner {
  /** The result of the steps of one pass. */
  record Result(Duration reschedule, String failReason) {}

  private final ProviderRegistry registry;
  private final ConnectionCache connections;
  private final CredentialsReader credentials;
  private final OperatorConfig config;
  private final Clock clock;
  private final MeterRegistry meters;

  StepRunner(
      ProviderRegistry registry,
      ConnectionCache connections,
      CredentialsReader credentials,
      OperatorConfig config,
      Clock clock,
      MeterRegistry meters) {
    this.registry = registry;
    this.connections = connections;
    this.credentials = credentials;
    this.config = config;
    this.clock = clock;
    this.meters = meters;
  }

  CloudProviderFactory factory(CloudInstanceDeletionSpec spec) throws CloudException {
    return registry
        .get(spec.getProvider())
        .orElseThrow(
            () ->
                new CloudException(
                    CloudError.of(
                        ErrorKind.TERMINAL,
                        "ProviderUnavailable",
                        "this build of Teardown has no adapter for " + spec.getProvider().value(),
                        null,
                        "Connect")));
  }

  Result run(
      CloudInstanceDeletion resource,
      CloudInstanceDeletionStatus status,
      java.util.function.Consumer<DeletionContext.Warning> warnings,
      DeletionContext.IntentSink intents,
      io.fabric8.kubernetes.client.KubernetesClient client)
      throws CloudException, CredentialsReader.Problem {
    Long gen = resource.getMetadata().getGeneration();
    RecordedPlan plan = status.getRecorded();
    // Once recorded, the plan decides what is observed and deleted; the Secret's name is today's.
    CloudInstanceDeletionSpec spec =
        plan == null
            ? resource.getSpec()
            : SpecFingerprint.specOf(plan, resource.getSpec().getCredentialsSecretRef());
    String badGuard = TargetGuard.invalid(spec.getGuard());
    if (badGuard != null) {
      // refused before any cloud call, even a describe
      status.setPhase(Phase.Failed);
      status.setMessage(badGuard);
      return new Result(null, TargetGuard.REASON_INVALID);
    }
    CloudProviderFactory factory = factory(spec);
    Map<String, String> secret = credentials.read(client, resource, factory);
    Conditions.set(
        status.getConditions(),
        Conditions.CREDENTIALS,
        true,
        "SecretFound",
        "Secret "
            + resource.getSpec().getCredentialsSecretRef().getName()
            + " has the keys "
            + factory.requiredSecretKeys(),
        gen,
        clock.instant());
    CloudProvider provider =
        new ObservationGuard(
            connections.connect(
                factory,
                spec.getRegion(),
                spec.getZone(),
                secret,
                config.endpoints().get(spec.getProvider().value()),
                config.cloudTimeout()));

    Map<String, CloudInstance> instances = observeInstances(provider, spec, status);
    // The keys were accepted once a describe of this pass is answered: the instances', or, when
    // every instance was already observed gone, the disks' (made when a step first needs them).
    Runnable keysAccepted =
        () ->
            Conditions.set(
                status.getConditions(),
                Conditions.CREDENTIALS_VALID,
                true,
                "Accepted",
                CredentialsReader.describe(resource, factory) + " accepted by the cloud.",
                gen,
                clock.instant());
    boolean described = !settledIds(status).containsAll(spec.getInstanceIds());
    if (described) {
      keysAccepted.run();
    }
    // The disk ids are read when a step first needs the disks, not now: Pending records them, and a
    // pass goes straight on from Pending to the steps that observe them.
    CloudSnapshot snapshot =
        new CloudSnapshot(
            instances,
            () -> {
              List<String> diskIds =
                  status.getInstances().stream()
                      .flatMap(i -> i.getDataDisks().stream())
                      .map(DiskStatus::getId)
                      .toList();
              if (diskIds.isEmpty()) {
                return Map.<String, CloudDisk>of();
              }
              Map<String, CloudDisk> disks = provider.describeDisks(diskIds);
              if (!described) {
                keysAccepted.run();
              }
              return disks;
            });
    DeletionContext ctx =
        new DeletionContext(resource, spec, status, provider, snapshot, config, clock, intents);
    try {
      return steps(ctx, spec);
    } finally {
      ctx.warnings().forEach(warnings);
    }
  }

  /**
   * This pass's observation of the instances. An instance the status already records as gone
   * (observed gone by an earlier pass) or as not found at the start is not described again: it
   * never comes back, no step acts on it, and it is in the snapshot as gone. Every other instance
   * is described, once per pass. When none is left to describe, no call is made.
   */
  static Map<String, CloudInstance> observeInstances(
      CloudProvider provider, CloudInstanceDeletionSpec spec, CloudInstanceDeletionStatus status)
      throws CloudException {
    Set<String> settled = settledIds(status);
    List<String> look = spec.getInstanceIds().stream().filter(id -> !settled.contains(id)).toList();
    Map<String, CloudInstance> seen = look.isEmpty() ? Map.of() : provider.describeInstances(look);
    Map<String, CloudInstance> out = new LinkedHashMap<>();
    for (String id : spec.getInstanceIds()) {
      CloudInstance i = seen.get(id);
      out.put(id, i != null ? i : settled.contains(id) ? CloudInstance.gone(id) : null);
    }
    out.values().removeIf(java.util.Objects::isNull);
    return out;
  }

  /** Instances the status records as gone or as not found at the start: final outcomes. */
  private static Set<String> settledIds(CloudInstanceDeletionStatus status) {
    Set<String> out = new HashSet<>();
    if (status.getInstances() != null) {
      for (InstanceStatus is : status.getInstances()) {
        if (is.getOutcome() == InstanceOutcome.Gone
            || is.getOutcome() == InstanceOutcome.NotFound) {
          out.add(is.getId());
        }
      }
    }
    return out;
  }

  private Result steps(DeletionContext ctx, CloudInstanceDeletionSpec spec) throws CloudException {
    CloudInstanceDeletionStatus status = ctx.status();
    StepResult last =
        walk(
            ctx,
            entered ->
                meters
                    .counter(
                        "teardown.deletions.phase.transitions",
                        "provider",
                        spec.getProvider().value(),
                        "phase",
                        entered.name())
                    .increment());
    if (last.mutated() || last.waiting()) {
      // when the earliest outstanding cloud transition is expected to have finished, learned per
      // action
      return new Result(
          connections.nextLook(spec.getProvider().value(), status, config.pollInterval()),
          last.reason());
    }
    return new Result(status.getPhase().isTerminal() ? null : config.pollInterval(), last.reason());
  }

  /**
   * Runs the step for status.phase, and the next one while a step hands on at once, until one makes
   * a mutating call, waits for the cloud, stays, or ends the deletion; books each step's phase and
   * message in status and tells {@code entered} of every phase entered. Returns the last step's
   * result.
   *
   * <p>From Pending too the pass goes straight on: what Pending recorded (the plan, every instance
   * and data disk) reaches the API server before the first mutating call all the same, because
   * every such call is preceded by {@link DeletionContext#intend}, which writes the whole status
   * (the recording included) and makes no call when that write fails. A crash between an accepted
   * call and the status write therefore never loses the disks; a pass that makes no call writes the
   * recording at its end.
   */
  static StepResult walk(DeletionContext ctx, java.util.function.Consumer<Phase> entered)
      throws CloudException {
    CloudInstanceDeletionStatus status = ctx.status();
    String recorded = null; // what Pending said, when this pass recorded the plan and went on
    StepResult r = null;
    for (int hop = 0; hop < Phase.values().length; hop++) {
      Phase phase = status.getPhase();
      r = step(phase).run(ctx);
      if (!phase.canMoveTo(r.next())) {
        throw new IllegalStateException("step " + phase + " tried to move to " + r.next());
      }
      status.setPhase(r.next());
      // the message (and the phase event made from it) of a pass that recorded the plan and went
      // on says what was recorded, then what followed; a deletion that ended says how it ended
      status.setMessage(
          recorded == null || r.next().isTerminal() ? r.message() : recorded + " " + r.message());
      if (r.next() != phase) {
        entered.accept(r.next());
      }
      if (r.mutated() || r.waiting() || r.next() == phase || r.next().isTerminal()) {
        return r;
      }
      if (phase == Phase.Pending) {
        recorded = r.message();
      }
      // otherwise straight on to the next phase with the same observation (disks load lazily)
    }
    return r;
  }

  static Step step(Phase phase) {
    return switch (phase) {
      case Pending -> new PendingStep();
      case Terminating -> new TerminatingStep();
      case AwaitingShutdown -> new AwaitingShutdownStep();
      case Detaching -> new DetachingStep();
      case ReleasingDisks -> new ReleasingDisksStep();
      case Done, Failed -> throw new IllegalStateException("no step for terminal phase " + phase);
    };
  }
}
