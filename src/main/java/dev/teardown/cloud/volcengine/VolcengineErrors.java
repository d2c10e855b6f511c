package dev.teardown.cloud.volcengine;

import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.ErrorKind;
import java.util.Map;
import java.util.function.Function;

/**
 * The one table that classifies every Volcengine error code (gateway codes, ECS and EBS codes,
 * per-instance OperationDetails codes) into an {@link ErrorKind}, with a message a person can act
 * on for the terminal ones.
 */
public final class VolcengineErrors {

  /** Code used for I/O failures and timeouts (no answer from the cloud). */
  public static final String NETWORK_ERROR = "NetworkError";

  /** Code used when the answer could not be read (not JSON, not the OpenAPI envelope). */
  public static final String UNREADABLE_RESPONSE = "UnreadableResponse";

  /**
   * The per-instance code of DeleteInstances for a PrePaid instance that has not expired (as the
   * simulator answers it).
   */
  public static final String PREPAID_NOT_EXPIRED = "InvalidInstanceChargeType";

  /**
   * The per-instance code of DeleteInstances for an instance with deletion protection (as the
   * simulator answers it).
   */
  public static final String DELETION_PROTECTED = "OperationDenied.DeletionProtection";

  /**
   * How one code is treated; {@code hint} turns (id, action) into the actionable message of a
   * terminal error.
   */
  record Rule(ErrorKind kind, Function<String, String> hint) {
    static Rule of(ErrorKind kind) {
      return new Rule(kind, null);
    }

    static Rule terminal(Function<String, String> hint) {
      return new Rule(ErrorKind.TERMINAL, hint);
    }

    static Rule credentials(Function<String, String> hint) {
      return new Rule(ErrorKind.CREDENTIALS, hint);
    }
  }

  private static final String RECREATE = ", then re-create this CloudInstanceDeletion";
  private static final String RESUMES = "; the deletion resumes by itself once the Secret works";

  private static final Function<String, String> BUG =
      what ->
          "Volcengine refused the request itself ("
              + what
              + "); this is a bug in Teardown's Volcengine adapter: report it "
              + "with the request id";

