package dev.teardown.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.Provider;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sandbox's tables: columns fit their widest cell; AGE is each resource's own age. */
class TablesTest {
  @Test
  void theSummaryColumnsFitTheirWidestCellAndStayAligned() {
    String longName = "a-deletion-with-a-name-much-longer-than-twenty-eight-characters";
    List<Sandbox.Row> rows =
        List.of(
            new Sandbox.Row("short", "tencentcloud", "Done", "Done", 1234, 12, List.of(), ""),
            new Sandbox.Row(
                longName,
                "ucloud-compshare",
                "Failed",
                "AwaitingShutdown (timed out)",
                98765,
                1234,
                List.of("bsm-1", "bsm-2"),
                "still waiting"));
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Sandbox.print(rows, new PrintStream(buf, true, StandardCharsets.UTF_8));
    List<String> lines =
        buf.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).hasSize(3);
    // every column starts at the same offset on every line, however long the name or the phase
    for (String column :
        List.of("PROVIDER", "EXPECTED", "PHASE", "DURATION", "API-CALLS", "ORPHANED", "RESULT")) {
      int at = lines.get(0).indexOf(column);
      assertThat(lines.get(1).charAt(at - 1)).as(column).isEqualTo(' ');
      assertThat(lines.get(1).charAt(at)).as(column).isNotEqualTo(' ');
      assertThat(lines.get(2).charAt(at - 1)).as(column).isEqualTo(' ');
      assertThat(lines.get(2).charAt(at)).as(column).isNotEqualTo(' ');
    }
    assertThat(lines.get(2))
        .startsWith(longName + "   ucloud-compshare")
        .contains(
            "AwaitingShutdown (timed out)   98.8s", "bsm-1,bsm-2   UNEXPECTED: still waiting");
  }

  @Test
  void theLiveTableShowsEachResourcesOwnAge() {
    Instant now = Instant.parse("2026-01-01T12:00:00Z");
    CloudInstanceDeletion old =
        deletion("created-long-ago", now.minus(Duration.ofMinutes(5).plusSeconds(7)));
    CloudInstanceDeletion fresh = deletion("fresh", now.minusSeconds(3));
    int[] widths = Tables.liveWidths(List.of("created-long-ago", "fresh"), List.of("tencentcloud"));
    assertThat(Sandbox.liveRow(widths, old, "Terminating", "0/2", now))
        .endsWith("5m7s")
        .startsWith("created-long-ago   tencentcloud   1");
    assertThat(Sandbox.liveRow(widths, fresh, "Done", "2/2", now)).endsWith("3s");
    assertThat(Sandbox.liveRow(widths, old, "Done", "2/2", now).indexOf("Done"))
        .isEqualTo(Tables.row(widths, Tables.LIVE_HEADER).indexOf("PHASE"));
  }

  @Test
  void agesReadLikeKubectls() {
    assertThat(Tables.age(Duration.ofSeconds(45))).isEqualTo("45s");
    assertThat(Tables.age(Duration.ofSeconds(192))).isEqualTo("3m12s");
    assertThat(Tables.age(Duration.ofMinutes(15))).isEqualTo("15m");
    assertThat(Tables.age(Duration.ofMinutes(125))).isEqualTo("2h5m");
    assertThat(Tables.age(Duration.ofHours(76))).isEqualTo("3d4h");
    assertThat(Tables.age(null, Instant.now())).isEmpty();
  }

  private static CloudInstanceDeletion deletion(String name, Instant created) {
    CloudInstanceDeletion d = new CloudInstanceDeletion();
    d.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace("default")
            .withCreationTimestamp(created.toString())
            .build());
    CloudInstanceDeletionSpec s = new CloudInstanceDeletionSpec();
    s.setProvider(Provider.TENCENTCLOUD);
    s.setInstanceIds(List.of("ins-1"));
    d.setSpec(s);
    return d;
  }
}
