package dev.teardown.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.cloud.compshare.CompShareErrors;
import dev.teardown.cloud.tencent.TencentErrors;
import dev.teardown.cloud.volcengine.VolcengineErrors;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The three error tables agree: the same situation gets the same class on every cloud. Each row
 * names the situation, the class, and each cloud's own answer for it (code, and HTTP status or
 * message where the class depends on it). CompShare signs without a timestamp, so it has no
 * clock-skew answer; that row checks two clouds.
 */
class CrossCloudErrorTableTest {

  /** One cloud's answer for a situation; null when that cloud cannot answer so. */
  record Answers(
      String tencentCode,
      String volcengineCode,
      int volcengineHttp,
      Integer ucloudRetCode,
      String ucloudMessage) {}

  static Stream<Arguments> situations() {
    return Stream.of(
        row(
            "clock skew",
            ErrorKind.RETRYABLE,
            new Answers("AuthFailure.SignatureExpire", "InvalidTimestamp", 400, null, null)),
        row(
            "throttling",
            ErrorKind.THROTTLED,
            new Answers(
                "RequestLimitExceeded", "FlowLimitExceeded", 429, 150, "Request too frequent")),
        row(
            "unknown denial",
            ErrorKind.RETRYABLE,
            new Answers(
                "OperationDenied.SomethingNew",
                "OperationDenied.SomethingNew",
                200,
                9321,
                "Operation denied for a new reason")),
        row(
            "unknown code on a client-error status",
            ErrorKind.RETRYABLE,
            new Answers("SomethingBrandNew", "SomethingBrandNew", 400, 199, "Something brand new")),
        row(
            "not found",
            ErrorKind.NOT_FOUND,
            new Answers(
                "InvalidInstanceId.NotFound",
                "InvalidInstance.NotFound",
                200,
                8039,
                "UHost [uhost-x] not exist")),
        row(
            "operation lock / busy instance",
            ErrorKind.RETRYABLE,
            new Answers(
                "OperationDenied.InstanceOperationInProgress",
                "InvalidInstanceStatus",
                200,
                8010,
                "InstanceOperationInProgress")),
        row(
            "wrong state for the action",
            ErrorKind.RETRYABLE,
            new Answers(
                "UnsupportedOperation.InstanceStateStopping",
                "InvalidInstanceStatus",
                200,
                8039,
                "state [Stopping] does not allow StopCompShareInstance")),
        row(
            "bad signature",
            ErrorKind.CREDENTIALS,
            new Answers(
                "AuthFailure.SignatureFailure",
                "SignatureDoesNotMatch",
                401,
                171,
                "Signature VerifyAC Error")),
        row(
            "unknown key",
            ErrorKind.CREDENTIALS,
            new Answers(
                "AuthFailure.SecretIdNotFound", "InvalidAccessKey", 401, 172, "User Not Exists")),
        row(
            "missing permission",
            ErrorKind.CREDENTIALS,
            new Answers("UnauthorizedOperation", "AccessDenied", 403, null, null)));
  }

  private static Arguments row(String situation, ErrorKind kind, Answers a) {
    return Arguments.of(situation, kind, a);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("situations")
  void sameSituationSameClassOnEveryCloud(String situation, ErrorKind kind, Answers a) {
    List<String> ids = List.of("ins-aaaaaaaa");
    assertThat(TencentErrors.classify("TerminateInstances", a.tencentCode(), "m", "r", ids).kind())
        .as("tencentcloud " + a.tencentCode())
        .isEqualTo(kind);
    assertThat(
            VolcengineErrors.classify(
                    "DeleteInstances", a.volcengineHttp(), a.volcengineCode(), "m", "r", "i-x")
                .kind())
        .as("volcengine " + a.volcengineCode())
        .isEqualTo(kind);
    if (a.ucloudRetCode() != null) {
      assertThat(
              CompShareErrors.fromRetCode(
                      "StopCompShareInstance", a.ucloudRetCode(), a.ucloudMessage(), "r")
                  .kind())
          .as("ucloud-compshare " + a.ucloudRetCode() + " " + a.ucloudMessage())
          .isEqualTo(kind);
    }
  }
}
