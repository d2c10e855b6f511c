package dev.teardown.sim;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * A fault a simulator injects: for an action (or "*") and optionally one target id, answer with an
 * error, an HTTP 5xx, a timeout, or apply the call and then time out (the response is lost after
 * the cloud accepted it); or break the transport or the body: reset the connection, a truncated or
 * non-JSON body, an HTML error page.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public class FaultRule {

  /** What the fault does. */
  public enum Type {
    /** Answer with the cloud's error envelope and {@link #code}. */
    ERROR,
    /** Answer HTTP {@link #httpStatus} with an error body. */
    HTTP_ERROR,
    /** Answer nothing for {@link #delayMs}, then close: the client times out, nothing happened. */
    TIMEOUT,
    /**
     * Apply the call, then answer only after {@link #delayMs}: the client times out, but the cloud
     * did it.
     */
    TIMEOUT_AFTER_APPLY,
    /**
     * Close the connection at once without an answer (a reset by a proxy or load balancer); nothing
     * happened.
     */
    RESET,
    /** Answer HTTP 200 with a JSON body cut off half-way; nothing happened. */
    TRUNCATED_BODY,
    /**
     * Answer HTTP 200 with a plain-text body that is not JSON (a proxy's complaint); nothing
     * happened.
     */
    NON_JSON_BODY,
    /**
     * Answer HTTP {@link #httpStatus} with an HTML error page (a gateway, WAF or captive portal);
     * nothing happened.
     */
    HTML_PAGE
  }

  @JsonPropertyDescription("API action to hit, or * for every action.")
  public String action = "*";

  @JsonPropertyDescription("Only calls naming this instance or disk id; empty = any call.")
  public String target;

  public Type type = Type.ERROR;

  @JsonPropertyDescription("Error code for ERROR faults (the cloud's own code).")
  public String code;

  public String message;

  public int httpStatus = 503;

  public long delayMs = 3000;

  @JsonPropertyDescription("How many calls it hits; -1 = every matching call.")
  public int times = 1;

  @JsonPropertyDescription("Skip this many matching calls first.")
  public int after = 0;

  @JsonPropertyDescription(
      "Chance (0..1] that a matching call is hit, drawn from the world's seeded random.")
  public double probability = 1.0;

  int seen;
  volatile int hits;

  public FaultRule() {}

  public static FaultRule error(String action, String code, int times) {
    FaultRule r = new FaultRule();
    r.action = action;
    r.code = code;
    r.times = times;
    return r;
  }

  public FaultRule target(String id) {
    this.target = id;
    return this;
  }

  public FaultRule type(Type t) {
    this.type = t;
    return this;
  }

  public FaultRule delayMs(long ms) {
    this.delayMs = ms;
    return this;
  }

  public FaultRule after(int n) {
    this.after = n;
    return this;
  }

  public FaultRule probability(double p) {
    this.probability = p;
    return this;
  }

  /** How many calls this rule has hit so far. */
  public int hits() {
    return hits;
  }

  public FaultRule code(String c) {
    this.code = c;
    return this;
  }

  public FaultRule httpStatus(int status) {
    this.httpStatus = status;
    return this;
  }

  public FaultRule times(int n) {
    this.times = n;
    return this;
  }

  public FaultRule message(String m) {
    this.message = m;
    return this;
  }
}
