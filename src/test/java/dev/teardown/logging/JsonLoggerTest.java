package dev.teardown.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;

/**
 * The JSON log format: one object per line with time, level, logger, message, and the resource of a
 * reconcile.
 */
class JsonLoggerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aLineIsOneObjectWithTheResourceOfTheReconcile() throws Exception {
    String line =
        JsonLogger.line(
            Instant.parse("2026-01-01T10:00:00Z"),
            Level.INFO,
            "dev.teardown.x",
            "ns/a Pending -> Terminating: \"quoted\"\nsecond line",
            Map.of("resource.namespace", "ns", "resource.name", "a"),
            List.of(new KeyValuePair("requestId", "r-1")),
            null);
    assertThat(line).doesNotContain("\n");
    JsonNode n = JSON.readTree(line);
    assertThat(n.path("time").asText()).isEqualTo("2026-01-01T10:00:00Z");
    assertThat(n.path("level").asText()).isEqualTo("INFO");
    assertThat(n.path("logger").asText()).isEqualTo("dev.teardown.x");
    assertThat(n.path("message").asText())
        .isEqualTo("ns/a Pending -> Terminating: \"quoted\"\nsecond line");
    assertThat(n.path("namespace").asText()).isEqualTo("ns");
    assertThat(n.path("name").asText()).isEqualTo("a");
    assertThat(n.path("requestId").asText()).isEqualTo("r-1");
  }

  @Test
  void aThrowableIsKeptInTheSameLine() throws Exception {
    String line =
        JsonLogger.line(
            Instant.now(),
            Level.WARN,
            "x",
            "failed",
            null,
            List.of(),
            new IllegalStateException("boom"));
    assertThat(line.lines()).hasSize(1);
    JsonNode n = JSON.readTree(line);
    assertThat(n.path("error").asText()).isEqualTo("java.lang.IllegalStateException: boom");
    assertThat(n.path("stack").asText()).contains("JsonLoggerTest");
  }

  @Test
  void levelsFollowTheSimpleLoggerSettings() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    JsonLogger quiet =
        new JsonLogger("q", Level.WARN, new PrintStream(buf, true, StandardCharsets.UTF_8));
    quiet.info("not shown {}", 1);
    quiet.warn("shown {}", 2);
    assertThat(buf.toString(StandardCharsets.UTF_8).lines())
        .singleElement()
        .satisfies(l -> assertThat(l).contains("\"message\":\"shown 2\""));
    assertThat(LogLevels.parse("off")).isNull();
    assertThat(LogLevels.parse("debug")).isEqualTo(Level.DEBUG);
  }

  @Test
  void theFormatIsTextOrJson() {
    assertThat(LogFormat.parse(null)).isEqualTo(LogFormat.text);
    assertThat(LogFormat.parse("JSON")).isEqualTo(LogFormat.json);
    assertThatThrownBy(() -> LogFormat.parse("xml"))
        .hasMessage("'xml' is not a log format (text, json)");
  }
}