  static final Map<String, Rule> TABLE =
      Map.ofEntries(
          // rate limits of the API gateway
          Map.entry("FlowLimitExceeded", Rule.of(ErrorKind.THROTTLED)),
          Map.entry("AccountFlowLimitExceeded", Rule.of(ErrorKind.THROTTLED)),
          // the cloud's own transient failures
          Map.entry("InternalError", Rule.of(ErrorKind.RETRYABLE)),
          Map.entry("InternalErr", Rule.of(ErrorKind.RETRYABLE)),
          Map.entry("ServiceUnavailableTemp", Rule.of(ErrorKind.RETRYABLE)),
          Map.entry("InternalServiceTimeout", Rule.of(ErrorKind.RETRYABLE)),
          Map.entry("InternalServiceError", Rule.of(ErrorKind.RETRYABLE)),
          // an earlier call with the same ClientToken is still running / timed out inside the
          // cloud: ask again later
          Map.entry("IdempotentProcessing", Rule.of(ErrorKind.RETRYABLE)),
          Map.entry("IdempotentTimeout", Rule.of(ErrorKind.RETRYABLE)),
          // states that change by themselves
          Map.entry("IncorrectDiskStatus", Rule.of(ErrorKind.RETRYABLE)),
          Map.entry("InvalidInstanceStatus", Rule.of(ErrorKind.RETRYABLE)),
          // gone: after a delete this means done
          Map.entry("InvalidInstance.NotFound", Rule.of(ErrorKind.NOT_FOUND)),
          Map.entry("VolumeNotFound", Rule.of(ErrorKind.NOT_FOUND)),
          Map.entry("InvalidVolume.NotFound", Rule.of(ErrorKind.NOT_FOUND)),
          // credentials and permissions
          Map.entry(
              "SignatureDoesNotMatch",
              Rule.credentials(
                  id ->
                      "Volcengine rejected the request signature: the secretAccessKey in the credentials Secret does not belong "
                          + "to its accessKeyId (copy both from the same key pair in the Volcengine console)"
                          + RESUMES)),
          Map.entry(
              "InvalidAccessKey",
              Rule.credentials(
                  id ->
                      "Volcengine does not know the accessKeyId in the credentials Secret (deleted, disabled or mistyped): put a "
                          + "valid access key pair into the Secret"
                          + RESUMES)),
          Map.entry(
              "MissingSignature",
              Rule.credentials(
                  id ->
                      "the request reached Volcengine without a signature: check that no proxy or gateway between the operator "
                          + "and the endpoint strips the Authorization header"
                          + RESUMES)),
          Map.entry(
              "AccessDenied",
              Rule.credentials(
                  id ->
                      "the access key in the credentials Secret is not allowed to do this: grant it ecs:DescribeInstances, "
                          + "ecs:DeleteInstances, storage_ebs:DescribeVolumes, storage_ebs:DetachVolume and "
                          + "storage_ebs:DeleteVolume in Volcengine IAM"
                          + RESUMES)),
          // the operator's clock is off: retrying is right once NTP fixes it (the same class on
          // every cloud)
          Map.entry("InvalidTimestamp", Rule.of(ErrorKind.RETRYABLE)),
          Map.entry(
              "InvalidSecurityToken",
              Rule.credentials(
                  id ->
                      "the sessionToken in the credentials Secret is invalid or expired: refresh the temporary credentials"
                          + RESUMES)),
          // a ClientToken reused with other parameters: Teardown derives tokens from the resource
          // UID and the batch, so
          // this means two different calls got the same token - a bug, never something a retry can
          // fix
          Map.entry(
              "IdempotentParameterMismatch",
              Rule.terminal(
                  id ->
                      "Volcengine saw this ClientToken before on a different request; Teardown derives ClientTokens from the "
                          + "resource UID and the batch, so this is a bug in Teardown: report it with the request id (re-creating "
                          + "this CloudInstanceDeletion starts over with new tokens)")),
          // the cloud's rules forbid this deletion
          Map.entry(PREPAID_NOT_EXPIRED, Rule.terminal(VolcengineErrors::prepaidNotExpired)),
          Map.entry(DELETION_PROTECTED, Rule.terminal(VolcengineErrors::deletionProtected)),
          Map.entry(
              "VolumeStatusForbidDelete",
              Rule.terminal(
                  id ->
                      "volume "
                          + id
                          + " cannot be deleted on its own (Volcengine deletes only pay-as-you-go data volumes): "
                          + "convert it to pay-as-you-go or let it expire in the console, or set dataDisks: Retain"
                          + RECREATE)),
          Map.entry(
              "LocalVolumeCannotDelete",
              Rule.terminal(
                  id ->
                      "volume "
                          + id
                          + " is a local disk, which goes only with its instance: set dataDisks: Retain for it"
                          + RECREATE)),
          Map.entry(
              "OperationDenied.SystemVolume",
              Rule.terminal(
                  id ->
                      "volume "
                          + id
                          + " is a system volume, which cannot be detached or deleted on its own; it goes with its "
                          + "instance: this is a bug in Teardown's Volcengine adapter (it must list data volumes only), report it")),
          // malformed requests: our bug
          Map.entry("MissingParameter", Rule.terminal(id -> BUG.apply("a parameter is missing"))),
          Map.entry("MissingVolumeID", Rule.terminal(id -> BUG.apply("VolumeId missing"))),
          Map.entry("InvalidArgument", Rule.terminal(id -> BUG.apply("an argument is invalid"))),
          Map.entry("InvalidParameter", Rule.terminal(id -> BUG.apply("a parameter is invalid"))),
          Map.entry(
              "InvalidClientToken.Malformed",
              Rule.terminal(id -> BUG.apply("malformed ClientToken"))),
          Map.entry(
              "IdempotentInvalidClientToken",
              Rule.terminal(id -> BUG.apply("invalid ClientToken"))),
          Map.entry(
              "MissingRequestInfo", Rule.terminal(id -> BUG.apply("request information missing"))),
          Map.entry(
              "InvalidActionOrVersion",
              Rule.terminal(
                  id ->
                      "the endpoint does not offer this action or API version 2020-04-01: check spec.region and the endpoint "
                          + "override; if both are right this is a bug in Teardown, report it")),
          Map.entry(
              "ServiceNotFound",
              Rule.terminal(
                  id ->
                      "the endpoint does not offer the ecs/storage_ebs service: check spec.region and the endpoint override")),
          // no answer at all
          Map.entry(NETWORK_ERROR, Rule.of(ErrorKind.RETRYABLE)),
          Map.entry(UNREADABLE_RESPONSE, Rule.of(ErrorKind.RETRYABLE)));

  private VolcengineErrors() {}

