package dev.teardown.sim.compshare;

/**
 * A call refused before it reaches the world (gateway checks, missing or unusable parameters): the
 * RetCode and Message of UCloud's envelope.
 */
final class CompShareRefusal extends RuntimeException {
  final int retCode;

  CompShareRefusal(int retCode, String message) {
    super(message, null, false, false);
    this.retCode = retCode;
  }
}
