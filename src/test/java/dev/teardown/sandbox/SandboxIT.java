package dev.teardown.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox command end to end, in process: exit codes and the JSON summary. */
class SandboxIT {
  @TempDir Path dir;

  private static final String WORLD =
      """
      clouds:
        volcengine:
          region: cn-beijing
          credentials: [{id: AKLTtest, secret: test-secret}]
          timingsMs: {terminate: 150, detach: 100, release: 100}
          instances:
            - {id: i-sbx00000001, state: RUNNING, chargeType: PostPaid}
            - {id: i-sbx00000002, state: RUNNING, chargeType: PrePaid}
          disks:
            - {id: vol-sbx1, instanceId: i-sbx00000001, chargeType: PostPaid, deleteWithInstance: false}
      """;

  private static String deletion(String name, String id, String expect) {
    return """
        apiVersion: teardown.dev/v1alpha1
        kind: CloudInstanceDeletion
        metadata:
          name: %s
          namespace: default%s
        spec:
          provider: volcengine
          region: cn-beijing
          instanceIds: [%s]
          credentialsSecretRef: {name: volc}
        """
        .formatted(
            name,
            expect == null ? "" : "\n  annotations: {teardown.dev/expected-phase: " + expect + "}",
            id);
  }

  private int run(String manifests, Path json, StringBuilder output) throws Exception {
    Path world = dir.resolve("world.yaml");
    Files.writeString(world, WORLD);
    Path apply = dir.resolve("apply.yaml");
    Files.writeString(apply, manifests);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code =
        Sandbox.run(
            new Sandbox.Options(world, apply, json, Duration.ofSeconds(40), false, true, 0, 0),
            new PrintStream(buf, true, StandardCharsets.UTF_8));
    output.append(buf.toString(StandardCharsets.UTF_8));
    return code;
  }

  @Test
  void exitsZeroWhenEveryDeletionEndsAsExpectedAndWritesJson() throws Exception {
    Path json = dir.resolve("summary.json");
    StringBuilder out = new StringBuilder();
    int code =
        run(
            deletion("web", "i-sbx00000001", null)
                + "---\n"
                + deletion("prepaid", "i-sbx00000002", "Failed"),
            json,
            out);
    assertThat(code).as(out.toString()).isZero();
    assertThat(out).contains("sandbox: OK");
    JsonNode doc = new ObjectMapper().readTree(json.toFile());
    assertThat(doc.get("ok").asBoolean()).isTrue();
    assertThat(doc.get("deletions")).hasSize(2);
    assertThat(doc.get("deletions").get(0).get("phase").asText()).isEqualTo("Done");
    assertThat(doc.get("deletions").get(0).get("orphanedDisks")).isEmpty();
    assertThat(doc.get("deletions").get(1).get("phase").asText()).isEqualTo("Failed");
  }

  @Test
  void exitsOneWhenADeletionMissesItsExpectedPhase() throws Exception {
    StringBuilder out = new StringBuilder();
    int code = run(deletion("prepaid", "i-sbx00000002", null), null, out);
    assertThat(code).as(out.toString()).isEqualTo(1);
    assertThat(out).contains("UNEXPECTED").contains("FAILED");
  }

  @Test
  void exitsTwoOnABadWorldFile() throws Exception {
    Path world = dir.resolve("bad.yaml");
    Files.writeString(
        world,
        "clouds: {volcengine: {region: r, credentials: [{id: a, secret: b}], instances: [{id: i-1, colour: red}]}}\n");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code =
        Sandbox.run(
            new Sandbox.Options(world, null, null, Duration.ofSeconds(5), false, true, 0, 0),
            new PrintStream(buf, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(buf.toString(StandardCharsets.UTF_8)).contains("bad.yaml line 1").contains("colour");
  }
}
