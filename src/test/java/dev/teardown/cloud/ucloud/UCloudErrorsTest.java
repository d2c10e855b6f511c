package dev.teardown.cloud.ucloud;

import static org.assertj.core.api.Assertions.assertThat;

import cn.ucloud.common.exception.RetCodeException;
import cn.ucloud.common.exception.TransportException;
import cn.ucloud.common.exception.UCloudException;
import cn.ucloud.common.exception.ValidatorException;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.ErrorKind;
import dev.teardown.sim.ucloud.CompShareCodes;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The CompShare error table, one row per case with the reason it is classified so. */
class UCloudErrorsTest {

  static Stream<Arguments> retCodes() {
    return Stream.of(
        row(
            171,
            "Signature VerifyAC Error",
            ErrorKind.CREDENTIALS,
            "wrong private key: a person fixes the Secret"),
        row(172, "User Not Exists", ErrorKind.CREDENTIALS, "unknown public key"),
        row(170, "Missing signature", ErrorKind.CREDENTIALS, "unsigned request: empty keys"),
        row(160, "Missing Action", ErrorKind.TERMINAL, "a bug on our side, not transient"),
        row(
            161,
            "Action [DescribeCompShareInstance] not found",
            ErrorKind.TERMINAL,
            "wrong gateway (api.ucloud.cn instead of api.compshare.cn)"),
        row(220, "Missing params [Zone]", ErrorKind.TERMINAL, "a required parameter is missing"),
        row(
            230,
            "Params [Region] not available",
            ErrorKind.TERMINAL,
            "bad region/zone in the spec"),
        row(
            8010,
            "InstanceOperationInProgress: UHost [uhost-1] is locked, retry after 42s",
            ErrorKind.RETRYABLE,
            "the 10-minute per-instance lock ends by itself"),
        row(
            8777,
            "InstanceOperationInProgress",
            ErrorKind.RETRYABLE,
            "the lock recognised by its documented name whatever the number"),
        row(
            8012,
            "UHost [uhost-1] is Running; only Stopped instances can be terminated",
            ErrorKind.RETRYABLE,
            "state race: observe again, the reconciler stops first"),
        row(
            8013,
            "UDisk [bsm-1] is not attached to UHost [uhost-1]",
            ErrorKind.NOT_FOUND,
            "nothing left to detach"),
        row(
            8014,
            "UDisk [bsm-1] is attached to UHost [uhost-1]; detach it first",
            ErrorKind.RETRYABLE,
            "a detach is still running"),
        row(
            8039,
            "UHost [uhost-1] not exist",
            ErrorKind.NOT_FOUND,
            "gone: after a delete that means done"),
        row(
            9123,
            "UDisk [bsm-9] not exist",
            ErrorKind.NOT_FOUND,
            "an unknown business code that says not exist"),
        row(2003, "Request frequency limit exceeded", ErrorKind.THROTTLED, "our rate limit code"),
        row(
            2999,
            "Too many requests, slow down",
            ErrorKind.THROTTLED,
            "rate limit recognised by its wording"),
        row(
            5000,
            "Internal error",
            ErrorKind.RETRYABLE,
            "RetCode >= 2000 is server side (UCloud Go SDK rule)"),
        row(
            150,
            "Request too frequent",
            ErrorKind.THROTTLED,
            "the gateway's throttle, seen on a describe"),
        row(
            8039,
            "state [Stopping] does not allow StopCompShareInstance",
            ErrorKind.RETRYABLE,
            "a wrong-state refusal is never success, whatever its number: observe again and wait"),
        row(
            8012,
            "UHost [uhost-1] state [Running] not allowed",
            ErrorKind.RETRYABLE,
            "wrong state"),
        row(
            199,
            "Something new",
            ErrorKind.RETRYABLE,
            "an unknown code is never terminal (it reaches Stalled if it lasts)"));
  }

  private static Arguments row(int code, String message, ErrorKind kind, String reason) {
    return Arguments.of(code, message, kind, reason);
  }

  @ParameterizedTest(name = "{0} {1} -> {2}: {3}")
  @MethodSource("retCodes")
  void classifiesRetCodes(int code, String message, ErrorKind kind, String reason) {
    CloudError e = UCloudErrors.fromRetCode("TerminateCompShareInstance", code, message, "req-1");

    assertThat(e.kind()).as(reason).isEqualTo(kind);
    assertThat(e.code()).isEqualTo(String.valueOf(code));
    assertThat(e.message()).startsWith(message);
    assertThat(e.requestId()).isEqualTo("req-1");
    assertThat(e.action()).isEqualTo("TerminateCompShareInstance");
  }

  @Test
  void terminalMessagesSayWhatToDo() {
    assertThat(UCloudErrors.fromRetCode("X", 171, "Signature VerifyAC Error", null).message())
        .contains("privateKey")
        .contains("resumes by itself once the Secret works");
    assertThat(UCloudErrors.fromRetCode("X", 161, "Action [X] not found", null).message())
        .contains("api.compshare.cn");
  }

