package dev.teardown.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretValuesTest {

  @Test
  void printableAsciiWithoutWhitespaceIsValidAndAnythingElseIsNot() {
    assertThat(SecretValues.valid("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE")).isTrue();
    assertThat(SecretValues.valid("a+b/c=d!#$%&'()*,-.:;<>?@[\\]^_`{|}~\"")).isTrue();
    assertThat(SecretValues.valid("")).isTrue();
    assertThat(SecretValues.valid("abc def")).as("inner space").isFalse();
    assertThat(SecretValues.valid("abc\tdef")).as("tab").isFalse();
    assertThat(SecretValues.valid("abc\ndef")).as("line break").isFalse();
    assertThat(SecretValues.valid("tok\u00e9n")).as("pasted é").isFalse();
    assertThat(SecretValues.valid("tok\u200ben")).as("zero-width space").isFalse();
    assertThat(SecretValues.valid("tok\u00a0en")).as("no-break space").isFalse();
    assertThat(SecretValues.valid("tok\u007fen")).as("DEL").isFalse();
  }

  @Test
  void invalidKeysNamesTheKeysOnlyAndTheMessageCarriesNoValue() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("secretId", "AKIDgoodvalue123");
    values.put("token", "sess\u00e9ion-token-value");
    values.put("secretKey", "bad key with spaces");
    assertThat(SecretValues.invalidKeys(values)).containsExactly("secretKey", "token");
    String msg = SecretValues.problem("ns", "keys", SecretValues.invalidKeys(values));
    assertThat(msg)
        .contains("secretKey", "token", "ns/keys")
        .doesNotContain("sess", "spaces", "AKIDgood");
  }

  @Test
  void onlyTheKeysAnAdapterReadsAreChecked() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("secretId", "AKIDgoodvalue123");
    values.put("secretKey", "good-key");
    values.put("notes", "rotated by the platform team");
    values.put("sessionToken", "tok\u00e9n");
    assertThat(SecretValues.invalidKeys(values, java.util.List.of("secretId", "secretKey")))
        .containsExactly("sessionToken");
  }

  @Test
  void checkedValuesAreRememberedForRedaction() {
    SecretValues.invalidKeys(Map.of("secretKey", "Zq8#remembered-secret!"));
    assertThat(SafeText.clean("signing with Zq8#remembered-secret! failed"))
        .isEqualTo("signing with [redacted] failed");
  }
}
