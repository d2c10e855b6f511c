package dev.teardown.cloud.compshare;

import static org.assertj.core.api.Assertions.assertThat;

import cn.ucloud.common.exception.RetCodeException;
import cn.ucloud.common.exception.TransportException;
import cn.ucloud.common.exception.UCloudException;
import cn.ucloud.common.exception.ValidatorException;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.ErrorKind;
import dev.teardown.sim.compshare.CompShareCodes;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The CompShare error table, one row per case with the reason it is classified so. */
class CompShareErrorsTest {

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
    CloudError e =
        CompShareErrors.fromRetCode("TerminateCompShareInstance", code, message, "req-1");

    assertThat(e.kind()).as(reason).isEqualTo(kind);
    assertThat(e.code()).isEqualTo(String.valueOf(code));
    assertThat(e.message()).startsWith(message);
    assertThat(e.requestId()).isEqualTo("req-1");
    assertThat(e.action()).isEqualTo("TerminateCompShareInstance");
  }

  @Test
  void terminalMessagesSayWhatToDo() {
    assertThat(CompShareErrors.fromRetCode("X", 171, "Signature VerifyAC Error", null).message())
        .contains("privateKey")
        .contains("resumes by itself once the Secret works");
    assertThat(CompShareErrors.fromRetCode("X", 161, "Action [X] not found", null).message())
        .contains("api.compshare.cn");
  }

  @Test
  void lockHintComesFromTheMessageOrDefaultsToAMinute() {
    assertThat(
            CompShareErrors.fromRetCode(
                    "X", 8010, "InstanceOperationInProgress, retry after 42s", null)
                .retryAfter())
        .isEqualTo(Duration.ofSeconds(42));
    assertThat(
            CompShareErrors.fromRetCode("X", 8010, "InstanceOperationInProgress", null)
                .retryAfter())
        .as("no hint in the message")
        .isEqualTo(Duration.ofSeconds(60));
    assertThat(
            CompShareErrors.fromRetCode(
                    "X", 8010, "InstanceOperationInProgress, retry after 99999s", null)
                .retryAfter())
        .as("never beyond the documented 10-minute TTL")
        .isEqualTo(Duration.ofMinutes(10));
  }

  /**
   * The simulator answers with {@code CompShareCodes}, the adapter classifies {@code
   * CompShareErrors}; the two are kept apart on purpose (the core never imports the simulator), so
   * this pins them together: every code the simulator can send is a code of the adapter's table
   * under the same name and number. A code added to either side alone fails here.
   */
  @Test
  void simulatorAndAdapterAgreeOnTheNumbers() throws IllegalAccessException {
    java.util.Map<String, Integer> sim = intConstants(CompShareCodes.class);
    java.util.Map<String, Integer> adapter = intConstants(CompShareErrors.class);
    assertThat(sim).as("the simulator's codes").hasSizeGreaterThanOrEqualTo(12);
    sim.remove(
        "INTERNAL_ERROR"); // a generic 5000 for injected faults; the adapter's rule is >= 2000
    assertThat(adapter).containsAllEntriesOf(sim);
    assertThat(CompShareErrors.fromRetCode("X", CompShareCodes.INTERNAL_ERROR, "boom", null).kind())
        .isEqualTo(ErrorKind.RETRYABLE);
    java.util.Set<String> adapterOnly = new java.util.TreeSet<>(adapter.keySet());
    adapterOnly.removeAll(sim.keySet());
    assertThat(adapterOnly)
        .as("codes the adapter knows that the simulator never sends (gateway-only ones)")
        .containsExactly("TOO_FREQUENT");
  }

  private static java.util.Map<String, Integer> intConstants(Class<?> type)
      throws IllegalAccessException {
    java.util.Map<String, Integer> out = new java.util.TreeMap<>();
    for (java.lang.reflect.Field f : type.getDeclaredFields()) {
      int m = f.getModifiers();
      if (java.lang.reflect.Modifier.isStatic(m)
          && java.lang.reflect.Modifier.isFinal(m)
          && f.getType() == int.class) {
        f.setAccessible(true);
        out.put(f.getName(), f.getInt(null));
      }
    }
    return out;
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
    CloudError e = CompShareErrors.fromException("DescribeCompShareInstance", ex);

    assertThat(e.kind()).as(reason).isEqualTo(kind);
    assertThat(e.code()).isEqualTo(code);
    assertThat(e.action()).isEqualTo("DescribeCompShareInstance");
  }

  @Test
  void retCodeExceptionMessageIsTheCloudsOwn() {
    CloudError e =
        CompShareErrors.fromException(
            "X", new RetCodeException(8039, "UHost [uhost-1] not exist", "rid"));

    assertThat(e.message()).isEqualTo("UHost [uhost-1] not exist");
    assertThat(e.requestId()).isEqualTo("rid");
  }
}