  @Test
  void lockHintComesFromTheMessageOrDefaultsToAMinute() {
    assertThat(
            UCloudErrors.fromRetCode(
                    "X", 8010, "InstanceOperationInProgress, retry after 42s", null)
                .retryAfter())
        .isEqualTo(Duration.ofSeconds(42));
    assertThat(
            UCloudErrors.fromRetCode("X", 8010, "InstanceOperationInProgress", null).retryAfter())
        .as("no hint in the message")
        .isEqualTo(Duration.ofSeconds(60));
    assertThat(
            UCloudErrors.fromRetCode(
                    "X", 8010, "InstanceOperationInProgress, retry after 99999s", null)
                .retryAfter())
        .as("never beyond the documented 10-minute TTL")
        .isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void simulatorAndAdapterAgreeOnTheNumbers() {
    assertThat(UCloudErrors.SIGNATURE_ERROR).isEqualTo(CompShareCodes.SIGNATURE_ERROR);
    assertThat(UCloudErrors.USER_NOT_EXISTS).isEqualTo(CompShareCodes.USER_NOT_EXISTS);
    assertThat(UCloudErrors.ACTION_NOT_FOUND).isEqualTo(CompShareCodes.ACTION_NOT_FOUND);
    assertThat(UCloudErrors.PARAMS_NOT_AVAILABLE).isEqualTo(CompShareCodes.PARAMS_NOT_AVAILABLE);
    assertThat(UCloudErrors.RATE_LIMITED).isEqualTo(CompShareCodes.RATE_LIMITED);
    assertThat(UCloudErrors.OPERATION_IN_PROGRESS).isEqualTo(CompShareCodes.OPERATION_IN_PROGRESS);
    assertThat(UCloudErrors.STATE_NOT_ALLOWED).isEqualTo(CompShareCodes.STATE_NOT_ALLOWED);
    assertThat(UCloudErrors.DISK_NOT_ATTACHED).isEqualTo(CompShareCodes.DISK_NOT_ATTACHED);
    assertThat(UCloudErrors.DISK_IN_USE).isEqualTo(CompShareCodes.DISK_IN_USE);
    assertThat(UCloudErrors.RESOURCE_NOT_EXIST).isEqualTo(CompShareCodes.RESOURCE_NOT_EXIST);
  }

  static Stream<Arguments> exceptions() {
    return Stream.of(
        Arguments.of(
            new RetCodeException(171, "Signature VerifyAC Error", "rid-9"),
            ErrorKind.CREDENTIALS,
            "171",
            "the SDK's RetCode exception is unwrapped to the cloud's code"),
        Arguments.of(
            new UCloudException("http error, status code 502 Bad Gateway"),
            ErrorKind.RETRYABLE,
            "HTTP502",
            "HTTP 5xx from a gateway is transient"),
        Arguments.of(
            new UCloudException("http error, status code 429 Too Many Requests"),
            ErrorKind.THROTTLED,
            "HTTP429",
            "HTTP 429 is a rate limit"),
        Arguments.of(
            new UCloudException("http error, status code 404 Not Found"),
            ErrorKind.RETRYABLE,
            "HTTP404",
            "HTTP >= 400 counts as a transport problem, not a cloud answer"),
        Arguments.of(
            new TransportException("http error", new SocketTimeoutException("Read timed out")),
            ErrorKind.RETRYABLE,
            "NetworkError",
            "timeouts are retryable"),
        Arguments.of(
            new TransportException("http error", new IOException("Connection refused")),
            ErrorKind.RETRYABLE,
            "NetworkError",
            "I/O errors are retryable"),
        Arguments.of(
            new ValidatorException("Zone can not be null"),
            ErrorKind.TERMINAL,
            "InvalidRequest",
            "a required parameter we did not fill cannot appear by retrying"));
  }

  @ParameterizedTest(name = "{2}: {3}")
  @MethodSource("exceptions")
  void classifiesSdkExceptions(UCloudException ex, ErrorKind kind, String code, String reason) {
    CloudError e = UCloudErrors.fromException("DescribeCompShareInstance", ex);

    assertThat(e.kind()).as(reason).isEqualTo(kind);
    assertThat(e.code()).isEqualTo(code);
    assertThat(e.action()).isEqualTo("DescribeCompShareInstance");
  }

  @Test
  void retCodeExceptionMessageIsTheCloudsOwn() {
    CloudError e =
        UCloudErrors.fromException(
            "X", new RetCodeException(8039, "UHost [uhost-1] not exist", "rid"));

    assertThat(e.message()).isEqualTo("UHost [uhost-1] not exist");
    assertThat(e.requestId()).isEqualTo("rid");
  }
}
