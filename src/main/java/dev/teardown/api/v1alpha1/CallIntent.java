package dev.teardown.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/**
 * A mutating call, written to status before it is made, so a crash between the call and its answer
 * leaves a trace.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CallIntent {
  @JsonPropertyDescription(
      "The port action: StopInstances, TerminateInstances, PurgeInstances, DetachDisks, ReleaseDisks or PurgeDisks.")
  private String action;

  @JsonPropertyDescription("The instance or disk ids of the call.")
  private List<String> ids = new ArrayList<>();

  @JsonPropertyDescription(
      "The idempotency token sent with the call (Volcengine ClientToken), reused if the call is retried.")
  private String token;

  @JsonPropertyDescription(
      "When the call was about to be made (RFC 3339); the grace window after a crash starts here.")
  private String at;

  @JsonPropertyDescription(
      "Accepted, Refused or Failed once the answer was recorded; empty while the call is in flight.")
  private String result;

  public CallIntent() {}

  public CallIntent(String action, List<String> ids, String token, String at) {
    this.action = action;
    this.ids = new ArrayList<>(ids);
    this.token = token;
    this.at = at;
  }

  public boolean covers(String action, String id) {
    return action.equals(this.action) && ids != null && ids.contains(id);
  }

  public String getAction() {
    return action;
  }

  public void setAction(String action) {
    this.action = action;
  }

  public List<String> getIds() {
    return ids;
  }

  public void setIds(List<String> ids) {
    this.ids = ids;
  }

  public String getToken() {
    return token;
  }

  public void setToken(String token) {
    this.token = token;
  }

  public String getAt() {
    return at;
  }

  public void setAt(String at) {
    this.at = at;
  }

  public String getResult() {
    return result;
  }

  public void setResult(String result) {
    this.result = result;
  }
}
