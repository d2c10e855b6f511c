package dev.teardown.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.CloudProviderFactory;
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.config.OperatorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The per-service endpoint settings reach the adapter of their provider only, next to the single
 * override.
 */
class ConnectionCacheTest {

  @Test
  void serviceEndpointsFromTheSettingsReachTheirProvidersAdapter() throws Exception {
    OperatorConfig config =
        OperatorConfig.from(
            Map.of(
                    "TEARDOWN_TENCENTCLOUD_ENDPOINT", "http://127.0.0.1:9001",
                    "TEARDOWN_TENCENTCLOUD_CVM_ENDPOINT", "https://cvm.internal.example",
                    "TEARDOWN_TENCENTCLOUD_CBS_ENDPOINT", "https://cbs.internal.example")
                ::get);
    List<ConnectionSpec> seen = new ArrayList<>();
    try (ConnectionCache cache =
        new ConnectionCache(new SimpleMeterRegistry(), config.endpoints())) {
      cache.connect(
          factory(Provider.TENCENTCLOUD, seen),
          "ap-beijing",
          null,
          Map.of("secretId", "a"),
          config.endpoints().get("tencentcloud"),
          Duration.ofSeconds(1));
      cache.connect(
          factory(Provider.VOLCENGINE, seen),
          "cn-beijing",
          null,
          Map.of("accessKeyId", "a"),
          config.endpoints().get("volcengine"),
          Duration.ofSeconds(1));
    }
    assertThat(seen.get(0).endpoint()).isEqualTo(URI.create("http://127.0.0.1:9001"));
    assertThat(seen.get(0).endpointOf("cvm")).isEqualTo(URI.create("https://cvm.internal.example"));
    assertThat(seen.get(0).endpointOf("cbs")).isEqualTo(URI.create("https://cbs.internal.example"));
    assertThat(seen.get(1).serviceEndpoints()).isEmpty();
    assertThat(seen.get(1).endpointOf("ecs")).isNull();
  }

  private static CloudProviderFactory factory(Provider p, List<ConnectionSpec> seen) {
    return new CloudProviderFactory() {
      @Override
      public Provider provider() {
        return p;
      }

      @Override
      public List<String> requiredSecretKeys() {
        return List.of();
      }

      @Override
      public CloudProvider connect(ConnectionSpec spec) throws CloudException {
        seen.add(spec);
        return (CloudProvider)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {CloudProvider.class},
                (proxy, method, args) ->
                    method.getName().equals("requestsPerSecond") ? Map.of() : null);
      }
    };
  }
}
