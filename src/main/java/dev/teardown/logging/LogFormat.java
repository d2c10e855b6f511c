package dev.teardown.logging;

import java.util.Locale;

/**
 * The log format, {@code text} (slf4j-simple) or {@code json} ({@link JsonLogProvider}); from
 * {@code --log-format} or {@code TEARDOWN_LOG_FORMAT}. It must be applied before the first logger
 * is made.
 */
public enum LogFormat {
  text,
  json;

  public static final String ENV = "TEARDOWN_LOG_FORMAT";

  /**
   * Parses a value of {@code --log-format} or {@code TEARDOWN_LOG_FORMAT}; null or blank is text.
   */
  public static LogFormat parse(String value) {
    if (value == null || value.isBlank()) {
      return text;
    }
    try {
      return valueOf(value.trim().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + value + "' is not a log format (text, json)");
    }
  }

  /**
   * Selects this format's SLF4J provider, unless one was chosen explicitly with -Dslf4j.provider.
   */
  public void apply() {
    if (this == json && System.getProperty("slf4j.provider") == null) {
      System.setProperty("slf4j.provider", JsonLogProvider.class.getName());
      if (System.getProperty("slf4j.internal.verbosity") == null) {
        // SLF4J would announce the explicitly chosen provider in a plain line of its own
        System.setProperty("slf4j.internal.verbosity", "WARN");
      }
    }
  }
}
