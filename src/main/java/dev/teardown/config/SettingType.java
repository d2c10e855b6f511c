package dev.teardown.config;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The type of a setting: its name in the tables and how a value is read. A value that cannot be
 * read is an {@link IllegalArgumentException} naming the variable.
 *
 * @param name shown in the settings tables
 * @param parser reads a raw (trimmed) value for the variable it is given
 */
public record SettingType<T>(String name, Parser<T> parser) {

  /** Reads the value of one variable. */
  @FunctionalInterface
  public interface Parser<T> {
    T parse(String env, String raw);
  }

  public static final SettingType<String> STRING = new SettingType<>("string", (env, raw) -> raw);

  public static final SettingType<Boolean> BOOLEAN =
      new SettingType<>(
          "boolean",
          (env, raw) -> {
            String s = raw.toLowerCase(Locale.ROOT);
            if (s.equals("true") || s.equals("false")) {
              return Boolean.parseBoolean(s);
            }
            throw new IllegalArgumentException(env + " must be true or false, not '" + raw + "'");
          });

  public static final SettingType<Integer> INTEGER =
      new SettingType<>(
          "integer",
          (env, raw) -> {
            try {
              return Integer.parseInt(raw);
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException(
                  env + " must be a whole number, not '" + raw + "'");
            }
          });

  public static final SettingType<Duration> DURATION =
      new SettingType<>("duration", OperatorConfig::parseDuration);

  /** Comma-separated names; blanks are dropped. */
  public static final SettingType<Set<String>> LIST =
      new SettingType<>(
          "list",
          (env, raw) -> {
            Set<String> out = new LinkedHashSet<>();
            Arrays.stream(raw.split(","))
                .map(String::trim)
                .filter(x -> !x.isEmpty())
                .forEach(out::add);
            return Set.copyOf(out);
          });

  /**
   * An http(s) endpoint: scheme, host and port; "host" alone means https://host. Empty = no
   * override.
   */
  public static final SettingType<URI> URL =
      new SettingType<>(
          "url", (env, raw) -> raw.isEmpty() ? null : OperatorConfig.endpoint(env, raw, true));

  /** A Kubernetes label selector ({@link LabelSelector}), normalized; empty = everything. */
  public static final SettingType<String> LABEL_SELECTOR =
      new SettingType<>(
          "label selector",
          (env, raw) -> {
            try {
              return LabelSelector.parse(raw).toString();
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException(
                  env + " is not a label selector: " + e.getMessage());
            }
          });

  /** A share of a budget: a number above 0 and at most 1. */
  public static final SettingType<Double> SHARE =
      new SettingType<>(
          "share",
          (env, raw) -> {
            try {
              double d = Double.parseDouble(raw);
              if (d > 0 && d <= 1) {
                return d;
              }
            } catch (NumberFormatException e) {
              // reported below
            }
            throw new IllegalArgumentException(
                env + " must be a number above 0 and at most 1, not '" + raw + "'");
          });

  T parse(String env, String raw) {
    return parser.parse(env, raw);
  }
}
