package dev.teardown.cloud.tencent;

import com.tencentcloudapi.common.exception.TencentCloudSDKException;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.ErrorKind;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Every Tencent CVM/CBS error code Teardown knows, classified once. Sources: the
 * TerminateInstances, DetachDisks and TerminateDisks error lists (tencentcloud-sdk-go cvm/cbs
 * client.go), the common error codes, and terraform-provider-tencentcloud's retry list. Terminal
 * errors carry a message that says what a person should do.
 */
public final class TencentErrors {
  /**
   * The SDK's code for an answer with an HTTP status other than 200 (a gateway or proxy failed).
   */
  public static final String SERVER_SIDE_ERROR = "ServerSideError";

  /**
   * Our code for a call that got no usable answer: connection refused or reset, timeout, unreadable
   * body.
   */
  public static final String CLIENT_SIDE_ERROR = "ClientSideError";

  private static final String RECREATE = ", then re-create this CloudInstanceDeletion";
  private static final String RESUMES = "; the deletion resumes by itself once the Secret works";

  /**
   * How one code is treated and, for terminal ones, what to tell a person (given the action and the
   * ids).
   */
  private record Rule(ErrorKind kind, BiFunction<String, String, String> advice) {}

  private static final Map<String, Rule> EXACT = new LinkedHashMap<>();

  /** Families matched by prefix when the exact code is not listed; first match wins. */
  private static final Map<String, Rule> PREFIX = new LinkedHashMap<>();

