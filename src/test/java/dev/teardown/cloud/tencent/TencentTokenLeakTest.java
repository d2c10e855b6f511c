package dev.teardown.cloud.tencent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.cloud.Credentials;
import dev.teardown.cloud.SafeText;
import dev.teardown.sim.WorldSpec;
import dev.teardown.sim.tencent.TencentSimulator;
import java.time.Clock;
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
    WorldSpec.CloudWorld w = new WorldSpec.CloudWorld();
    w.region = "ap-beijing";
    w.credentials.add(new WorldSpec.KeyPair("AKIDleak", "leak-key"));
    String token = "sessTok\u00e9nValue42";
    try (TencentSimulator sim = new TencentSimulator(w, Clock.systemUTC(), 1, "127.0.0.1", 0)) {
      CloudProvider p =
          new TencentProviderFactory()
              .connect(
                  new ConnectionSpec(
                      "ap-beijing",
                      null,
                      new Credentials(
                          Map.of("secretId", "AKIDleak", "secretKey", "leak-key", "token", token)),
                      sim.endpoint(),
                      Duration.ofSeconds(2)));
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
