package dev.teardown.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * The last error a cloud returned: its own code, message and request id, so support tickets can
 * cite them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ErrorInfo {
  @JsonPropertyDescription("The cloud's own error code, for example RequestLimitExceeded.")
  private String code;

  @JsonPropertyDescription("Human-readable message: what went wrong and what to do.")
  private String message;

  @JsonPropertyDescription("Request id returned by the cloud, to quote to its support.")
  private String requestId;

  @JsonPropertyDescription("How Teardown treats it: Retryable, Throttled, NotFound or Terminal.")
  private String kind;

  @JsonPropertyDescription("The API action that returned it.")
  private String action;

  @JsonPropertyDescription("When it happened (RFC 3339).")
  private String time;

  public ErrorInfo() {}

  public ErrorInfo(
      String code, String message, String requestId, String kind, String action, String time) {
    this.code = code;
    this.message = message;
    this.requestId = requestId;
    this.kind = kind;
    this.action = action;
    this.time = time;
  }

  public String getCode() {
    return code;
  }

  public void setCode(String code) {
    this.code = code;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getRequestId() {
    return requestId;
  }

  public void setRequestId(String requestId) {
    this.requestId = requestId;
  }

  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
  }

  public String getAction() {
    return action;
  }

  public void setAction(String action) {
    this.action = action;
  }

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }

  /** Same error ignoring when it happened; used to avoid rewriting status for a repeated error. */
  public boolean sameAs(ErrorInfo o) {
    return o != null
        && Objects.equals(code, o.code)
        && Objects.equals(message, o.message)
        && Objects.equals(kind, o.kind)
        && Objects.equals(action, o.action);
  }
}
