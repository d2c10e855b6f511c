package dev.teardown.sim.volcengine;

import java.util.Map;

/**
 * An error the simulator answers with: HTTP status, the cloud's code, its numeric CodeN where one
 * is known, and a message. Thrown inside a handler to end the call.
 */
final class VolcengineApiError extends RuntimeException {

  /**
   * HTTP statuses of the codes the simulator knows, from the vendor's common and per-action error
   * tables.
   */
  private static final Map<String, Integer> STATUS =
      Map.ofEntries(
          Map.entry("MissingSignature", 401),
          Map.entry("InvalidAccessKey", 401),
          Map.entry("SignatureDoesNotMatch", 401),
          Map.entry("InvalidTimestamp", 400),
          Map.entry("MissingRequestInfo", 400),
          Map.entry("AccessDenied", 403),
          Map.entry("ServiceNotFound", 404),
          Map.entry("InvalidActionOrVersion", 404),
          Map.entry("FlowLimitExceeded", 429),
          Map.entry("AccountFlowLimitExceeded", 429),
          Map.entry("InternalError", 500),
          Map.entry("ServiceUnavailableTemp", 503),
          Map.entry("InternalServiceTimeout", 504),
          Map.entry("MissingParameter", 400),
          Map.entry("InvalidArgument", 400),
          Map.entry("InvalidParameter", 400),
          Map.entry("IdempotentParameterMismatch", 400),
          Map.entry("IdempotentProcessing", 412),
          Map.entry("InvalidClientToken.Malformed", 400),
          Map.entry("MissingVolumeID", 400),
          Map.entry("IncorrectDiskStatus", 403),
          Map.entry("VolumeNotFound", 404),
          Map.entry("VolumeStatusForbidDelete", 400),
          Map.entry("OperationDenied.SystemVolume", 403));

  /**
   * CodeN of the gateway errors: 100010 for SignatureDoesNotMatch is what the gateway returns;
   * 100009 for InvalidAccessKey is taken from public client code, not from a vendor table.
   */
  private static final Map<String, Integer> CODE_N =
      Map.of("SignatureDoesNotMatch", 100010, "InvalidAccessKey", 100009);

  final int status;
  final String code;
  final Integer codeN;

  VolcengineApiError(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
    this.codeN = CODE_N.get(code);
  }

  /**
   * An error with the status its code has in the vendor's tables (400 for codes the simulator does
   * not know).
   */
  static VolcengineApiError of(String code, String message) {
    return new VolcengineApiError(statusOf(code), code, message);
  }

  static int statusOf(String code) {
    return STATUS.getOrDefault(code, 400);
  }

  /** The code a plain HTTP failure of this status carries. */
  static String codeForStatus(int status) {
    return switch (status) {
      case 429 -> "FlowLimitExceeded";
      case 503 -> "ServiceUnavailableTemp";
      case 504 -> "InternalServiceTimeout";
      default -> status >= 500 ? "InternalError" : "InvalidArgument";
    };
  }
}
