package dev.teardown.controller;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.List;

/** Kubernetes-shaped conditions; lastTransitionTime moves only when the status value changes. */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String FAILED = "Failed";
  public static final String CREDENTIALS = "CredentialsAvailable";

  /** kstatus: True while Teardown is working towards Done; False at Done and Failed. */
  public static final String RECONCILING = "Reconciling";

  /**
   * kstatus: True when progress has stopped (retryable errors for TEARDOWN_STALL_AFTER, or the spec
   * changed).
   */
  public static final String STALLED = "Stalled";

  /**
   * False while the cloud refuses the Secret's keys (or the Secret is missing); names the Secret
   * and keys, never values.
   */
  public static final String CREDENTIALS_VALID = "CredentialsValid";

  /**
   * True when the spec no longer matches the plan recorded at Pending: no further mutating call.
   */
  public static final String SPEC_CHANGED = "SpecChanged";

  /** True while the annotation teardown.dev/paused is "true": no cloud call. */
  public static final String PAUSED = "Paused";

  /** True while another live deletion owns one of this deletion's instances: no cloud call. */
  public static final String INSTANCE_CLAIMED = "InstanceClaimed";

  private Conditions() {}

  public static void set(
      List<Condition> list,
      String type,
      boolean value,
      String reason,
      String message,
      Long generation,
      Instant now) {
    String status = value ? "True" : "False";
    String safeReason = reason(reason);
    for (Condition c : list) {
      if (c.getType().equals(type)) {
        if (!status.equals(c.getStatus())) {
          c.setLastTransitionTime(now.toString());
        }
        c.setStatus(status);
        c.setReason(safeReason);
        c.setMessage(message);
        c.setObservedGeneration(generation);
        return;
      }
    }
    list.add(
        new ConditionBuilder()
            .withType(type)
            .withStatus(status)
            .withReason(safeReason)
            .withMessage(message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(now.toString())
            .build());
  }

  public static Condition get(List<Condition> list, String type) {
    return list.stream().filter(c -> c.getType().equals(type)).findFirst().orElse(null);
  }

  /**
   * A condition reason must be CamelCase letters and digits; cloud codes like
   * AuthFailure.SignatureFailure are folded.
   */
  public static String reason(String raw) {
    if (raw == null || raw.isBlank()) {
      return "Unknown";
    }
    String r = raw.replaceAll("[^A-Za-z0-9]", "");
    if (r.isEmpty() || !Character.isLetter(r.charAt(0))) {
      r = "R" + r;
    }
    return r;
  }
}
