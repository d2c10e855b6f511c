package dev.teardown.sandbox;

import dev.teardown.api.v1alpha1.Phase;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/** The sandbox's tables: columns as wide as their widest cell, ages as kubectl shows them. */
final class Tables {
  /** The widest phase a live table can show. */
  static final int PHASE_WIDTH =
      Arrays.stream(Phase.values()).mapToInt(p -> p.name().length()).max().orElse(5);

  /**
   * Room for the disks column of a live table ("12/12, 3 kept"); a wider value pushes only its own
   * row.
   */
  static final int DISKS_WIDTH = 13;

  static final List<String> LIVE_HEADER =
      List.of("NAME", "PROVIDER", "INSTANCES", "PHASE", "DISKS", "AGE");

  private Tables() {}

  /** The width of a column: its header or its widest value. */
  static int width(String header, Collection<String> values) {
    return Math.max(header.length(), values.stream().mapToInt(String::length).max().orElse(0));
  }

  /**
   * One line: each cell padded to its width and three spaces apart; the last cell is not padded.
   */
  static String row(int[] widths, List<String> cells) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i) == null ? "" : cells.get(i);
      if (i == cells.size() - 1) {
        b.append(c);
      } else {
        b.append(c).append(" ".repeat(Math.max(0, widths[i] - c.length()))).append("   ");
      }
    }
    return b.toString().stripTrailing();
  }

  /** The widths of a live table whose rows have these names and providers. */
  static int[] liveWidths(Collection<String> names, Collection<String> providers) {
    return new int[] {
      width("NAME", names),
      width("PROVIDER", providers),
      "INSTANCES".length(),
      Math.max(PHASE_WIDTH, "(deleted)".length()),
      DISKS_WIDTH,
      3
    };
  }

  /** A resource's age as kubectl prints it (45s, 3m12s, 2h5m, 3d4h); "" without a creation time. */
  static String age(String creationTimestamp, Instant now) {
    if (creationTimestamp == null) {
      return "";
    }
    try {
      return age(Duration.between(Instant.parse(creationTimestamp), now));
    } catch (DateTimeParseException e) {
      return "";
    }
  }

  static String age(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m" + (s % 60 == 0 || s >= 600 ? "" : s % 60 + "s");
    }
    if (s < 86400) {
      return s / 3600 + "h" + (s % 3600 / 60 == 0 ? "" : s % 3600 / 60 + "m");
    }
    return s / 86400 + "d" + (s % 86400 / 3600 == 0 ? "" : s % 86400 / 3600 + "h");
  }
}