  static {
    // Throttling: the gateway's per-action and per-account limits.
    throttled("RequestLimitExceeded");
    PREFIX.put("RequestLimitExceeded.", new Rule(ErrorKind.THROTTLED, null));
    throttled("LimitExceeded.RateLimitExceeded"); // seen from CVM under load
    // (terraform-provider-tencentcloud#1233)

    // Transient: server faults, locks, operations in progress, busy resources.
    retryable(
        "InternalError",
        "InternalServerError",
        "ServiceUnavailable",
        SERVER_SIDE_ERROR,
        CLIENT_SIDE_ERROR,
        "OperationDenied.InstanceOperationInProgress",
        "MutexOperation.TaskRunning",
        "ResourceBusy",
        "InvalidDisk.Busy",
        "ResourceInUse",
        "TradeDealConflict",
        "ResourceInsufficient.UpgradeServiceBusy",
        "InvalidDisk.SnapshotCreating",
        "ResourceUnavailable.SnapshotCreating",
        "UnsupportedOperation.InstanceStatePending",
        "UnsupportedOperation.InstanceStateStarting",
        "UnsupportedOperation.InstanceStateStopping",
        "UnsupportedOperation.InstanceStateRebooting",
        "UnsupportedOperation.InstanceStateIsolating",
        "UnsupportedOperation.InstanceStateTerminating",
        "UnsupportedOperation.InstanceStateEnterRescueMode",
        "UnsupportedOperation.InstanceStateExitRescueMode",
        "UnsupportedOperation.InstanceStateEnterServiceLiveMigrate",
        "UnsupportedOperation.InstanceStateExitServiceLiveMigrate",
        "InvalidInstanceState.Terminating", // legacy answer to a second terminate while the first
        // still runs
        // FailedOperation alone is the server's "operation failed" with no client-side cause named.
        "FailedOperation");
    PREFIX.put("InternalError.", new Rule(ErrorKind.RETRYABLE, null));
    PREFIX.put("ResourceInUse.", new Rule(ErrorKind.RETRYABLE, null));
    // The request's timestamp is over 5 minutes off: the operator's clock drifted. Retrying is
    // right once NTP fixes
    // it; failing the deletion would leave billed resources behind for a clock problem.
    EXACT.put("AuthFailure.SignatureExpire", new Rule(ErrorKind.RETRYABLE, null));
    // A disk to release is still attached (re-attached by someone, or a stale observation): the
    // next reconcile
    // observes it and detaches first.
    EXACT.put("ResourceUnavailable.Attached", new Rule(ErrorKind.RETRYABLE, null));

    // Gone or already released: after a terminate/release this means done.
    notFound(
        "InvalidInstanceId.NotFound",
        "InvalidDiskId.NotFound",
        "ResourceNotFound",
        "UnsupportedOperation.InstanceStateTerminated",
        "ResourceUnavailable.RepeatRefund",
        "InvalidDisk.RepeatRefund");
    PREFIX.put("ResourceNotFound.", new Rule(ErrorKind.NOT_FOUND, null));

    // Terminal, with advice.
    // Credentials: never the end of a deletion that has started; it waits until the Secret or the
    // policy is fixed.
    credentials(
        (a, ids) ->
            "the secretKey in the credentials Secret does not match its secretId (Tencent rejected the"
                + " request signature): put the right secretId/secretKey pair into the Secret"
                + RESUMES,
        "AuthFailure.SignatureFailure");
    credentials(
        (a, ids) ->
            "the secretId in the credentials Secret does not exist or is disabled: check it in the CAM"
                + " console (API keys) and update the Secret"
                + RESUMES,
        "AuthFailure.SecretIdNotFound",
        "AuthFailure.InvalidSecretId");
    credentials(
        (a, ids) ->
            "the temporary token in the credentials Secret is invalid or expired: refresh the token"
                + " (or remove it for a permanent key)"
                + RESUMES,
        "AuthFailure.TokenFailure",
        "UnauthorizedOperation.InvalidToken");
    credentials(
        (a, ids) ->
            "the API key is not allowed to call "
                + a
                + ": grant it cvm:DescribeInstances,"
                + " cvm:TerminateInstances, cbs:DescribeDisks, cbs:DetachDisks and cbs:TerminateDisks in CAM"
                + RESUMES,
        "AuthFailure.UnauthorizedOperation",
        "UnauthorizedOperation",
        "AuthFailure.InvalidAuthorization");
    credentials(
        (a, ids) ->
            "the API key requires MFA for "
                + a
                + ", which an operator cannot provide: use a key"
                + " without an MFA requirement for these actions"
                + RESUMES,
        "AuthFailure.MFAFailure",
        "UnauthorizedOperation.MFAExpired",
        "UnauthorizedOperation.MFANotFound");
    terminal(
        (a, ids) -> TencentStates.protectedReason(ids), "UnsupportedOperation.InstancesProtected");
    terminal(
        (a, ids) ->
            "prepaid instance(s) "
                + ids
                + " cannot be returned under Tencent's refund rules: return them"
                + " in the CVM console or let them expire"
                + RECREATE,
        "InvalidInstanceNotSupportedPrepaidInstance",
        "FailedOperation.Unreturnable");
    terminal(
        (a, ids) ->
            "the account's quota of self-service returns is used up for "
                + ids
                + ": return them in the"
                + " console or ask Tencent support to raise the quota"
                + RECREATE,
        "LimitExceeded.UserReturnQuota",
        "InsufficientRefundQuota",
        "ResourceInsufficient.OverRefundQuota");
    terminal(
        (a, ids) ->
            "the account has unpaid orders, so Tencent refuses "
                + a
                + ": pay or cancel them in the"
                + " billing center"
                + RECREATE,
        "InvalidAccount.UnpaidOrder");
    terminal(
        (a, ids) ->
            "one TerminateInstances call mixed charge types for "
                + ids
                + " (a Teardown batching bug):"
                + " report it; meanwhile delete these instances in separate CloudInstanceDeletions by charge type",
        "UnsupportedOperation.InstanceMixedPricingModel");
    terminal(
        (a, ids) ->
            "instance(s) "
                + ids
                + " have a charge type or OS that Tencent does not return through the"
                + " API: return them in the CVM console"
                + RECREATE,
        "UnsupportedOperation.InstanceChargeType",
        "UnsupportedOperation.RedHatInstanceTerminateUnsupported",
        "UnsupportedOperation.RedHatInstanceUnsupported",
        "UnsupportedOperation.SpecialInstanceType");
    terminal(
        (a, ids) ->
            "instance(s) " + ids + " are frozen or banned by Tencent: contact Tencent support",
        "UnsupportedOperation.InstanceStateFreezing",
        "UnsupportedOperation.InstanceStateBanning");
    terminal(
        (a, ids) ->
            "instance(s) "
                + ids
                + " failed to launch and cannot be returned through the API: delete"
                + " them in the CVM console"
                + RECREATE,
        "UnsupportedOperation.InstanceStateLaunchFailed");
    terminal(
        (a, ids) ->
            "the instance id(s) "
                + ids
                + " are malformed (expected ins-xxxxxxxx): fix spec.instanceIds"
                + " in a new CloudInstanceDeletion",
        "InvalidInstanceId.Malformed",
        "InvalidParameterValue.InstanceIdMalformed");
    terminal(
        (a, ids) ->
            "disk(s) "
                + ids
                + " are not elastic and can only be released together with their instance:"
                + " release them with the instance in the console",
        "InvalidDisk.NotPortable",
        "ResourceUnavailable.NotPortable");
    terminal(
        (a, ids) ->
            "prepaid disk(s) "
                + ids
                + " cannot be returned (expired, or not returnable under the refund"
                + " rules): Tencent reclaims expired disks itself; otherwise return them in the CBS console"
                + RECREATE,
        "InvalidDisk.Expire",
        "ResourceUnavailable.Expire",
        "ResourceUnavailable.NotSupportRefund",
        "InvalidDisk.NotSupportRefund");
    terminal(
        (a, ids) ->
            "spec.region is not a region Tencent serves for this account: fix it in a new"
                + " CloudInstanceDeletion",
        "UnsupportedRegion",
        "UnsupportedOperation.Region");
    terminal(
        null,
        "UnsupportedOperation",
        "UnsupportedOperation.InvalidInstancesOwner",
        "UnsupportedOperation.UserLimitOperationExceedQuota",
        "InvalidInstance.NotSupported",
        "InvalidDisk.NotSupported",
        "InvalidDisk.TypeError",
        "ResourceUnavailable.NotSupported",
        "ResourceUnavailable.TypeError",
        "FailedOperation.InvalidInstanceApplicationRole",
        "FailedOperation.InvalidInstanceApplicationRoleEmr",
        "InvalidAccount.InsufficientBalance",
        "InvalidFilter",
        "InvalidAction",
        "NoSuchVersion",
        "NoSuchProduct",
        "ActionOffline",
        "UnsupportedProtocol",
        "InvalidRequest",
        "DryRunOperation",
        "IpInBlacklist",
        "IpNotInWhitelist",
        "RequestSizeLimitExceeded",
        "ResponseSizeLimitExceeded",
        "MissingParameter",
        "UnknownParameter",
        "InvalidParameter",
        "InvalidParameterValue",
        "InvalidParameterValue.LimitExceeded");
    // Families that are always the caller's fault.
    PREFIX.put("AuthFailure.", new Rule(ErrorKind.CREDENTIALS, null));
    PREFIX.put("UnauthorizedOperation.", new Rule(ErrorKind.CREDENTIALS, null));
    for (String p :
        List.of("InvalidParameter", "MissingParameter", "UnknownParameter", "InvalidAccount.")) {
      PREFIX.put(p, new Rule(ErrorKind.TERMINAL, null));
    }
  }

