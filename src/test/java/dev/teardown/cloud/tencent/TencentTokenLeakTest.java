package dev.teardown.cloud.tencent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.SafeText;
import dev.teardown.testing.SimCloud;
import dev.teardown.testing.TestWorld;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Behind the check when the Secret is read: a token with a pasted non-ASCII character that reaches
 * the HTTP client anyway makes OkHttp refuse the header with a message that quotes the value.
 * Whatever the adapter turns that into (a CloudError, or an unexpected exception the reconciler
 * describes), the value does not come out.
 */
class TencentTokenLeakTest {

  @Test
  void okHttpsHeaderErrorDoesNotCarryTheTokenOut() throws Exception {
    TestWorld w =
        TestWorld.of(Provider.TENCENTCLOUD)
            .region("ap-beijing")
            .keys("AKIDleak", "leak-key")
            .noTimings()
            .seed(1);
    String token = "sessTok\u00e9nValue42";
    try (SimCloud sim = w.start()) {
      Map<String, String> secret = w.secret();
      secret.put("token", token);
      CloudProvider p = sim.connect(secret, Duration.ofSeconds(2));
      String seen;
      try {
        p.describeInstances(List.of("ins-leak0001"));
        seen = "no error";
      } catch (CloudException e) {
        seen = e.getMessage() + " | " + e.error().message();
      } catch (RuntimeException e) {
        seen = SafeText.describe(e); // what the reconciler writes for an unexpected exception
      }
      assertThat(seen).isNotEqualTo("no error").doesNotContain("sessTok", "nValue42", token);
      System.out.println("TencentTokenLeakTest: " + seen);
    }
  }
}
