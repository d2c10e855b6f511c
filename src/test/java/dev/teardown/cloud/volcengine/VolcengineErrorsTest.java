package dev.teardown.cloud.volcengine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.ErrorKind;
import java.net.SocketTimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Volcengine error table, one case per code with the reason it is classified so. */
class VolcengineErrorsTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        // code, HTTP status, expected kind, reason
        Arguments.of(
            "FlowLimitExceeded",
            429,
            ErrorKind.THROTTLED,
            "API gateway rate limit: back off longer"),
        Arguments.of(
            "AccountFlowLimitExceeded", 429, ErrorKind.THROTTLED, "account-wide rate limit"),
        Arguments.of("InternalError", 500, ErrorKind.RETRYABLE, "the cloud's own failure"),
        Arguments.of("InternalErr", 500, ErrorKind.RETRYABLE, "EBS spelling of InternalError"),
        Arguments.of("ServiceUnavailableTemp", 503, ErrorKind.RETRYABLE, "temporarily unavailable"),
        Arguments.of("InternalServiceTimeout", 504, ErrorKind.RETRYABLE, "backend timed out"),
        Arguments.of(
            "IdempotentProcessing",
            412,
            ErrorKind.RETRYABLE,
            "the first call with this ClientToken is still running: ask again later"),
        Arguments.of(
            "IdempotentTimeout",
            500,
            ErrorKind.RETRYABLE,
            "idempotency record timed out inside the cloud"),
        Arguments.of(
            "IncorrectDiskStatus",
            403,
            ErrorKind.RETRYABLE,
            "volume still attached/detaching: its status changes by itself"),
        Arguments.of(
            "InvalidInstanceStatus",
            200,
            ErrorKind.RETRYABLE,
            "per-instance: the instance is in a transition"),
        Arguments.of(
            "InvalidInstance.NotFound",
            200,
            ErrorKind.NOT_FOUND,
            "per-instance: gone means deleted"),
        Arguments.of("VolumeNotFound", 404, ErrorKind.NOT_FOUND, "volume gone means released"),
        Arguments.of(
            "SignatureDoesNotMatch",
            401,
            ErrorKind.CREDENTIALS,
            "wrong secret: a person fixes the Secret"),
        Arguments.of("InvalidAccessKey", 401, ErrorKind.CREDENTIALS, "unknown access key"),
        Arguments.of("AccessDenied", 403, ErrorKind.CREDENTIALS, "missing IAM permission"),
        Arguments.of(
            "MissingSignature",
            401,
            ErrorKind.CREDENTIALS,
            "something strips the Authorization header"),
        Arguments.of(
            "InvalidTimestamp",
            400,
            ErrorKind.RETRYABLE,
            "operator clock skew: retry once NTP fixes it"),
        Arguments.of(
            "SomethingNew",
            403,
            ErrorKind.CREDENTIALS,
            "an unknown 403 is the gateway refusing the keys"),
        Arguments.of(
            "IdempotentParameterMismatch",
            400,
            ErrorKind.TERMINAL,
            "a token reused for another request is a bug; retrying repeats it"),
        Arguments.of(
            "InvalidInstanceChargeType",
            200,
            ErrorKind.TERMINAL,
            "per-instance: unexpired prepaid is never deletable by a retry"),
        Arguments.of(
            "OperationDenied.DeletionProtection",
            200,
            ErrorKind.TERMINAL,
            "per-instance: protection must be turned off by a person"),
        Arguments.of(
            "VolumeStatusForbidDelete",
            400,
            ErrorKind.TERMINAL,
            "prepaid/system volume: not deletable alone"),
        Arguments.of("MissingParameter", 400, ErrorKind.TERMINAL, "our malformed request"),
        Arguments.of(
            "InvalidActionOrVersion", 404, ErrorKind.TERMINAL, "wrong endpoint or our bug"),
        Arguments.of(
            "SomethingNew", 503, ErrorKind.RETRYABLE, "unknown code on a 5xx: the cloud's side"),
        Arguments.of(
            "SomethingNew", 429, ErrorKind.THROTTLED, "unknown code on 429 is a rate limit"),
        Arguments.of(
            "SomethingNew",
            400,
            ErrorKind.RETRYABLE,
            "an unknown code is never terminal (Stalled if it lasts)"),
        Arguments.of(
            "SomethingNew",
            409,
            ErrorKind.RETRYABLE,
            "unknown conflict: a later call can get past it"),
        Arguments.of("InvalidSnapshot.NotFound", 404, ErrorKind.NOT_FOUND, "unknown *.NotFound"),
        Arguments.of(
            "InvalidSomething",
            200,
            ErrorKind.RETRYABLE,
            "unknown per-instance code, even shaped like a client error: never terminal"),
        Arguments.of(
            "OperationDenied.SomethingNew",
            200,
            ErrorKind.RETRYABLE,
            "an unknown denial is retryable"),
        Arguments.of(
            "SomethingTransient",
            200,
            ErrorKind.RETRYABLE,
            "unknown per-instance code: a requeue is cheaper than a wrong final failure"),
        Arguments.of(null, 502, ErrorKind.RETRYABLE, "bare HTTP 502 from a proxy"));
  }

  @ParameterizedTest(name = "{0} / HTTP {1} -> {2}: {3}")
  @MethodSource("cases")
  void classifies(String code, int status, ErrorKind kind, String reason) {
    CloudError e =
        VolcengineErrors.classify("DeleteInstances", status, code, "cloud message", "req-1", "i-x");

    assertThat(e.kind()).as(reason).isEqualTo(kind);
    assertThat(e.code()).isEqualTo(code == null ? "HTTP" + status : code);
    assertThat(e.action()).isEqualTo("DeleteInstances");
    assertThat(e.requestId()).isEqualTo("req-1");
    assertThat(e.message()).contains("cloud message");
  }

  @Test
  void everyTerminalCodeInTheTableHasAnActionableMessage() {
    VolcengineErrors.TABLE.forEach(
        (code, rule) -> {
          if (rule.kind() == ErrorKind.TERMINAL) {
            assertThat(rule.hint()).as(code + " needs a hint").isNotNull();
            assertThat(rule.hint().apply("i-x")).as(code).isNotBlank();
          }
        });
  }

  @Test
  void prepaidMessageNamesTheInstanceAndWhatToDo() {
    CloudError e =
        VolcengineErrors.classify(
            "DeleteInstances",
            200,
            VolcengineErrors.PREPAID_NOT_EXPIRED,
            "not supported",
            "r",
            "i-abc");

    assertThat(e.message()).startsWith(VolcengineErrors.prepaidNotExpired("i-abc"));
    assertThat(e.message())
        .contains("convert it to pay-as-you-go", "re-create this CloudInstanceDeletion");
  }

  @Test
  void protectionMessageNamesTheInstance() {
    CloudError e =
        VolcengineErrors.classify(
            "DeleteInstances", 200, VolcengineErrors.DELETION_PROTECTED, "protected", "r", "i-p");

    assertThat(e.message()).startsWith("deletion protection is on for i-p: turn it off");
  }

  @Test
  void unknownCodeIsRetryableAndKeepsTheCloudsMessage() {
    CloudError e = VolcengineErrors.classify("DeleteVolume", 400, "Weird", "odd", "r", null);

    assertThat(e.kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(e.code()).isEqualTo("Weird");
    assertThat(e.message()).contains("odd");
  }

  @Test
  void networkFailuresAreRetryable() {
    CloudError e =
        VolcengineErrors.network("DescribeVolumes", new SocketTimeoutException("timeout"));

    assertThat(e.kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(e.code()).isEqualTo(VolcengineErrors.NETWORK_ERROR);
    assertThat(e.message()).contains("SocketTimeoutException");
  }

  @Test
  void aRefusalOfOneVolumeIsThatVolumesWhileOneOfTheRequestStopsAReleaseOfSeveral() {
    for (String code : VolcengineErrors.VOLUME_REFUSALS) {
      CloudError e = VolcengineErrors.classify("DeleteVolume", 400, code, "no", "req", "vol-1");
      assertThat(e.kind()).as(code).isEqualTo(ErrorKind.TERMINAL);
      assertThat(VolcengineErrors.aboutOneVolume(e)).as(code).isTrue();
    }
    assertThat(
            VolcengineErrors.aboutOneVolume(
                VolcengineErrors.classify(
                    "DeleteVolume", 403, "IncorrectDiskStatus", "busy", "r", null)))
        .isTrue();
    for (String code :
        new String[] {"FlowLimitExceeded", "AccessDenied", "InvalidParameter", "ServiceNotFound"}) {
      CloudError e = VolcengineErrors.classify("DeleteVolume", 400, code, "no", "req", null);
      assertThat(VolcengineErrors.aboutOneVolume(e)).as(code).isFalse();
    }
  }
}
