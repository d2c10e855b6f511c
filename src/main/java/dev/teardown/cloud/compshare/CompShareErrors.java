package dev.teardown.cloud.compshare;

import cn.ucloud.common.exception.RetCodeException;
import cn.ucloud.common.exception.UCloudException;
import cn.ucloud.common.exception.ValidatorException;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.ErrorKind;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every UCloud / CompShare error classified once. Sources: UCloud API docs (171 "Signature VerifyAC
 * Error", 172 "User Not Exists"), UCloud SDK tests and gateways (160 "Missing Action", 161 "Action
 * [X] not found", 170 "Missing signature", 220 "Missing params", 230 "Params [X] not available"),
 * UCloud's Go SDK rule that RetCode ≥ 2000 is retryable (server side) and below is not
 * (gateway/request errors). CompShare does not document the numbers of its business errors: the
 * 2000+ numbers here are the ones our simulator answers. The lock is also recognised by its
 * documented name InstanceOperationInProgress anywhere in the message, throttling and not-found by
 * their wording, so a different real number still classifies.
 */
public final class CompShareErrors {
  private CompShareErrors() {}

  public static final int MISSING_ACTION = 160;
  public static final int ACTION_NOT_FOUND = 161;
  public static final int MISSING_SIGNATURE = 170;
  public static final int SIGNATURE_ERROR = 171;
  public static final int USER_NOT_EXISTS = 172;
  public static final int MISSING_PARAMS = 220;
  public static final int PARAMS_NOT_AVAILABLE = 230;

  /** The gateway's "Request too frequent" (seen on DescribeCompShareInstance). */
  public static final int TOO_FREQUENT = 150;

  public static final int RATE_LIMITED = 2003;
  public static final int OPERATION_IN_PROGRESS = 8010;
  public static final int STATE_NOT_ALLOWED = 8012;
  public static final int DISK_NOT_ATTACHED = 8013;
  public static final int DISK_IN_USE = 8014;
  public static final int RESOURCE_NOT_EXIST = 8039;

  /** The lock's TTL is 10 minutes; without a hint in the message, look again after a minute. */
  static final Duration LOCK_DEFAULT_RETRY = Duration.ofSeconds(60);

  static final Duration LOCK_MAX_RETRY = Duration.ofMinutes(10);
  static final Duration THROTTLE_RETRY = Duration.ofSeconds(2);
  static final Duration WRONG_STATE_RETRY = Duration.ofSeconds(2);

  private record Rule(ErrorKind kind, String advice) {}

  private static final Map<Integer, Rule> TABLE =
      Map.ofEntries(
          Map.entry(
              MISSING_ACTION,
              new Rule(
                  ErrorKind.TERMINAL,
                  "the request carried no Action; this is a bug in Teardown, please report it")),
          Map.entry(
              ACTION_NOT_FOUND,
              new Rule(
                  ErrorKind.TERMINAL,
                  "the API endpoint does not know this action: the endpoint must be the CompShare gateway"
                      + " (https://api.compshare.cn), not api.ucloud.cn; fix the endpoint override, then re-create this"
                      + " CloudInstanceDeletion")),
          Map.entry(
              MISSING_SIGNATURE,
              new Rule(
                  ErrorKind.CREDENTIALS,
                  "the request was not signed: the Secret's publicKey/privateKey are empty; fill them in")),
          Map.entry(
              SIGNATURE_ERROR,
              new Rule(
                  ErrorKind.CREDENTIALS,
                  "CompShare rejected the signature: the privateKey in the Secret does not belong to its publicKey"
                      + " (or the keys are UCloud console keys, not CompShare ones); copy both from the CompShare console"
                      + " (API keys) into the Secret; the deletion resumes by itself once the Secret works")),
          Map.entry(
              USER_NOT_EXISTS,
              new Rule(
                  ErrorKind.CREDENTIALS,
                  "CompShare does not know the publicKey in the Secret: copy it from the CompShare console (API keys);"
                      + " the deletion resumes by itself once the Secret works")),
          Map.entry(
              MISSING_PARAMS,
              new Rule(
                  ErrorKind.TERMINAL,
                  "CompShare says a required parameter is missing (spec.region and spec.zone are required)")),
          Map.entry(
              PARAMS_NOT_AVAILABLE,
              new Rule(
                  ErrorKind.TERMINAL,
                  "CompShare rejected a parameter: check spec.region (e.g. cn-wlcb) and spec.zone (e.g. cn-wlcb-01) and"
                      + " the instance ids, then re-create this CloudInstanceDeletion")),
          Map.entry(TOO_FREQUENT, new Rule(ErrorKind.THROTTLED, "request rate limit reached")),
          Map.entry(RATE_LIMITED, new Rule(ErrorKind.THROTTLED, "request rate limit reached")),
          Map.entry(
              OPERATION_IN_PROGRESS,
              new Rule(
                  ErrorKind.RETRYABLE,
                  "another operation holds the instance's lock (up to 10 minutes)")),
          Map.entry(
              STATE_NOT_ALLOWED,
              new Rule(
                  ErrorKind.RETRYABLE,
                  "the instance is not in a state that allows this yet; observe again")),
          // The disk is not attached to that instance: for a detach that means the work is done.
          Map.entry(
              DISK_NOT_ATTACHED,
              new Rule(ErrorKind.NOT_FOUND, "the disk is not attached to this instance")),
          Map.entry(
              DISK_IN_USE,
              new Rule(ErrorKind.RETRYABLE, "the disk is still attached; detach it first")),
          Map.entry(
              RESOURCE_NOT_EXIST, new Rule(ErrorKind.NOT_FOUND, "it does not exist (any more)")));

  private static final Pattern RETRY_AFTER = Pattern.compile("(?i)retry after (\\d{1,6})\\s*s");

  /** Classifies a non-zero RetCode. */
  public static CloudError fromRetCode(
      String action, int retCode, String message, String requestId) {
    String msg = message == null ? "" : message;
    String code = String.valueOf(retCode);
    String lower = msg.toLowerCase(Locale.ROOT);
    if (retCode == OPERATION_IN_PROGRESS || msg.contains("InstanceOperationInProgress")) {
      return new CloudError(ErrorKind.RETRYABLE, code, msg, requestId, action, lockRetryAfter(msg));
    }
    if (wrongState(lower)) {
      // "state [Stopping] does not allow StopCompShareInstance": a refusal, never a success; look
      // again and wait.
      return CloudError.of(ErrorKind.RETRYABLE, code, msg, requestId, action)
          .withRetryAfter(WRONG_STATE_RETRY);
    }
    Rule rule = TABLE.get(retCode);
    if (rule != null) {
      return switch (rule.kind()) {
        case TERMINAL, CREDENTIALS ->
            CloudError.of(rule.kind(), code, msg + ": " + rule.advice(), requestId, action);
        case THROTTLED ->
            CloudError.of(ErrorKind.THROTTLED, code, msg, requestId, action)
                .withRetryAfter(THROTTLE_RETRY);
        default -> CloudError.of(rule.kind(), code, msg, requestId, action);
      };
    }
    if (lower.contains("frequen")
        || lower.contains("too many requests")
        || lower.contains("rate limit")) {
      return CloudError.of(ErrorKind.THROTTLED, code, msg, requestId, action)
          .withRetryAfter(THROTTLE_RETRY);
    }
    if (retCode >= 2000 && (lower.contains("not exist") || lower.contains("not found"))) {
      return CloudError.of(ErrorKind.NOT_FOUND, code, msg, requestId, action);
    }
    // Any other code is retryable: a code Teardown does not know is never a reason to give up (the
    // deletion shows
    // Stalled if it lasts), while giving up would leave billed resources behind.
    return CloudError.of(ErrorKind.RETRYABLE, code, msg, requestId, action);
  }

  /**
   * The cloud's "wrong state" wording: the instance or disk is not (yet) in a state that allows the
   * action.
   */
  static boolean wrongState(String lowerMessage) {
    return lowerMessage.contains("does not allow")
        || lowerMessage.contains("not allowed in state")
        || lowerMessage.matches(".*\\bstate \\[[^\\]]*\\].*");
  }

  /** Classifies any exception the SDK's {@code DefaultClient.invoke} throws. */
  public static CloudError fromException(String action, UCloudException e) {
    if (e instanceof RetCodeException rc) {
      return fromRetCode(action, rc.getRetCode(), rawMessage(rc), rc.getRequestId());
    }
    if (e instanceof ValidatorException) {
      return CloudError.of(
          ErrorKind.TERMINAL,
          "InvalidRequest",
          e.getMessage() + ": a required parameter is empty (spec.zone and the ids are required)",
          null,
          action);
    }
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    Matcher m = Pattern.compile("status code (\\d{3})").matcher(msg);
    if (m.find()) {
      int status = Integer.parseInt(m.group(1));
      ErrorKind kind =
          status == 429 ? ErrorKind.THROTTLED : ErrorKind.RETRYABLE; // gateway/proxy trouble
      return CloudError.of(kind, "HTTP" + status, msg, null, action);
    }
    Throwable cause = e.getCause();
    String detail =
        cause == null
            ? msg
            : msg
                + ": "
                + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : " " + cause.getMessage());
    return CloudError.of(ErrorKind.RETRYABLE, "NetworkError", detail, null, action);
  }

  /**
   * The cloud's own Message: RetCodeException formats its message as "[requestId] retCode:
   * message".
   */
  static String rawMessage(RetCodeException e) {
    String full = e.getMessage() == null ? "" : e.getMessage();
    String prefix = "[" + e.getRequestId() + "] " + e.getRetCode() + ": ";
    return full.startsWith(prefix) ? full.substring(prefix.length()) : full;
  }

  static Duration lockRetryAfter(String message) {
    Matcher m = RETRY_AFTER.matcher(message);
    if (m.find()) {
      Duration d = Duration.ofSeconds(Math.max(1, Long.parseLong(m.group(1))));
      return d.compareTo(LOCK_MAX_RETRY) > 0 ? LOCK_MAX_RETRY : d;
    }
    return LOCK_DEFAULT_RETRY;
  }
}
