package dev.teardown.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SafeTextTest {

  @Test
  void okHttpsQuotedHeaderValueIsRemoved() {
    String raw = "Unexpected char 0xe9 at 3 in X-TC-Token value: tok\u00e9n-abc123";
    assertThat(SafeText.clean(raw))
        .isEqualTo("Unexpected char 0xe9 at 3 in X-TC-Token value: [redacted]");
  }

  @Test
  void credentialAssignmentsAreRedactedWhateverTheirForm() {
    assertThat(SafeText.clean("bad request token=abc.def&x=1"))
        .isEqualTo("bad request token=[redacted]&x=1");
    assertThat(SafeText.clean("{\"SecretKey\":\"k1k2k3\",\"Region\":\"ap\"}"))
        .isEqualTo("{\"SecretKey\":\"[redacted]\",\"Region\":\"ap\"}");
    assertThat(SafeText.clean("sessionToken: s3ss!on")).isEqualTo("sessionToken: [redacted]");
    assertThat(
            SafeText.clean(
                "Authorization: TC3-HMAC-SHA256 Credential=AKID/2024/cvm, Signature=0abc"))
        .doesNotContain("AKID", "0abc");
    assertThat(SafeText.clean("PrivateKey=pk-123 PublicKey=pub-456"))
        .doesNotContain("pk-123", "pub-456");
  }

  @Test
  void longOpaqueRunsAreRedactedButIdsAndRequestIdsStay() {
    String sig = "a".repeat(20) + "B9+/" + "c".repeat(30);
    assertThat(SafeText.clean("sig " + sig + " end")).isEqualTo("sig [redacted] end");
    String text = "instance ins-abc12345 request 9f0a7c9e-1b2c-4d5e-8f90-123456789abc";
    assertThat(SafeText.clean(text)).isEqualTo(text);
    String name = "deletion retire-runner-7-of-the-production-cluster-west-2 in ci";
    assertThat(SafeText.clean(name)).isEqualTo(name);
    assertThat(SafeText.clean("key AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE0123 end"))
        .isEqualTo("key [redacted] end");
  }

  @Test
  void controlCharactersAreStrippedAndLengthIsBounded() {
    assertThat(SafeText.clean("line1\nline2\r\u0007\u200bend")).isEqualTo("line1 line2 end");
    String longText = "word ".repeat(500);
    assertThat(SafeText.clean(longText)).hasSizeLessThanOrEqualTo(SafeText.MAX_LENGTH);
    assertThat(SafeText.clean(null)).isNull();
  }

  @Test
  void codesKeepOnlyCodeCharacters() {
    assertThat(SafeText.code("AuthFailure.SignatureFailure"))
        .isEqualTo("AuthFailure.SignatureFailure");
    assertThat(SafeText.code("Bad\ncode <x>")).isEqualTo("Bad_code__x_");
    assertThat(SafeText.code("x".repeat(300))).hasSize(128);
  }

  @Test
  void everyCloudErrorIsSanitizedWhereItIsMade() {
    CloudError e =
        new CloudError(
            ErrorKind.RETRYABLE,
            "Internal\tError",
            "Unexpected char 0x0a at 5 in X-Security-Token value: abc\ndef",
            "rid\n1",
            "Describe",
            Duration.ZERO);
    assertThat(e.code()).isEqualTo("Internal_Error");
    assertThat(e.message()).doesNotContain("abc", "def", "\n");
    assertThat(e.requestId()).isEqualTo("rid_1");
    assertThat(new CloudException(e).getMessage()).doesNotContain("abc");
  }
}
