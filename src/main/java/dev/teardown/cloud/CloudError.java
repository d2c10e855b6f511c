package dev.teardown.cloud;

import java.time.Duration;

/**
 * One error from a cloud, already classified.
 *
 * @param retryAfter a hint from the cloud or the adapter (e.g. a 10-minute operation lock); null
 *     when none
 */
public record CloudError(
    ErrorKind kind,
    String code,
    String message,
    String requestId,
    String action,
    Duration retryAfter) {

  /**
   * Every field from outside passes {@link SafeText}: no adapter can copy an exception message raw.
   */
  public CloudError {
    code = SafeText.code(code);
    message = SafeText.clean(message);
    requestId = SafeText.code(requestId);
  }

  public static CloudError of(
      ErrorKind kind, String code, String message, String requestId, String action) {
    return new CloudError(kind, code, message, requestId, action, null);
  }

  public CloudError withRetryAfter(Duration d) {
    return new CloudError(kind, code, message, requestId, action, d);
  }

  public CloudError withMessage(String m) {
    return new CloudError(kind, code, m, requestId, action, retryAfter);
  }

  public boolean isRetryable() {
    return kind == ErrorKind.RETRYABLE || kind == ErrorKind.THROTTLED;
  }

  @Override
  public String toString() {
    return action
        + ": "
        + code
        + " ("
        + kind.display()
        + "): "
        + message
        + (requestId == null ? "" : " [" + requestId + "]");
  }
}
