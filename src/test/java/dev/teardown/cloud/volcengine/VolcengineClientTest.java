package dev.teardown.cloud.volcengine;

import static org.assertj.core.api.Assertions.assertThat;

import com.volcengine.ApiClient;
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.cloud.Credentials;
import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How the adapter configures the SDK client: no hidden retries, explicit timeouts, no proxy from
 * the environment.
 */
class VolcengineClientTest {

  static ConnectionSpec spec(URI endpoint, Duration timeout) {
    return new ConnectionSpec("cn-beijing", null, new Credentials(Map.of()), endpoint, timeout);
  }

  @Test
  void endpointOverrideIsPlainHttpWithTheGivenTimeoutsAndNoRetries() {
    VolcengineClient c =
        new VolcengineClient(
            spec(URI.create("http://127.0.0.1:18080"), Duration.ofMillis(1500)), "ak", "sk", null);
    ApiClient api = c.apiClient();

    assertThat(api.getEndpoint()).isEqualTo("127.0.0.1:18080");
    assertThat(api.getDisableSSL()).isTrue();
    assertThat(api.getRegion()).isEqualTo("cn-beijing");
    assertThat(api.getConnectTimeout()).isEqualTo(1500);
    assertThat(api.getReadTimeout()).isEqualTo(1500);
    assertThat(api.getWriteTimeout()).isEqualTo(1500);
    assertThat(api.isAutoRetry()).as("the operator's requeue is the only retry").isFalse();
    assertThat(api.getNumMaxRetries()).isZero();
    assertThat(api.getHttpClient().getProxy())
        .as("HTTP_PROXY from the environment is ignored")
        .isEqualTo(Proxy.NO_PROXY);
    assertThat(api.getHttpClient().getRetryOnConnectionFailure())
        .as("OkHttp never re-sends a request silently on a dropped connection")
        .isFalse();
    c.close();
  }

  @Test
  void withoutOverrideItUsesThePublicHttpsEndpointAndADefaultTimeout() {
    VolcengineClient c = new VolcengineClient(spec(null, null), "ak", "sk", "token");
    ApiClient api = c.apiClient();

    assertThat(api.getEndpoint()).isEqualTo("open.volcengineapi.com");
    assertThat(api.getDisableSSL()).isFalse();
    assertThat(api.getReadTimeout()).isEqualTo((int) VolcengineClient.DEFAULT_TIMEOUT.toMillis());
    assertThat(api.getCredentials().getSessionToken()).isEqualTo("token");
    c.close();
  }

  @Test
  void clientTokensStayWithinSixtyFourAsciiCharactersAndAreStable() {
    String uid = "cid-0d2b6f7e-8a53-4f6c-9b1e-4c7a1f2e3d4c-batch-0";
    assertThat(VolcengineProvider.clientToken(uid)).isEqualTo(uid);
    String longOne = uid + "-vol-3tzg6y5iml0ub9abcdef";
    assertThat(VolcengineProvider.clientToken(longOne))
        .hasSize(64)
        .startsWith("td-")
        .isEqualTo(VolcengineProvider.clientToken(longOne))
        .isNotEqualTo(VolcengineProvider.clientToken(longOne + "x"));
    assertThat(VolcengineProvider.clientToken(null)).isNull();
  }
}
