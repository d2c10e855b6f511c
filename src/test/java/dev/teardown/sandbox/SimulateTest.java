package dev.teardown.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teardown.TeardownCli;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.CloudProviderFactory;
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.cloud.Credentials;
import dev.teardown.cloud.InstancePhase;
import dev.teardown.controller.ProviderRegistry;
import dev.teardown.sim.CloudSimulator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code simulate}: the simulators of a world file, their printed settings, and GET /_sim/state of
 * each.
 */
class SimulateTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** provider, region, zone, instance, disk, key id, key secret */
  private static final List<List<String>> CLOUDS =
      List.of(
          List.of(
              "tencentcloud",
              "ap-guangzhou",
              "ap-guangzhou-3",
              "ins-simt0001",
              "disk-simt0001",
              "AKIDsimulateTest00000000000000000000",
              "simulate-tencent-secret"),
          List.of(
              "ucloud-compshare",
              "cn-wlcb",
              "cn-wlcb-01",
              "uhost-simt0001",
              "bs-simt0001",
              "simulate-compshare-public",
              "simulate-compshare-private"),
          List.of(
              "volcengine",
              "cn-shanghai",
              "cn-shanghai-a",
              "i-simt00000001",
              "vol-simt0001",
              "AKLTsimulateTest000000000000000",
              "simulate-volc-secret"));

  @TempDir Path dir;
  private Map<String, CloudSimulator> sims = Map.of();

  @AfterEach
  void stop() {
    sims.values().forEach(CloudSimulator::close);
  }

  private Path world() throws Exception {
    StringBuilder w = new StringBuilder("seed: 7\nclouds:\n");
    for (List<String> c : CLOUDS) {
      String state = c.get(0).equals("ucloud-compshare") ? "Running" : "RUNNING";
      String charge =
          switch (c.get(0)) {
            case "tencentcloud" -> "POSTPAID_BY_HOUR";
            case "ucloud-compshare" -> "Dynamic";
            default -> "PostPaid";
          };
      w.append("  ")
          .append(c.get(0))
          .append(":\n")
          .append("    region: ")
          .append(c.get(1))
          .append('\n')
          .append("    credentials: [{id: ")
          .append(c.get(5))
          .append(", secret: ")
          .append(c.get(6))
          .append("}]\n")
          .append("    instances: [{id: ")
          .append(c.get(3))
          .append(", zone: ")
          .append(c.get(2))
          .append(", state: ")
          .append(state)
          .append(", chargeType: ")
          .append(charge)
          .append("}]\n")
          .append("    disks: [{id: ")
          .append(c.get(4))
          .append(", instanceId: ")
          .append(c.get(3))
          .append(", chargeType: ")
          .append(charge)
          .append("}]\n");
    }
    Path f = dir.resolve("world.yaml");
    Files.writeString(f, w.toString());
    return f;
  }

  private static JsonNode state(CloudSimulator sim) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(sim.endpoint() + "/_sim/state"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("json");
    return JSON.readTree(r.body());
  }

  @Test
  void servesEachCloudOfTheWorldPrintsItsSettingsAndShowsWorldAndLedgerAsJson() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    sims =
        Simulate.start(world(), "127.0.0.1", 0, new PrintStream(buf, true, StandardCharsets.UTF_8));
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(sims.keySet()).containsExactly("tencentcloud", "ucloud-compshare", "volcengine");
    assertThat(out)
        .contains("export TEARDOWN_TENCENTCLOUD_ENDPOINT=" + sims.get("tencentcloud").endpoint())
        .contains(
            "export TEARDOWN_UCLOUD_COMPSHARE_ENDPOINT=" + sims.get("ucloud-compshare").endpoint())
        .contains("export TEARDOWN_VOLCENGINE_ENDPOINT=" + sims.get("volcengine").endpoint())
        .contains(sims.get("volcengine").endpoint() + "/_sim/state");

    ProviderRegistry registry = ProviderRegistry.discover();
    for (List<String> c : CLOUDS) {
      CloudSimulator sim = sims.get(c.get(0));
      JsonNode before = state(sim);
      assertThat(before.get("provider").asText()).isEqualTo(c.get(0));
      assertThat(before.get("world").findValuesAsText("id"))
          .as(c.get(0))
          .contains(c.get(3), c.get(4));
      assertThat(before.get("ledger")).as(c.get(0)).isEmpty();

      // the printed endpoint is what the operator's adapter would use: one signed describe through
      // the real SDK
      CloudProviderFactory factory = registry.get(Provider.fromValue(c.get(0))).orElseThrow();
      List<String> keys = factory.requiredSecretKeys();
      CloudProvider cloud =
          factory.connect(
              new ConnectionSpec(
                  c.get(1),
                  c.get(2),
                  new Credentials(Map.of(keys.get(0), c.get(5), keys.get(1), c.get(6))),
                  sim.endpoint(),
                  Duration.ofSeconds(5)));
      Map<String, CloudInstance> found = cloud.describeInstances(List.of(c.get(3)));
      assertThat(found.get(c.get(3)).phase()).as(c.get(0)).isEqualTo(InstancePhase.RUNNING);

      JsonNode after = state(sim);
      assertThat(after.get("ledger")).as(c.get(0)).isNotEmpty();
      JsonNode call = after.get("ledger").get(after.get("ledger").size() - 1);
      assertThat(call.get("action").asText()).as(c.get(0)).startsWith("Describe");
      assertThat(call.get("outcome").asText()).as(c.get(0)).isEqualTo("OK");
      assertThat(call.get("effective").asBoolean()).as(c.get(0)).isFalse();
      assertThat(JSON.convertValue(call.get("ids"), List.class)).as(c.get(0)).contains(c.get(3));
    }
  }

  @Test
  void refusesABadCommandLineWithAMessageAndExitCode2() {
    assertThat(TeardownCli.run("simulate", "--port-base"))
        .satisfies(
            r -> {
              assertThat(r.code()).isEqualTo(2);
              assertThat(r.err()).contains("Missing required parameter for option '--port-base'");
            });
    assertThat(TeardownCli.run("simulate", "--port-base", "x1"))
        .satisfies(
            r -> {
              assertThat(r.code()).isEqualTo(2);
              assertThat(r.err())
                  .contains("Invalid value for option '--port-base': 'x1' is not an int");
            });
    assertThat(TeardownCli.run("simulate", "--colour", "red"))
        .satisfies(
            r -> {
              assertThat(r.code()).isEqualTo(2);
              assertThat(r.err()).contains("Unknown options: '--colour', 'red'");
            });
    assertThat(TeardownCli.run("simulate", "--world", dir.resolve("missing.yaml").toString()))
        .satisfies(
            r -> {
              assertThat(r.code()).isEqualTo(2);
              assertThat(r.err()).contains("missing.yaml").doesNotContain("\tat ");
            });
  }
}
