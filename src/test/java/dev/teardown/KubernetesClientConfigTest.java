package dev.teardown;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The operator's Kubernetes client speaks HTTP/1.1 unless the user asks for HTTP/2. */
class KubernetesClientConfigTest {

  @Test
  void http11ByDefault() {
    assertThat(TeardownOperator.kubernetesConfig(Map.of(), new Properties()).isHttp2Disable())
        .as("HTTP/2 on one JDK connection refuses requests past the server's stream limit")
        .isTrue();
  }

  @Test
  void anExplicitChoiceIsKept() {
    Properties p = new Properties();
    p.setProperty("kubernetes.http2.disable", "false");
    assertThat(TeardownOperator.kubernetesConfig(Map.of(), p).isHttp2Disable()).isFalse();
    assertThat(
            TeardownOperator.kubernetesConfig(
                    Map.of("KUBERNETES_HTTP2_DISABLE", "false"), new Properties())
                .isHttp2Disable())
        .as("only when fabric8 itself read it from the environment")
        .isEqualTo(Boolean.parseBoolean(System.getenv("KUBERNETES_HTTP2_DISABLE")));
  }
}