  private TencentErrors() {}

  /**
   * The kind of a code. A code we do not know is TERMINAL only when its family is clearly the
   * caller's fault (parameters, authentication, authorisation, account); anything else is
   * RETRYABLE, because a new code on a delete API is far more often a new busy/state condition than
   * a permanent refusal, a retry only costs a requeue with backoff, and giving up would leave
   * billed resources behind (the code still shows in status.lastError).
   */
  public static ErrorKind kindOf(String code) {
    return rule(code).kind();
  }

  /** Classifies one error answer of {@code action} about {@code ids}. */
  public static CloudError classify(
      String action, String code, String message, String requestId, Collection<String> ids) {
    Rule rule = rule(code);
    String cloudMessage = message == null || message.isBlank() ? code : message;
    String text;
    boolean advise = rule.kind() == ErrorKind.TERMINAL || rule.kind() == ErrorKind.CREDENTIALS;
    if (!advise) {
      text = cloudMessage;
    } else if (rule.advice() != null) {
      text =
          rule.advice().apply(action, ids.size() == 1 ? ids.iterator().next() : ids.toString())
              + " (Tencent: "
              + cloudMessage
              + ")";
    } else if (rule.kind() == ErrorKind.CREDENTIALS) {
      text =
          "Tencent refused the keys of the credentials Secret for "
              + action
              + " with "
              + code
              + ": "
              + cloudMessage
              + "; fix the keys or their CAM policy"
              + RESUMES;
    } else {
      text =
          "Tencent refused "
              + action
              + " for "
              + ids
              + " with "
              + code
              + ": "
              + cloudMessage
              + "; fix the cause"
              + RECREATE;
    }
    return CloudError.of(rule.kind(), code, text, requestId, action);
  }

  /**
   * Classifies what the SDK threw. The SDK sets no error code when the call got no usable answer
   * (I/O error, timeout, unparsable body); those become {@link #CLIENT_SIDE_ERROR}. The message is
   * built from the cause's class and text, which carry host and port but never credentials.
   */
  public static CloudError fromException(
      String action, TencentCloudSDKException e, Collection<String> ids) {
    String code = e.getErrorCode();
    if (code == null || code.isBlank()) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String detail =
          cause.getClass().getSimpleName()
              + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
      return classify(
          action, CLIENT_SIDE_ERROR, "no answer from Tencent (" + detail + ")", null, ids);
    }
    String requestId =
        e.getRequestId() == null || e.getRequestId().isBlank() ? null : e.getRequestId();
    return classify(action, code, e.getMessage(), requestId, ids);
  }

  private static Rule rule(String code) {
    if (code == null) {
      return new Rule(ErrorKind.RETRYABLE, null);
    }
    Rule exact = EXACT.get(code);
    if (exact != null) {
      return exact;
    }
    for (Map.Entry<String, Rule> p : PREFIX.entrySet()) {
      if (code.startsWith(p.getKey())) {
        return p.getValue();
      }
    }
    return new Rule(ErrorKind.RETRYABLE, null);
  }

  private static void throttled(String... codes) {
    for (String c : codes) {
      EXACT.put(c, new Rule(ErrorKind.THROTTLED, null));
    }
  }

  private static void retryable(String... codes) {
    for (String c : codes) {
      EXACT.put(c, new Rule(ErrorKind.RETRYABLE, null));
    }
  }

  private static void notFound(String... codes) {
    for (String c : codes) {
      EXACT.put(c, new Rule(ErrorKind.NOT_FOUND, null));
    }
  }

  private static void credentials(BiFunction<String, String, String> advice, String... codes) {
    for (String c : codes) {
      EXACT.put(c, new Rule(ErrorKind.CREDENTIALS, advice));
    }
  }

  private static void terminal(BiFunction<String, String, String> advice, String... codes) {
    for (String c : codes) {
      EXACT.put(c, new Rule(ErrorKind.TERMINAL, advice));
    }
  }
}
