package dev.teardown.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The Prometheus text exposition format, parsed far enough for assertions: families, HELP, TYPE and
 * samples.
 */
record PromText(Map<String, String> help, Map<String, String> type, List<Sample> samples) {
  record Sample(String name, Map<String, String> labels, double value) {}

  static PromText parse(String text) {
    Map<String, String> help = new LinkedHashMap<>();
    Map<String, String> type = new LinkedHashMap<>();
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# HELP ")) {
        String[] p = line.substring(7).split(" ", 2);
        help.put(p[0], p.length > 1 ? p[1] : "");
      } else if (line.startsWith("# TYPE ")) {
        String[] p = line.substring(7).split(" ", 2);
        type.put(p[0], p[1]);
      } else if (!line.isBlank() && !line.startsWith("#")) {
        samples.add(sample(line));
      }
    }
    return new PromText(help, type, samples);
  }

  private static Sample sample(String line) {
    int brace = line.indexOf('{');
    int space = line.lastIndexOf(' ');
    Map<String, String> labels = new LinkedHashMap<>();
    String name;
    if (brace >= 0 && brace < space) {
      name = line.substring(0, brace);
      String body = line.substring(brace + 1, line.lastIndexOf('}'));
      int i = 0;
      while (i < body.length()) {
        int eq = body.indexOf('=', i);
        String key = body.substring(i, eq).trim();
        StringBuilder v = new StringBuilder();
        int j = eq + 2; // after ="
        while (body.charAt(j) != '"') {
          if (body.charAt(j) == '\\') {
            j++;
          }
          v.append(body.charAt(j++));
        }
        labels.put(key, v.toString());
        i = j + 1;
        if (i < body.length() && body.charAt(i) == ',') {
          i++;
        }
      }
    } else {
      name = line.substring(0, space);
    }
    return new Sample(name, labels, Double.parseDouble(line.substring(space + 1)));
  }

  /**
   * The family a sample belongs to (histogram and counter suffixes removed when the family is
   * declared).
   */
  String family(String sampleName) {
    for (String suffix : List.of("_bucket", "_count", "_sum", "_total", "_created", "_info")) {
      if (sampleName.endsWith(suffix)) {
        String base = sampleName.substring(0, sampleName.length() - suffix.length());
        if (type.containsKey(base)) {
          return base;
        }
      }
    }
    return sampleName;
  }

  /** Sum of the samples of one name whose labels include all the given ones. */
  double sum(String name, Map<String, String> labels) {
    return samples.stream()
        .filter(s -> s.name().equals(name))
        .filter(
            s ->
                labels.entrySet().stream()
                    .allMatch(e -> Objects.equals(s.labels().get(e.getKey()), e.getValue())))
        .mapToDouble(Sample::value)
        .sum();
  }

  List<Sample> matching(Predicate<Sample> p) {
    return samples.stream().filter(p).toList();
  }
}
