package dev.teardown.cloud.tencent;

import static org.assertj.core.api.Assertions.assertThat;

import com.tencentcloudapi.common.exception.TencentCloudSDKException;
import dev.teardown.cloud.CloudError;
import dev.teardown.cloud.ErrorKind;
import java.net.SocketTimeoutException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The classification table, one row per code with the reason it is classified that way. */
class TencentErrorsTest {

  @ParameterizedTest(name = "{0} -> {1}: {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      RequestLimitExceeded                              | THROTTLED | per-action QPS limit of the gateway
      RequestLimitExceeded.UinLimitExceeded             | THROTTLED | per-account limit, same family
      RequestLimitExceeded.GlobalRegionUinLimitExceeded | THROTTLED | unlisted member of the throttling family
      InternalError                                     | RETRYABLE | server fault
      InternalError.TradeUnknownError                   | RETRYABLE | billing backend fault during a return
      InternalError.SomethingNew                        | RETRYABLE | InternalError family by prefix
      InternalServerError                               | RETRYABLE | server fault (TerminateInstances list)
      ServerSideError                                   | RETRYABLE | SDK code for HTTP status other than 200
      ClientSideError                                   | RETRYABLE | no answer: network error or timeout
      OperationDenied.InstanceOperationInProgress       | RETRYABLE | another operation holds the instance
      MutexOperation.TaskRunning                        | RETRYABLE | the same task is already running
      ResourceBusy                                      | RETRYABLE | CBS resource busy
      InvalidDisk.Busy                                  | RETRYABLE | disk busy, documented 'try again later'
      ResourceInUse.DiskMigrating                       | RETRYABLE | disk migrating, finishes by itself
      TradeDealConflict                                 | RETRYABLE | concurrent order on the same resource
      UnsupportedOperation.InstanceStateTerminating     | RETRYABLE | a terminate is already in flight; observe again
      UnsupportedOperation.InstanceStateStopping        | RETRYABLE | transition, becomes terminable
      UnsupportedOperation.InstanceStatePending         | RETRYABLE | still launching
      AuthFailure.SignatureExpire                       | RETRYABLE | operator clock skew; must not abandon billed resources
      ResourceUnavailable.Attached                      | RETRYABLE | disk re-attached; the next reconcile detaches first
      FailedOperation                                   | RETRYABLE | generic server-side failure names no client cause
      InvalidInstanceId.NotFound                        | NOT_FOUND | instance gone: terminate is done
      InvalidDiskId.NotFound                            | NOT_FOUND | disk gone: release is done
      ResourceNotFound.NotFound                         | NOT_FOUND | ResourceNotFound family
      UnsupportedOperation.InstanceStateTerminated      | NOT_FOUND | already destroyed
      ResourceUnavailable.RepeatRefund                  | NOT_FOUND | disk already returned
      InvalidDisk.RepeatRefund                          | NOT_FOUND | disk already returned (older code)
      AuthFailure.SignatureFailure                      | CREDENTIALS | wrong secretKey
      AuthFailure.SecretIdNotFound                      | CREDENTIALS | secretId unknown or disabled
      AuthFailure.UnauthorizedOperation                 | CREDENTIALS | CAM policy missing
      UnauthorizedOperation.MFAExpired                  | CREDENTIALS | MFA cannot be provided by an operator
      AuthFailure.SomeNewCheck                          | CREDENTIALS | unknown member of the auth family: the keys
      UnsupportedOperation.InstancesProtected           | TERMINAL  | termination protection needs a person
      UnsupportedOperation.InstanceMixedPricingModel    | TERMINAL  | a batching bug, retrying the same call cannot help
      InvalidInstanceNotSupportedPrepaidInstance        | TERMINAL  | prepaid refund rules forbid it
      FailedOperation.Unreturnable                      | TERMINAL  | instance cannot be returned
      LimitExceeded.UserReturnQuota                     | TERMINAL  | return quota exhausted
      InvalidAccount.UnpaidOrder                        | TERMINAL  | account must pay first
      InvalidDisk.NotPortable                           | TERMINAL  | non-elastic disk goes only with its instance
      ResourceUnavailable.NotSupportRefund              | TERMINAL  | prepaid disk not returnable
      InvalidInstanceId.Malformed                       | TERMINAL  | bad id in the spec
      InvalidParameterValue.LimitExceeded               | TERMINAL  | a batch over the documented limit
      InvalidParameterValue.SomethingNew                | TERMINAL  | unknown parameter error is a client error
      MissingParameter                                  | TERMINAL  | request malformed
      InvalidAction                                     | TERMINAL  | wrong API
      UnsupportedRegion                                 | TERMINAL  | spec.region wrong
      SomethingBrandNew                                 | RETRYABLE | unknown, not clearly a client error: retry with backoff
      ResourceInsufficient.SomethingNew                 | RETRYABLE | unknown family: retry with backoff
      """)
  void classifies(String code, ErrorKind kind, String reason) {
    assertThat(TencentErrors.kindOf(code)).as(reason).isEqualTo(kind);
  }

  @ParameterizedTest(name = "{0}: {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      UnsupportedOperation.InstancesProtected | turn off termination protection | protection: say where to switch it off
      AuthFailure.SignatureFailure            | secretKey                       | bad signature: point at the key in the Secret
      AuthFailure.SecretIdNotFound            | secretId                        | unknown id: point at the id in the Secret
      LimitExceeded.UserReturnQuota           | quota                           | quota: say it is a quota
      InvalidParameterValue.SomethingNew      | fix the cause                   | unknown client error still says what to do
      """)
  void terminalMessagesTellAPersonWhatToDo(String code, String advice, String reason) {
    CloudError e =
        TencentErrors.classify("TerminateInstances", code, "cloud text", "req-1", List.of("ins-a"));
    assertThat(e.kind()).isIn(ErrorKind.TERMINAL, ErrorKind.CREDENTIALS);
    assertThat(e.message()).as(reason).contains(advice).contains("cloud text");
    assertThat(e.code()).isEqualTo(code);
    assertThat(e.requestId()).isEqualTo("req-1");
    assertThat(e.action()).isEqualTo("TerminateInstances");
  }

  @Test
  void sdkExceptionsWithoutACodeAreNetworkFailuresAndRetryable() {
    TencentCloudSDKException timeout =
        new TencentCloudSDKException("", new SocketTimeoutException("timeout"));
    CloudError e = TencentErrors.fromException("DescribeDisks", timeout, List.of("disk-a"));
    assertThat(e.kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(e.code()).isEqualTo("ClientSideError");
    assertThat(e.message()).contains("SocketTimeoutException");
    assertThat(e.requestId()).isNull();

    TencentCloudSDKException http =
        new TencentCloudSDKException("response code is 502, not 200", "", "ServerSideError");
    CloudError e2 = TencentErrors.fromException("DescribeDisks", http, List.of("disk-a"));
    assertThat(e2.kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(e2.requestId()).as("an empty request id is no request id").isNull();

    TencentCloudSDKException cloud =
        new TencentCloudSDKException("not found", "req-9", "InvalidDiskId.NotFound");
    CloudError e3 = TencentErrors.fromException("TerminateDisks", cloud, List.of("disk-a"));
    assertThat(e3.kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(e3.requestId()).isEqualTo("req-9");
    assertThat(e3.message()).isEqualTo("not found");
  }
}
