package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.ErrorInfo;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.RecordedPlan;
import dev.teardown.api.v1alpha1.UnreadableStatus;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.ErrorKind;
import dev.teardown.cloud.SafeText;
import dev.teardown.config.OperatorConfig;
import dev.teardown.metrics.TeardownMetrics;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin reconciler: one pass ({@link StepRunner}) on a working copy of status, errors turned into
 * backoff ({@link RetryPolicy}) and conditions ({@link DeletionConditions}), then one status write
 * ({@link StatusWriter}) with the resourceVersion it read, and a reschedule. It never sleeps and
 * keeps no state between reconciles except status, so it can be killed at any instant. A write
 * refused with 409 re-queues: the next pass observes again.
 */
// Generation-aware filtering is off because it would drop annotation changes (a person's controls
// do not bump the
// generation); Controls.UpdateFilter passes new generations, deletion, finalizer changes and
// teardown.dev/
// annotations, and drops the operator's own status writes as before.
@ControllerConfiguration(
    name = DeletionReconciler.NAME,
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = Controls.UpdateFilter.class),
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
public class DeletionReconciler
    implements Reconciler<CloudInstanceDeletion>, Cleaner<CloudInstanceDeletion> {
  public static final String NAME = "cloudinstancedeletion";
  private static final Logger log = LoggerFactory.getLogger(DeletionReconciler.class);

  /** Requeue after a status write was refused because the resource changed: observe again soon. */
  static final Duration CONFLICT_REQUEUE = Duration.ofMillis(200);

  private final OperatorConfig config;
  private final Clock clock;
  private final EventRecorder events;
  private final MeterRegistry meters;
  private final RetryPolicy retry;
  private final StepRunner runner;
  private final Answers answers = new Answers();
  private final CredentialsReader credentials = new CredentialsReader();

  public DeletionReconciler(
      ProviderRegistry registry,
      ConnectionCache connections,
      OperatorConfig config,
      Clock clock,
      MeterRegistry meters) {
    this.config = config;
    this.clock = clock;
    this.events = new EventRecorder(clock);
    this.meters = meters;
    this.retry = new RetryPolicy(config);
    this.runner = new StepRunner(registry, connections, credentials, config, clock, meters);
  }

  /** What one pass decided. */
  record Outcome(CloudInstanceDeletionStatus status, boolean changed, Duration reschedule) {}

  /**
   * The object as last read or written in this reconcile: every write carries its resourceVersion.
   */
  private static final class Latest {
    CloudInstanceDeletion resource;

    Latest(CloudInstanceDeletion r) {
      this.resource = r;
    }
  }

  static StatusWriter writer(Context<CloudInstanceDeletion> context) {
    return new StatusWriter(
        StatusWriter.fabric8(context.getClient()),
        (written, previous) ->
            context
                .eventSourceRetriever()
                .getControllerEventSource()
                .handleRecentResourceUpdate(ResourceID.fromResource(written), written, previous));
  }

  /**
   * The index of instance claims over the informer's cache of deletions (see {@link
   * InstanceClaims}).
   */
  @Override
  public List<EventSource<?, CloudInstanceDeletion>> prepareEventSources(
      EventSourceContext<CloudInstanceDeletion> context) {
    context.getPrimaryCache().addIndexers(Map.of(InstanceClaims.INDEX, InstanceClaims::keys));
    return List.of();
  }

  static Function<String, List<CloudInstanceDeletion>> claims(
      Context<CloudInstanceDeletion> context) {
    return key -> context.getPrimaryCache().byIndex(InstanceClaims.INDEX, key);
  }

  @Override
  public UpdateControl<CloudInstanceDeletion> reconcile(
      CloudInstanceDeletion resource, Context<CloudInstanceDeletion> context) {
    StatusWriter writer = writer(context);
    Latest latest = new Latest(resource);
    int[] intentWrites = {0};
    try {
      Outcome o =
          process(
              resource,
              context.getClient(),
              st -> {
                latest.resource = writer.write(latest.resource, st);
                intentWrites[0]++;
              },
              false,
              claims(context),
              answers.take(resource));
      // the answers of this pass's calls may go with the next write (see Answers)
      CloudInstanceDeletion lastWritten = latest.resource;
      boolean kept =
          intentWrites[0] > 0
              && Answers.canWait(o, lastWritten.getStatus())
              && answers.keep(lastWritten, o.status(), () -> writer.write(lastWritten, o.status()));
      if (!kept && o.changed()) {
        latest.resource = writer.write(latest.resource, o.status());
      }
      UpdateControl<CloudInstanceDeletion> control = UpdateControl.noUpdate();
      return o.reschedule() == null ? control : control.rescheduleAfter(o.reschedule());
    } catch (StatusWriter.Conflict c) {
      log.debug("{}", c.getMessage());
      return UpdateControl.<CloudInstanceDeletion>noUpdate().rescheduleAfter(CONFLICT_REQUEUE);
    }
  }

  /**
   * Writes the answers still kept in memory (see {@link Answers}); called by a stopping operator
   * after its reconciles drained. Returns how many statuses were written.
   */
  public int writeKeptAnswers() {
    return answers.writeAll();
  }

  /**
   * A reconcile that threw (a status write the API refused for another reason) comes back, never
   * stalls silently.
   */
  @Override
  public ErrorStatusUpdateControl<CloudInstanceDeletion> updateErrorStatus(
      CloudInstanceDeletion resource, Context<CloudInstanceDeletion> context, Exception e) {
    log.warn("reconcile of {} failed: {}", name(resource), e.toString());
    return ErrorStatusUpdateControl.<CloudInstanceDeletion>noStatusUpdate()
        .rescheduleAfter(config.pollInterval());
  }

  /**
   * Deleting the resource while the cloud deletion is under way does not abandon it half-done (that
   * would orphan billed disks): the finalizer stays until the deletion reaches Done or Failed, and
   * the recorded plan is finished even when the spec changed. Before the first mutating call
   * (Pending) or for a dry run there is nothing to finish. Status is written by the same writer as
   * in reconcile.
   */
  @Override
  public DeleteControl cleanup(
      CloudInstanceDeletion resource, Context<CloudInstanceDeletion> context) {
    CloudInstanceDeletionStatus st = resource.getStatus();
    if (st
        instanceof UnreadableStatus) { // where the cloud work stands is unknown: keep the finalizer
      return DeleteControl.noFinalizerRemoval();
    }
    if (st == null
        || st.getPhase() == null
        || st.getPhase() == Phase.Pending
        || st.getPhase().isTerminal()
        || resource.getSpec().dryRunEnabled()) {
      return DeleteControl.defaultDelete();
    }
    if (Controls.abandon(resource)) {
      List<String> left = Controls.leftInCloud(resource);
      String msg =
          "Abandoned by the annotation "
              + Controls.ABANDON
              + " in phase "
              + st.getPhase()
              + "; Teardown makes"
              + " no further call. Left in the cloud: "
              + (left.isEmpty() ? "nothing recorded" : String.join(", ", left))
              + ".";
      log.warn("{}: {}", name(resource), msg);
      events.warning(context.getClient(), resource, "Abandoned", msg);
      return DeleteControl.defaultDelete();
    }
    StatusWriter writer = writer(context);
    Latest latest = new Latest(resource);
    Outcome o;
    try {
      o =
          process(
              resource,
              context.getClient(),
              s -> latest.resource = writer.write(latest.resource, s),
              true,
              claims(context),
              answers.take(resource));
      if (o.changed()) {
        latest.resource = writer.write(latest.resource, o.status());
      }
    } catch (StatusWriter.Conflict c) {
      log.debug("{}", c.getMessage());
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(CONFLICT_REQUEUE);
    }
    if (o.status().getPhase().isTerminal()) {
      return DeleteControl.defaultDelete();
    }
    if (o.reschedule() == null && Controls.paused(resource)) {
      return DeleteControl.noFinalizerRemoval(); // removing the annotation brings it back
    }
    return DeleteControl.noFinalizerRemoval()
        .rescheduleAfter(o.reschedule() == null ? config.pollInterval() : o.reschedule());
  }

  /**
   * One pass on a copy of the status. {@code intents} writes status before each mutating call.
   *
   * @param finishing true in cleanup: the recorded plan is finished even if the spec changed since
   */
  Outcome process(
      CloudInstanceDeletion resource,
      KubernetesClient client,
      DeletionContext.IntentSink intents,
      boolean finishing) {
    return process(resource, client, intents, finishing, key -> List.of());
  }

  /**
   * One pass on a copy of the status. {@code claims} looks up the live deletions claiming a
   * provider/region/id key.
   */
  Outcome process(
      CloudInstanceDeletion resource,
      KubernetesClient client,
      DeletionContext.IntentSink intents,
      boolean finishing,
      Function<String, List<CloudInstanceDeletion>> claims) {
    return process(resource, client, intents, finishing, claims, null);
  }

  /**
   * One pass. {@code unwritten}, when not null, is the status the previous pass ended with and did
   * not write (it only booked answers to calls whose intents are on the server, see {@link
   * Answers}): the pass starts from it, and compares with what the server has.
   */
  Outcome process(
      CloudInstanceDeletion resource,
      KubernetesClient client,
      DeletionContext.IntentSink intents,
      boolean finishing,
      Function<String, List<CloudInstanceDeletion>> claims,
      CloudInstanceDeletionStatus unwritten) {
    CloudInstanceDeletionStatus before = resource.getStatus();
    if (before
        instanceof
        UnreadableStatus u) { // written by a newer Teardown? act on nothing, write nothing
      log.warn("{}: {}; nothing done until Teardown is upgraded", name(resource), u.problem());
      events.warning(
          client,
          resource,
          "StatusUnreadable",
          u.problem()
              + "; nothing is done until Teardown is"
              + " upgraded to the version that wrote it");
      return new Outcome(before, false, null);
    }
    // the status as read, serialized once: the working copy is made from it and compared with it
    String beforeJson = before == null ? null : Serialization.asJson(before);
    CloudInstanceDeletionStatus status =
        unwritten != null
            ? unwritten
            : before == null
                ? new CloudInstanceDeletionStatus()
                : Serialization.unmarshal(beforeJson, CloudInstanceDeletionStatus.class);
    Instant now = clock.instant();
    CloudInstanceDeletionSpec spec = resource.getSpec();
    Long gen = resource.getMetadata().getGeneration();
    if (status.getPhase() == null) {
      status.setPhase(Phase.Pending);
      status.setStartedAt(now.toString());
      status.setInstanceCount(
          spec == null || spec.getInstanceIds() == null ? 0 : spec.getInstanceIds().size());
    }
    status.setObservedGeneration(gen);
    if (spec != null
        && spec.readProblem() != null) { // a stored spec this build cannot read: no call at all
      status.setMessage(
          spec.readProblem()
              + "; fix the resource, or upgrade Teardown if the CRD is newer than it");
      Conditions.set(
          status.getConditions(),
          "SpecReadable",
          false,
          "SpecUnreadable",
          status.getMessage(),
          gen,
          now);
      return new Outcome(status, changed(beforeJson, status), null);
    }
    if (before == null && spec != null && !spec.unknownFields().isEmpty()) {
      events.warning(
          client,
          resource,
          "UnknownFields",
          "ignored fields this version of Teardown does not know: "
              + String.join(", ", spec.unknownFields())
              + " (is the CRD newer than the operator?)");
    }
    String retryValue = Controls.retry(resource);
    if (status.getPhase() == Phase.Failed
        && retryValue != null
        && !retryValue.equals(status.getLastRetry())
        && !Controls.paused(resource)) {
      String msg = retryFromRecordedPlan(status, retryValue);
      log.info("{} {}", name(resource), msg);
      events.normal(client, resource, "Retrying", msg);
    }
    Phase startPhase = status.getPhase();
    if (startPhase.isTerminal()) {
      return new Outcome(status, changed(beforeJson, status), null);
    }
    List<Condition> conditionsBefore = copyOf(status.getConditions());
    List<DeletionContext.Warning> warnings = new ArrayList<>();
    if (Controls.paused(resource)) {
      String msg =
          "Paused by the annotation "
              + Controls.PAUSED
              + "; remove it to resume. No cloud call is made"
              + " meanwhile.";
      DeletionConditions.apply(status, spec.dryRunEnabled(), null, false, null, gen, now);
      Conditions.set(
          status.getConditions(), Conditions.PAUSED, true, "PausedByAnnotation", msg, gen, now);
      Conditions.set(
          status.getConditions(), Conditions.RECONCILING, false, "Paused", msg, gen, now);
      Conditions.set(
          status.getConditions(), Conditions.PROGRESSING, false, "Paused", msg, gen, now);
      if (Conditions.get(conditionsBefore, Conditions.PAUSED) == null
          || !"True".equals(Conditions.get(conditionsBefore, Conditions.PAUSED).getStatus())) {
        events.normal(client, resource, "Paused", msg);
      }
      return new Outcome(
          status, changed(beforeJson, status), null); // removing the annotation brings it back
    }
    if (Conditions.get(status.getConditions(), Conditions.PAUSED) != null) {
      Conditions.set(
          status.getConditions(),
          Conditions.PAUSED,
          false,
          "Resumed",
          "The annotation " + Controls.PAUSED + " was removed.",
          gen,
          now);
    }
    InstanceClaims.Claim claim =
        spec == null ? null : InstanceClaims.firstClaimedByAnother(resource, claims);
    if (claim != null) {
      Condition was = Conditions.get(status.getConditions(), Conditions.INSTANCE_CLAIMED);
      status.setMessage(claim.message());
      DeletionConditions.apply(status, spec.dryRunEnabled(), null, false, null, gen, now);
      Conditions.set(
          status.getConditions(),
          Conditions.INSTANCE_CLAIMED,
          true,
          "ClaimedByAnotherDeletion",
          claim.message(),
          gen,
          now);
      Conditions.set(
          status.getConditions(),
          Conditions.RECONCILING,
          true,
          "InstanceClaimed",
          claim.message(),
          gen,
          now);
      status.setMessage(claim.message());
      if (was == null || !"True".equals(was.getStatus())) {
        events.warning(client, resource, "InstanceClaimed", claim.message());
      }
      // the owner finishing does not touch this resource: look again at the poll interval
      return new Outcome(status, changed(beforeJson, status), config.pollInterval());
    }
    if (Conditions.get(status.getConditions(), Conditions.INSTANCE_CLAIMED) != null) {
      Conditions.set(
          status.getConditions(),
          Conditions.INSTANCE_CLAIMED,
          false,
          "Owner",
          "No other live deletion claims these instances.",
          gen,
          now);
    }
    if (specChanged(resource, status, now) && !finishing) {
      DeletionConditions.apply(status, spec.dryRunEnabled(), null, true, null, gen, now);
      DeletionConditions.events(
          events, client, resource, startPhase, conditionsBefore, status, null, warnings);
      return new Outcome(status, changed(beforeJson, status), null);
    }
    if (status.getNextAttemptAt() != null) {
      Instant next = Instant.parse(status.getNextAttemptAt());
      if (now.isBefore(next)) {
        return new Outcome(status, changed(beforeJson, status), Duration.between(now, next));
      }
    }
    ErrorInfo previousError = status.getLastError();
    Duration reschedule;
    String failReason = null;
    try {
      StepRunner.Result rr =
          runner.run(
              resource,
              status,
              warnings::add,
              startPhase == Phase.Pending
                  ? InstanceClaims.checkedBeforeTheFirstCall(resource, claims, intents)
                  : intents,
              client);
      reschedule = rr.reschedule();
      failReason = rr.failReason();
      retry.succeeded(status);
    } catch (CredentialsReader.Problem p) {
      status.setMessage(p.getMessage());
      Conditions.set(
          status.getConditions(),
          Conditions.CREDENTIALS,
          false,
          p.reason,
          p.getMessage(),
          gen,
          now);
      Conditions.set(
          status.getConditions(),
          Conditions.CREDENTIALS_VALID,
          false,
          p.reason,
          p.getMessage(),
          gen,
          now);
      reschedule = retry.backoff(status, null, false, now);
    } catch (CloudException e) {
      if (RateLimitedProvider.DEFERRED.equals(e.error().code())) {
        // held back by our own rate limit: not an error of the cloud, nothing to record
        TeardownMetrics.throttled(meters, spec.getProvider().value(), e.error().action());
        return new Outcome(status, changed(beforeJson, status), e.error().retryAfter());
      }
      reschedule =
          onCloudError(
              resource,
              status,
              e.error(),
              startPhase == Phase.Pending && status.getIntent() == null,
              now);
      failReason = status.getPhase() == Phase.Failed ? e.error().code() : null;
    } catch (StatusWriter.Conflict c) {
      throw c;
    } catch (RuntimeException e) {
      log.warn(
          "unexpected failure reconciling {}: {} at {}",
          name(resource),
          SafeText.describe(e),
          e.getStackTrace().length == 0 ? "?" : e.getStackTrace()[0]);
      status.setLastError(
          new ErrorInfo(
              "InternalError",
              SafeText.describe(e),
              null,
              ErrorKind.RETRYABLE.display(),
              "Reconcile",
              now.toString()));
      reschedule = retry.backoff(status, null, false, now);
      status.setMessage("Internal error, retrying at " + status.getNextAttemptAt());
    }
    boolean stalled = retry.stalled(status, now);
    DeletionConditions.apply(
        status,
        spec.dryRunEnabled(),
        failReason,
        false,
        stalled ? status.getLastError() : null,
        gen,
        now);
    if (status.getPhase().isTerminal() && status.getCompletedAt() == null) {
      status.setCompletedAt(now.toString());
    }
    if (status.getPhase().isTerminal() && status.getPhase() != startPhase) {
      TeardownMetrics.deletionFinished(
          meters,
          spec.getProvider().value(),
          status.getPhase().name(),
          status.getStartedAt(),
          status.getCompletedAt());
    }
    DeletionConditions.events(
        events, client, resource, startPhase, conditionsBefore, status, previousError, warnings);
    return new Outcome(
        status, changed(beforeJson, status), status.getPhase().isTerminal() ? null : reschedule);
  }

  /**
   * Re-runs a Failed deletion from its recorded plan: from Pending when it failed before any
   * mutating call (it looks at the cloud afresh), otherwise from Terminating with the failed
   * instances and disks given another chance; each step observes first, so what is already gone is
   * not touched again. Returns the message.
   */
  private String retryFromRecordedPlan(CloudInstanceDeletionStatus status, String value) {
    boolean acted = status.getIntent() != null;
    status.setLastRetry(value);
    status.setLastError(null);
    status.setRetries(null);
    status.setNextAttemptAt(null);
    status.setRetryingSince(null);
    status.setLeftInCloud(null);
    status.setCompletedAt(null);
    if (!acted || status.getRecorded() == null) {
      status.setPhase(Phase.Pending);
      status.setInstances(new ArrayList<>());
    } else {
      status.setPhase(Phase.Terminating);
      for (dev.teardown.api.v1alpha1.InstanceStatus is : status.getInstances()) {
        if (is.getOutcome() == dev.teardown.api.v1alpha1.InstanceOutcome.Failed) {
          is.setOutcome(dev.teardown.api.v1alpha1.InstanceOutcome.Pending);
          is.setError(null);
        }
        is.getDataDisks().forEach(d -> d.setError(null));
      }
    }
    String msg =
        "Retrying from the recorded plan ("
            + Controls.RETRY
            + ": "
            + value
            + "), from "
            + status.getPhase()
            + ".";
    status.setMessage(msg);
    return msg;
  }

  /**
   * Compares the spec with the plan recorded at Pending and sets condition SpecChanged; true when
   * they differ. A changed spec gets no further cloud call (except from cleanup, which finishes the
   * recorded plan).
   */
  private boolean specChanged(
      CloudInstanceDeletion resource, CloudInstanceDeletionStatus status, Instant now) {
    RecordedPlan plan = status.getRecorded();
    if (plan == null) {
      return false;
    }
    Long gen = resource.getMetadata().getGeneration();
    if (SpecFingerprint.of(resource.getSpec()).equals(plan.getSpecHash())) {
      Conditions.set(
          status.getConditions(),
          Conditions.SPEC_CHANGED,
          false,
          "MatchesPlan",
          "The spec matches the plan recorded at generation " + plan.getGeneration() + ".",
          gen,
          now);
      return false;
    }
    List<String> drift = SpecFingerprint.differences(plan, resource.getSpec());
    String msg =
        (drift.isEmpty() ? "the spec" : "spec." + String.join(", spec.", drift))
            + " changed after the plan was recorded at generation "
            + plan.getGeneration()
            + "; Teardown makes no"
            + " further call for the changed spec. Delete this CloudInstanceDeletion (that finishes the recorded"
            + " plan) and create a new one for the new spec.";
    Conditions.set(
        status.getConditions(), Conditions.SPEC_CHANGED, true, "SpecChanged", msg, gen, now);
    status.setMessage(msg);
    return true;
  }

  /**
   * A classified error that ended the pass. Terminal: Failed with the cloud's code (whole calls
   * only; refusals of items were booked on the items). Credentials: condition
   * CredentialsValid=False naming the Secret and keys; Failed only before the first mutating call,
   * otherwise it waits. Anything else: backoff. Returns the delay.
   */
  private Duration onCloudError(
      CloudInstanceDeletion resource,
      CloudInstanceDeletionStatus status,
      CloudError err,
      boolean nothingDoneYet,
      Instant now) {
    Long gen = resource.getMetadata().getGeneration();
    status.setLastError(errorInfo(err, now));
    if (err.kind() == ErrorKind.CREDENTIALS) {
      credentials.forget(resource); // the Secret may have been fixed since it was read

      Conditions.set(
          status.getConditions(),
          Conditions.CREDENTIALS_VALID,
          false,
          Conditions.reason(err.code()),
          keysOf(resource) + " refused by the cloud on " + err.action() + ": " + err.message(),
          gen,
          now);
    }
    if (err.kind() == ErrorKind.TERMINAL || err.kind() == ErrorKind.CREDENTIALS && nothingDoneYet) {
      status.setPhase(Phase.Failed);
      status.setMessage(err.code() + ": " + err.message());
      return null;
    }
    Duration d = retry.backoff(status, err.retryAfter(), err.kind() == ErrorKind.THROTTLED, now);
    status.setMessage(
        (err.kind() == ErrorKind.CREDENTIALS
                ? "Waiting for valid credentials; retrying "
                : "Retrying ")
            + err.action()
            + " at "
            + status.getNextAttemptAt()
            + " after "
            + err.code()
            + ": "
            + err.message());
    return d;
  }

  private String keysOf(CloudInstanceDeletion r) {
    try {
      return CredentialsReader.describe(r, runner.factory(r.getSpec()));
    } catch (CloudException e) {
      return "Secret "
          + r.getMetadata().getNamespace()
          + "/"
          + r.getSpec().getCredentialsSecretRef().getName();
    }
  }

  private static boolean changed(String beforeJson, CloudInstanceDeletionStatus after) {
    return beforeJson == null || !beforeJson.equals(Serialization.asJson(after));
  }

  /**
   * A copy of the conditions that later changes to {@code conditions} or to its elements do not
   * reach (a copy of the conditions alone, not a JSON round trip of the whole status).
   */
  static List<Condition> copyOf(List<Condition> conditions) {
    List<Condition> copy = new ArrayList<>();
    if (conditions != null) {
      for (Condition c : conditions) {
        copy.add(new io.fabric8.kubernetes.api.model.ConditionBuilder(c).build());
      }
    }
    return copy;
  }

  private static ErrorInfo errorInfo(CloudError e, Instant now) {
    return new ErrorInfo(
        e.code(), e.message(), e.requestId(), e.kind().display(), e.action(), now.toString());
  }

  static String name(CloudInstanceDeletion r) {
    return r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }
}
