package dev.teardown.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes label selector: comma-separated requirements {@code k=v}, {@code k==v}, {@code
 * k!=v}, {@code k in (a,b)}, {@code k notin (a,b)}, {@code k}, {@code !k}. The operator hands it to
 * the API server (the informer lists and watches only matching deletions) and also checks it itself
 * on every event, so a shard never handles another shard's deletion even where the API ignores part
 * of a selector.
 */
public final class LabelSelector {
  private static final String KEY =
      "(?:[a-z0-9A-Z](?:[-a-z0-9A-Z_.]*[a-z0-9A-Z])?/)?[a-zA-Z0-9](?:[-a-zA-Z0-9_.]*[a-zA-Z0-9])?";
  private static final String VALUE = "(?:[a-zA-Z0-9](?:[-a-zA-Z0-9_.]*[a-zA-Z0-9])?)?";
  private static final Pattern EXISTS = Pattern.compile("\\s*(!?)\\s*(" + KEY + ")\\s*");
  private static final Pattern EQUALS =
      Pattern.compile("\\s*(" + KEY + ")\\s*(=|==|!=)\\s*(" + VALUE + ")\\s*");
  private static final Pattern SET =
      Pattern.compile(
          "\\s*("
              + KEY
              + ")\\s+(in|notin)\\s*\\(\\s*("
              + VALUE
              + "(?:\\s*,\\s*"
              + VALUE
              + ")*)\\s*\\)\\s*");

  private record Requirement(String key, String op, Set<String> values) {
    boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      return switch (op) {
        case "exists" -> v != null;
        case "!exists" -> v == null;
        case "=", "==", "in" -> v != null && values.contains(v);
        default -> v == null || !values.contains(v); // !=, notin
      };
    }
  }

  private final String text;
  private final List<Requirement> requirements;

  private LabelSelector(String text, List<Requirement> requirements) {
    this.text = text;
    this.requirements = requirements;
  }

  /**
   * Parses a selector; blank selects everything.
   *
   * @throws IllegalArgumentException naming the requirement that is not one
   */
  public static LabelSelector parse(String text) {
    String t = text == null ? "" : text.trim();
    List<Requirement> out = new ArrayList<>();
    if (t.isEmpty()) {
      return new LabelSelector("", out);
    }
    for (String part : split(t)) {
      Matcher m;
      if ((m = SET.matcher(part)).matches()) {
        Set<String> values = Set.copyOf(List.of(m.group(3).split("\\s*,\\s*")));
        out.add(new Requirement(m.group(1), m.group(2), values));
      } else if ((m = EQUALS.matcher(part)).matches()) {
        out.add(new Requirement(m.group(1), m.group(2), Set.of(m.group(3))));
      } else if ((m = EXISTS.matcher(part)).matches()) {
        out.add(new Requirement(m.group(2), m.group(1).isEmpty() ? "exists" : "!exists", Set.of()));
      } else {
        throw new IllegalArgumentException(
            "'"
                + part.trim()
                + "' is not a label requirement (use key=value,"
                + " key!=value, key in (a,b), key notin (a), key or !key, comma-separated)");
      }
    }
    return new LabelSelector(t, List.copyOf(out));
  }

  private static List<String> split(String t) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int from = 0;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      if (c == ',' && depth == 0) {
        parts.add(t.substring(from, i));
        from = i + 1;
      }
    }
    parts.add(t.substring(from));
    return parts;
  }

  public boolean matches(Map<String, String> labels) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    return requirements.stream().allMatch(r -> r.matches(l));
  }

  public boolean isEmpty() {
    return requirements.isEmpty();
  }

  @Override
  public String toString() {
    return text;
  }
}
