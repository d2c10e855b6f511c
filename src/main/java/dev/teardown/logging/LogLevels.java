package dev.teardown.logging;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Properties;
import org.slf4j.event.Level;

/**
 * The level of each logger, from the settings slf4j-simple reads: {@code simplelogger.properties}
 * on the class path, overridden by the {@code org.slf4j.simpleLogger.*} system properties; {@code
 * defaultLogLevel} and {@code log.<logger or package>}.
 */
final class LogLevels {
  static final String PREFIX = "org.slf4j.simpleLogger.";
  private final Properties props;

  private LogLevels(Properties props) {
    this.props = props;
  }

  static LogLevels load() {
    Properties p = new Properties();
    try (InputStream in =
        LogLevels.class.getClassLoader().getResourceAsStream("simplelogger.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // the defaults apply
    }
    for (String k : System.getProperties().stringPropertyNames()) {
      if (k.startsWith(PREFIX)) {
        p.setProperty(k, System.getProperty(k));
      }
    }
    return new LogLevels(p);
  }

  /** The least severe level logged for {@code logger} (null = off). */
  Level levelOf(String logger) {
    String name = logger;
    while (true) {
      String v = props.getProperty(PREFIX + "log." + name);
      if (v != null) {
        return parse(v);
      }
      int dot = name.lastIndexOf('.');
      if (dot < 0) {
        return parse(props.getProperty(PREFIX + "defaultLogLevel", "info"));
      }
      name = name.substring(0, dot);
    }
  }

  static Level parse(String v) {
    String s = v.trim().toUpperCase(Locale.ROOT);
    if (s.equals("OFF")) {
      return null;
    }
    try {
      return Level.valueOf(s);
    } catch (IllegalArgumentException e) {
      return Level.INFO;
    }
  }
}
