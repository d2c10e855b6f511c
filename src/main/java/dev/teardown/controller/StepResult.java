package dev.teardown.controller;

import dev.teardown.api.v1alpha1.Phase;

/**
 * What a step decided.
 *
 * @param next the phase to move to (may be the same)
 * @param mutated true when the step made a mutating cloud call; the reconcile then ends and
 *     requeues
 * @param waiting true when the step is waiting for the cloud (poll interval); false = continue at
 *     once
 * @param message one line for status.message
 * @param reason CamelCase reason for the Failed condition when {@code next} is Failed
 */
public record StepResult(
    Phase next, boolean mutated, boolean waiting, String message, String reason) {

  public static StepResult moveTo(Phase next, String message) {
    return new StepResult(next, false, false, message, null);
  }

  public static StepResult acted(Phase next, String message) {
    return new StepResult(next, true, true, message, null);
  }

  public static StepResult waitFor(Phase current, String message) {
    return new StepResult(current, false, true, message, null);
  }

  public static StepResult fail(String reason, String message) {
    return new StepResult(Phase.Failed, false, false, message, reason);
  }
}
