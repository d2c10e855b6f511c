package dev.teardown.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OperatorConfigTest {

  @Test
  void defaultsComeFromTheOneSettingsTable() {
    OperatorConfig c = OperatorConfig.defaults();
    assertThat(c.namespaces()).isEmpty();
    assertThat(c.leaderElection()).isFalse();
    assertThat(c.pollInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.retryMax()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.cloudTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.endpoints()).isEmpty();
    assertThat(OperatorConfig.SETTINGS)
        .extracting(Setting::env)
        .doesNotHaveDuplicates()
        .allMatch(e -> e.startsWith("TEARDOWN_"));
  }

  @Test
  void environmentOverridesParse() {
    Map<String, String> env =
        Map.of(
            "TEARDOWN_NAMESPACES", "ci, prod ,",
            "TEARDOWN_LEADER_ELECTION", "true",
            "TEARDOWN_POLL_INTERVAL", "750ms",
            "TEARDOWN_RETRY_MAX", "2m",
            "TEARDOWN_TENCENTCLOUD_ENDPOINT", "http://127.0.0.1:9001",
            "TEARDOWN_VOLCENGINE_ENDPOINT", "open.example.internal");
    OperatorConfig c = OperatorConfig.from(env::get);
    assertThat(c.namespaces()).containsExactlyInAnyOrder("ci", "prod");
    assertThat(c.leaderElection()).isTrue();
    assertThat(c.pollInterval()).isEqualTo(Duration.ofMillis(750));
    assertThat(c.retryMax()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.endpoints())
        .containsEntry("tencentcloud", URI.create("http://127.0.0.1:9001"))
        .containsEntry("volcengine", URI.create("https://open.example.internal"));
  }

  @ParameterizedTest(name = "{0}={1} is refused: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "TEARDOWN_LEADER_ELECTION|yes|must be true or false",
        "TEARDOWN_RECONCILE_THREADS|many|whole number",
        "TEARDOWN_POLL_INTERVAL|5 seconds|duration like",
        "TEARDOWN_UCLOUD_COMPSHARE_ENDPOINT|http://10.0.0.8:8080|plain http:// for a non-loopback host",
        "TEARDOWN_VOLCENGINE_ENDPOINT|ftp://127.0.0.1|http:// or https://",
      })
  void badValuesNameTheVariable(String env, String value, String fragment) {
    assertThatThrownBy(() -> OperatorConfig.from(Map.of(env, value)::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(env)
        .hasMessageContaining(fragment);
  }

  @Test
  void plainHttpToAnyHostNeedsAnExplicitOptIn() {
    OperatorConfig c =
        OperatorConfig.from(
            Map.of(
                    "TEARDOWN_UCLOUD_COMPSHARE_ENDPOINT", "http://10.0.0.8:8080",
                    "TEARDOWN_ALLOW_INSECURE_ENDPOINTS", "true")
                ::get);
    assertThat(c.endpoints().get("ucloud-compshare")).hasHost("10.0.0.8");
  }

  @ParameterizedTest(name = "{0} is loopback: {1}")
  @CsvSource({
    "http://127.0.0.1:123, true",
    "http://127.9.8.7, true",
    "http://[::1]:1, true",
    "http://[0:0:0:0:0:0:0:1]:8080, true",
    "http://[::ffff:127.0.0.1]:80, true",
    "http://localhost:1, true",
    "http://LOCALHOST:1, true",
    "http://127.attacker.example, false",
    "http://127.0.0.1.nip.io:80, false",
    "http://localhost.attacker.example, false",
    "http://0x7f000001, false",
    "http://[::2]:1, false",
    "http://10.0.0.1, false",
    "http://[fe80::1]:1, false",
  })
  void plainHttpIsAcceptedOnlyForLoopbackIpLiteralsAndLocalhost(String url, boolean loopback) {
    if (loopback) {
      assertThat(OperatorConfig.from(Map.of("TEARDOWN_VOLCENGINE_ENDPOINT", url)::get).endpoints())
          .containsEntry("volcengine", URI.create(url));
    } else {
      assertThatThrownBy(
              () -> OperatorConfig.from(Map.of("TEARDOWN_VOLCENGINE_ENDPOINT", url)::get))
          .hasMessageContaining("TEARDOWN_VOLCENGINE_ENDPOINT")
          .hasMessageContaining("non-loopback");
      assertThat(
              OperatorConfig.from(
                      Map.of("TEARDOWN_VOLCENGINE_ENDPOINT", url.replace("http:", "https:"))::get)
                  .endpoints())
          .containsKey("volcengine");
    }
  }

  @ParameterizedTest(name = "{0} is refused: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "http://127.0.0.1@attacker.example|user information",
        "https://user:pw@api.example|user information",
        "https://api.example/?x=1|without query",
        "https://exa mple.com|not a URL",
        "https://|not a URL",
        "http://127.1:80|no host",
        "http://127.0.0.256|no host",
      })
  void malformedOverridesAreRefused(String url, String fragment) {
    assertThatThrownBy(
            () -> OperatorConfig.from(Map.of("TEARDOWN_TENCENTCLOUD_CVM_ENDPOINT", url)::get))
        .hasMessageContaining("TEARDOWN_TENCENTCLOUD_CVM_ENDPOINT")
        .hasMessageContaining(fragment)
        .hasMessageNotContaining("pw");
  }

  @Test
  void tencentTakesSeparateCvmAndCbsEndpointsNextToTheSingleOne() {
    OperatorConfig c =
        OperatorConfig.from(
            Map.of(
                    "TEARDOWN_TENCENTCLOUD_ENDPOINT", "http://127.0.0.1:9001",
                    "TEARDOWN_TENCENTCLOUD_CVM_ENDPOINT",
                        "https://cvm.internal.tencentcloudapi.com",
                    "TEARDOWN_TENCENTCLOUD_CBS_ENDPOINT", "proxy.corp.example:8443")
                ::get);
    assertThat(c.endpoints())
        .containsEntry("tencentcloud", URI.create("http://127.0.0.1:9001"))
        .containsEntry("tencentcloud.cvm", URI.create("https://cvm.internal.tencentcloudapi.com"))
        .containsEntry("tencentcloud.cbs", URI.create("https://proxy.corp.example:8443"));
  }

  @Test
  void theReadmeSettingsTableIsTheDeclarations() throws Exception {
    String readme =
        java.nio.file.Files.readString(
            java.nio.file.Path.of(System.getProperty("basedir", ""))
                .toAbsolutePath()
                .resolve("README.md"));
    String header = "| variable | type | default | meaning |";
    int at = readme.indexOf(header);
    assertThat(at).as("README has the settings table").isNotNegative();
    String table =
        readme
            .substring(at)
            .lines()
            .takeWhile(l -> l.startsWith("|"))
            .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
    assertThat(table)
        .as(
            "README's settings table; regenerate with: java -jar target/teardown.jar settings --markdown")
        .isEqualTo(OperatorConfig.markdownTable());
  }

  @Test
  void eachValueInEffectKnowsWhereItCameFrom() {
    OperatorConfig c =
        OperatorConfig.from(Map.of("TEARDOWN_POLL_INTERVAL", " 750ms ")::get)
            .with(OperatorConfig.METRICS_PORT, 0);
    assertThat(c.valueOf(OperatorConfig.POLL_INTERVAL))
        .isEqualTo(
            new OperatorConfig.Value(Duration.ofMillis(750), "750ms", OperatorConfig.Source.ENV));
    assertThat(c.valueOf(OperatorConfig.RETRY_MAX))
        .isEqualTo(
            new OperatorConfig.Value(Duration.ofMinutes(5), "5m", OperatorConfig.Source.DEFAULT));
    assertThat(c.valueOf(OperatorConfig.METRICS_PORT).source())
        .isEqualTo(OperatorConfig.Source.CODE);
    assertThat(c.metricsPort()).isZero();
    // every declared setting is read and has a typed default
    for (Setting<?> s : OperatorConfig.SETTINGS) {
      assertThat(OperatorConfig.defaults().valueOf(s).source())
          .as(s.env())
          .isEqualTo(OperatorConfig.Source.DEFAULT);
      assertThat(s.description()).as(s.env()).endsWith(".");
    }
  }

  @Test
  void aCopyChangesOnlyWhatItSets() {
    OperatorConfig base =
        OperatorConfig.from(
            Map.of("TEARDOWN_NAMESPACES", "a,b", "TEARDOWN_STALL_AFTER", "1h")::get);
    OperatorConfig c =
        base.withTimings(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofSeconds(2))
            .withEndpoints(
                Map.of(
                    "tencentcloud",
                    URI.create("http://127.0.0.1:9"),
                    "tencentcloud.cvm",
                    URI.create("http://127.0.0.1:10")));
    assertThat(c.pollInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(c.retryBase()).isEqualTo(Duration.ofMillis(200));
    assertThat(c.retryMax()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.endpoints()).containsOnlyKeys("tencentcloud", "tencentcloud.cvm");
    assertThat(c.namespaces()).containsExactlyInAnyOrder("a", "b");
    assertThat(c.stallAfter()).isEqualTo(Duration.ofHours(1));
    assertThat(base.pollInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThatThrownBy(() -> base.withEndpoints(Map.of("aws", URI.create("https://x"))))
        .hasMessageContaining("no endpoint setting for 'aws'");
  }
}
