package dev.teardown;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * Runs deploy/argocd/health.lua, the Argo CD health check, in a Lua engine on statuses recorded
 * from sandbox runs (deploy/argocd/testdata), the way Argo CD runs it: the resource as the global
 * {@code obj}, a table with {@code status} and {@code message} returned.
 */
class ArgoHealthCheckTest {
  private static final Path ARGO =
      Path.of(System.getProperty("basedir", ""))
          .toAbsolutePath()
          .resolve("deploy")
          .resolve("argocd");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  record Health(String status, String message) {}

  static Health health(JsonNode resource) throws IOException {
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", lua(resource));
    LuaValue result =
        globals.load(Files.readString(ARGO.resolve("health.lua")), "health.lua").call();
    return new Health(result.get("status").tojstring(), result.get("message").optjstring(null));
  }

  /**
   * JSON to Lua as Argo CD converts it: objects and arrays become tables (arrays 1-based), null is
   * absent.
   */
  static LuaValue lua(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return LuaValue.NIL;
    }
    if (n.isObject()) {
      LuaTable t = new LuaTable();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        t.set(e.getKey(), lua(e.getValue()));
      }
      return t;
    }
    if (n.isArray()) {
      LuaTable t = new LuaTable();
      for (int i = 0; i < n.size(); i++) {
        t.set(i + 1, lua(n.get(i)));
      }
      return t;
    }
    if (n.isBoolean()) {
      return LuaValue.valueOf(n.booleanValue());
    }
    if (n.isIntegralNumber()) {
      return LuaValue.valueOf(n.longValue());
    }
    if (n.isNumber()) {
      return LuaValue.valueOf(n.doubleValue());
    }
    return LuaValue.valueOf(n.asText());
  }

  @TestFactory
  Stream<DynamicTest> everyRecordedStatusHasItsExpectedHealth() throws IOException {
    JsonNode tests = YAML.readTree(ARGO.resolve("health_test.yaml").toFile()).path("tests");
    assertThat(tests.size()).isGreaterThanOrEqualTo(10);
    List<DynamicTest> cases = new ArrayList<>();
    for (JsonNode t : tests) {
      String input = t.path("inputPath").asText();
      Health expected =
          new Health(
              t.path("healthStatus").path("status").asText(),
              t.path("healthStatus").path("message").asText());
      cases.add(
          DynamicTest.dynamicTest(
              input + " -> " + expected.status(),
              () -> {
                JsonNode resource = YAML.readTree(ARGO.resolve(input).toFile());
                assertThat(health(resource)).isEqualTo(expected);
              }));
    }
    return cases.stream();
  }

  @Test
  void everyHealthArgoKnowsIsCoveredAndEveryTestdataFileIsUsed() throws IOException {
    JsonNode tests = YAML.readTree(ARGO.resolve("health_test.yaml").toFile()).path("tests");
    List<String> statuses = new ArrayList<>();
    List<String> inputs = new ArrayList<>();
    tests.forEach(
        t -> {
          statuses.add(t.path("healthStatus").path("status").asText());
          inputs.add(t.path("inputPath").asText());
        });
    assertThat(statuses).contains("Progressing", "Healthy", "Degraded", "Suspended");
    try (Stream<Path> files = Files.list(ARGO.resolve("testdata"))) {
      assertThat(files.map(p -> "testdata/" + p.getFileName()))
          .containsExactlyInAnyOrderElementsOf(inputs);
    }
  }

  @Test
  void failedWinsOverPausedAndAnEmptyStatusIsProgressing() throws IOException {
    JsonNode failedPaused =
        YAML.readTree(
            """
        metadata: {generation: 1}
        status:
          phase: Failed
          observedGeneration: 1
          message: "AuthFailure: bad keys"
          conditions: [{type: Paused, status: "True", message: paused}]
        """);
    assertThat(health(failedPaused)).isEqualTo(new Health("Degraded", "AuthFailure: bad keys"));
    assertThat(health(YAML.readTree("status: {}")).status()).isEqualTo("Progressing");
    JsonNode unobserved = YAML.readTree("{metadata: {generation: 3}, status: {phase: Done}}");
    assertThat(health(unobserved))
        .isEqualTo(new Health("Progressing", "Waiting for the operator to observe generation 3"));
  }

  @Test
  void theArgocdCmSnippetCarriesTheLuaVerbatim() throws IOException {
    JsonNode cm = YAML.readTree(ARGO.resolve("argocd-cm.yaml").toFile());
    assertThat(cm.path("kind").asText()).isEqualTo("ConfigMap");
    assertThat(cm.path("metadata").path("name").asText()).isEqualTo("argocd-cm");
    String key = "resource.customizations.health.teardown.dev_CloudInstanceDeletion";
    assertThat(cm.path("data").path(key).asText())
        .isEqualTo(Files.readString(ARGO.resolve("health.lua")));
  }

  @Test
  void theLuaStaysWithinLua51AsArgoRunsIt() throws IOException {
    String lua = Files.readString(ARGO.resolve("health.lua"));
    // gopher-lua is Lua 5.1: no goto/labels, no bitwise or integer-division operators, no utf8
    // library
    assertThat(lua).doesNotContain("goto ", "::", "//", "utf8.", "<<", ">>");
  }
}
