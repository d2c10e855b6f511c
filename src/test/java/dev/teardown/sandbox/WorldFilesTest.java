package dev.teardown.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teardown.sim.WorldSpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorldFilesTest {

  private static WorldSpec parse(String yaml) throws WorldFiles.WorldFileException {
    return WorldFiles.parse(
        new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "w.yaml");
  }

  @Test
  void theBuiltInWorldLoadsAndCoversEveryCloud() {
    WorldSpec w = WorldFiles.loadDefault();
    assertThat(w.clouds).containsOnlyKeys("tencentcloud", "ucloud-compshare", "volcengine");
    assertThat(w.clouds.get("tencentcloud").instances)
        .extracting(i -> i.id)
        .contains("ins-irmer45l");
  }

  @Test
  void aGoodWorldParses() throws Exception {
    WorldSpec w =
        parse(
            """
        seed: 7
        clouds:
          volcengine:
            region: cn-beijing
            credentials: [{id: AK, secret: SK}]
            rateLimits: {DeleteInstances: 5}
            faults:
              - {action: DeleteInstances, type: ERROR, code: InternalError, times: 2}
            instances:
              - {id: i-abc12345678, state: RUNNING, chargeType: PostPaid}
            disks:
              - {id: vol-1, instanceId: i-abc12345678, chargeType: PostPaid, deleteWithInstance: true}
        """);
    assertThat(w.seed).isEqualTo(7);
    assertThat(w.clouds.get("volcengine").faults.get(0).times).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "misspelt field names line, column and path|clouds: {volcengine: {region: r, credentials: [{id: a, secret: b}], instances: [{id: i-1, chargeTyp: PostPaid}]}}|line 1, column|chargeTyp",
        "wrong type names the path|clouds: {volcengine: {region: r, credentials: [{id: a, secret: b}], instances: [{id: i-1, deletionProtection: maybe}]}}|clouds.volcengine.instances[0].deletionProtection|maybe",
        "unknown cloud|clouds: {aws: {region: us-east-1, credentials: [{id: a, secret: b}]}}|clouds.aws|unknown provider",
        "missing region|clouds: {volcengine: {credentials: [{id: a, secret: b}]}}|clouds.volcengine.region|required",
        "no credentials|clouds: {volcengine: {region: r}}|credentials|at least one",
        "disk of an unknown instance|clouds: {volcengine: {region: r, credentials: [{id: a, secret: b}], disks: [{id: v, instanceId: i-nope}]}}|disks[0].instanceId|no instance i-nope",
        "duplicate instance|clouds: {volcengine: {region: r, credentials: [{id: a, secret: b}], instances: [{id: i-1}, {id: i-1}]}}|instances[1].id|duplicate",
        "error fault without a code|clouds: {volcengine: {region: r, credentials: [{id: a, secret: b}], faults: [{action: X}]}}|faults[0].code|required",
        "probability out of range|clouds: {volcengine: {region: r, credentials: [{id: a, secret: b}], faults: [{code: X, probability: 2}]}}|probability|(0, 1]",
        "bad fault type|clouds: {volcengine: {region: r, credentials: [{id: a, secret: b}], faults: [{code: X, type: EXPLODE}]}}|faults[0].type|EXPLODE",
      })
  void aBadWorldSaysWhereAndWhat(String reason, String yaml, String where, String what) {
    assertThatThrownBy(() -> parse(yaml))
        .as(reason)
        .isInstanceOf(WorldFiles.WorldFileException.class)
        .hasMessageContaining("w.yaml")
        .hasMessageContaining(where)
        .hasMessageContaining(what);
  }
}
