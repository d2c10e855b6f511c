package dev.teardown.sim.tencent;

/**
 * A refusal the simulator answers with Tencent's error envelope (HTTP 200,
 * Response.Error.Code/Message).
 */
final class TencentApiError extends RuntimeException {
  private final String code;

  TencentApiError(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  String code() {
    return code;
  }
}
