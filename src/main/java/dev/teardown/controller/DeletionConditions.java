package dev.teardown.controller;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.ErrorInfo;
import dev.teardown.api.v1alpha1.Phase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Conditions and events derived from a pass. Ready (True at Done), Reconciling (kstatus: True while
 * working), Stalled (kstatus: True when retryable errors have lasted TEARDOWN_STALL_AFTER or the
 * spec changed), Progressing (kept for existing readers), Failed. Events: phase changes (reason:
 * the phase entered; message: "Entered X from Y: why"), new cloud errors (reason: the code;
 * message: the code, the call, the cloud's words), condition transitions that need a person (Secret
 * missing or refused, spec changed, stalled), and the steps' warnings.
 */
final class DeletionConditions {
  private static final Logger log = LoggerFactory.getLogger(DeletionConditions.class);

  private DeletionConditions() {}

  static void apply(
      CloudInstanceDeletionStatus st,
      boolean dryRun,
      String failReason,
      boolean specChanged,
      ErrorInfo stalledOn,
      Long gen,
      Instant now) {
    Phase p = st.getPhase();
    String msg = st.getMessage() == null ? p.name() : st.getMessage();
    List<Condition> c = st.getConditions();
    Conditions.set(
        c,
        Conditions.READY,
        p == Phase.Done,
        p == Phase.Done ? (dryRun ? "DryRunComplete" : "Deleted") : p.name(),
        msg,
        gen,
        now);
    Conditions.set(
        c,
        Conditions.RECONCILING,
        !p.isTerminal() && !specChanged,
        specChanged ? "SpecChanged" : p.name(),
        msg,
        gen,
        now);
    if (specChanged) {
      Conditions.set(c, Conditions.STALLED, true, "SpecChanged", msg, gen, now);
    } else if (stalledOn != null && !p.isTerminal()) {
      Conditions.set(
          c,
          Conditions.STALLED,
          true,
          Conditions.reason(stalledOn.getCode()),
          "No progress since "
              + st.getRetryingSince()
              + "; still retrying. Last cloud error: "
              + stalledOn.getCode()
              + " on "
              + stalledOn.getAction()
              + ": "
              + stalledOn.getMessage(),
          gen,
          now);
    } else {
      Conditions.set(
          c,
          Conditions.STALLED,
          false,
          p.isTerminal() ? p.name() : "Progressing",
          p.isTerminal() ? "Finished." : "Making progress.",
          gen,
          now);
    }
    Conditions.set(
        c, Conditions.PROGRESSING, !p.isTerminal() && !specChanged, p.name(), msg, gen, now);
    Conditions.set(
        c,
        Conditions.FAILED,
        p == Phase.Failed,
        p == Phase.Failed ? (failReason == null ? "Failed" : failReason) : "NoError",
        p == Phase.Failed ? msg : "No terminal error.",
        gen,
        now);
  }

  /**
   * A phase event's message says what its reason (the phase entered) says, then why: "Entered
   * AwaitingShutdown from Pending: Recorded 2 instances and 3 data disks. Terminate accepted for
   * ..." A Failed one names the Failed condition's reason too.
   */
  static String phaseMessage(Phase from, Phase to, Condition failed, String why) {
    String head =
        "Entered "
            + to
            + " from "
            + from
            + (to == Phase.Failed && failed != null && !"Failed".equals(failed.getReason())
                ? " (" + failed.getReason() + ")"
                : "");
    return why == null || why.isBlank() ? head + "." : head + ": " + why;
  }

  static void events(
      EventRecorder events,
      KubernetesClient client,
      CloudInstanceDeletion r,
      Phase from,
      List<Condition> before,
      CloudInstanceDeletionStatus st,
      ErrorInfo previousError,
      List<DeletionContext.Warning> warnings) {
    if (st.getPhase() != from) {
      log.info("{} {} -> {}: {}", DeletionReconciler.name(r), from, st.getPhase(), st.getMessage());
      String message =
          phaseMessage(
              from,
              st.getPhase(),
              Conditions.get(st.getConditions(), Conditions.FAILED),
              st.getMessage());
      if (st.getPhase() == Phase.Failed) {
        events.warning(client, r, "Failed", message);
      } else {
        events.normal(client, r, st.getPhase().name(), message);
      }
    }
    for (String type : List.of(Conditions.CREDENTIALS, Conditions.CREDENTIALS_VALID)) {
      Condition now = Conditions.get(st.getConditions(), type);
      Condition was = Conditions.get(before, type);
      if (now != null
          && "False".equals(now.getStatus())
          && (was == null
              || !"False".equals(was.getStatus())
              || !now.getReason().equals(was.getReason()))) {
        events.warning(client, r, now.getReason(), now.getMessage());
      }
    }
    for (String type : List.of(Conditions.SPEC_CHANGED, Conditions.STALLED)) {
      Condition now = Conditions.get(st.getConditions(), type);
      Condition was = Conditions.get(before, type);
      if (now != null
          && "True".equals(now.getStatus())
          && (was == null || !"True".equals(was.getStatus()))) {
        events.warning(client, r, now.getReason(), now.getMessage());
      }
    }
    ErrorInfo e = st.getLastError();
    if (e != null
        && (previousError == null || !e.sameAs(previousError))
        && st.getPhase() != Phase.Failed) {
      log.atInfo()
          .addKeyValue("requestId", e.getRequestId())
          .log(
              "{} cloud error {} on {}: {}",
              DeletionReconciler.name(r),
              e.getCode(),
              e.getAction(),
              e.getMessage());
      events.warning(
          client, r, e.getCode(), e.getCode() + " on " + e.getAction() + ": " + e.getMessage());
    }
    for (DeletionContext.Warning w : warnings) {
      events.warning(client, r, w.reason(), w.message());
    }
  }
}