  /** Terminal codes that refuse one volume, not the request: the other volumes can still go. */
  static final java.util.Set<String> VOLUME_REFUSALS =
      java.util.Set.of(
          "VolumeStatusForbidDelete",
          "LocalVolumeCannotDelete",
          "OperationDenied.SystemVolume",
          "IdempotentParameterMismatch");

  /**
   * An error of one per-volume call that concerns only that volume: a transient one (its state, the
   * cloud's hiccup, no answer) or a refusal of that volume. Throttling, credentials and a malformed
   * or unroutable request would hit every other volume's call too.
   */
  static boolean aboutOneVolume(CloudError e) {
    return e.kind() == ErrorKind.RETRYABLE
        || (e.kind() == ErrorKind.TERMINAL && VOLUME_REFUSALS.contains(e.code()));
  }

  /** The actionable reason an unexpired PrePaid instance cannot be deleted. */
  public static String prepaidNotExpired(String instanceId) {
    return instanceId
        + " is a prepaid (subscription) instance that has not expired; Volcengine deletes only "
        + "pay-as-you-go or expired prepaid instances: convert it to pay-as-you-go in the console or wait for expiry, "
        + "then re-create this CloudInstanceDeletion";
  }

  /** The actionable reason a protected instance cannot be deleted. */
  public static String deletionProtected(String instanceId) {
    return "deletion protection is on for "
        + instanceId
        + ": turn it off in the Volcengine console (or "
        + "ModifyInstanceAttribute with DeletionProtection=false)"
        + RECREATE;
  }

  /**
   * How a code is treated. Codes not in the table: HTTP 429 → THROTTLED; 401/403 → CREDENTIALS (the
   * gateway refused the keys); a {@code *.NotFound} code → NOT_FOUND; anything else → RETRYABLE. An
   * unknown code is never terminal: a new transient condition costs a requeue and, if it lasts, the
   * Stalled condition, while a wrongly terminal one would stop a deletion for good and leave billed
   * resources behind. Only codes the table knows are terminal.
   *
   * @param httpStatus the HTTP status of the answer, or 200 when the error came inside a 200 answer
   */
  public static ErrorKind kindOf(String code, int httpStatus) {
    Rule r = code == null ? null : TABLE.get(code);
    if (r != null) {
      return r.kind();
    }
    if (httpStatus == 429) {
      return ErrorKind.THROTTLED;
    }
    if (httpStatus == 401 || httpStatus == 403) {
      return ErrorKind.CREDENTIALS;
    }
    if (code != null && code.endsWith(".NotFound")) {
      return ErrorKind.NOT_FOUND;
    }
    return ErrorKind.RETRYABLE;
  }

  /**
   * Classifies one error.
   *
   * @param id the instance or volume the error is about (for the message), or null for a whole call
   */
  public static CloudError classify(
      String action,
      int httpStatus,
      String code,
      String cloudMessage,
      String requestId,
      String id) {
    String c = code == null || code.isBlank() ? "HTTP" + httpStatus : code;
    ErrorKind kind = kindOf(c, httpStatus);
    Rule r = TABLE.get(c);
    String msg =
        cloudMessage == null || cloudMessage.isBlank() ? "HTTP " + httpStatus : cloudMessage;
    if (kind == ErrorKind.CREDENTIALS && (r == null || r.hint() == null)) {
      msg =
          "Volcengine refused the keys of the credentials Secret for "
              + action
              + " with "
              + c
              + RESUMES
              + " (Volcengine: "
              + msg
              + ")";
    } else if (kind == ErrorKind.TERMINAL || kind == ErrorKind.CREDENTIALS) {
      String subject = id != null ? id : "the request";
      String hint =
          r != null && r.hint() != null
              ? r.hint().apply(subject)
              : "Volcengine refused "
                  + action
                  + " for "
                  + subject
                  + " with "
                  + c
                  + ", which retrying cannot fix: "
                  + "check the message, fix the cause"
                  + RECREATE;
      msg = hint + " (Volcengine: " + msg + ")";
    }
    return CloudError.of(kind, c, msg, requestId, action);
  }

  /** A call that got no answer (connect failure, timeout, broken connection): always RETRYABLE. */
  public static CloudError network(String action, Throwable cause) {
    String what =
        cause == null
            ? "no response"
            : cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    return CloudError.of(
        ErrorKind.RETRYABLE,
        NETWORK_ERROR,
        "no answer from Volcengine (" + what + ")",
        null,
        action);
  }
}
