package dev.teardown.logging;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.MDC;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/**
 * One JSON object per line: {@code time}, {@code level}, {@code logger}, {@code message}; {@code
 * namespace} and {@code name} when the line was written during a reconcile (from JOSDK's MDC); the
 * other MDC entries and the key-value pairs of the fluent API by their keys; {@code error} and
 * {@code stack} for a throwable.
 */
final class JsonLogger extends LegacyAbstractLogger implements LoggingEventAware {
  private static final JsonFactory JSON = new JsonFactory();

  /** JOSDK's MDC keys of the resource being reconciled, and the names they get in a line. */
  static final Map<String, String> RENAMED =
      Map.of("resource.namespace", "namespace", "resource.name", "name");

  private final Level threshold;
  private final transient PrintStream out;

  JsonLogger(String name, Level threshold, PrintStream out) {
    this.name = name;
    this.threshold = threshold;
    this.out = out;
  }

  private boolean enabled(Level l) {
    return threshold != null && l.toInt() >= threshold.toInt();
  }

  @Override
  public boolean isTraceEnabled() {
    return enabled(Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return enabled(Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return enabled(Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return enabled(Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return enabled(Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] args, Throwable t) {
    write(level, pattern, args, t, List.of());
  }

  @Override
  public void log(LoggingEvent e) {
    if (enabled(e.getLevel())) {
      write(
          e.getLevel(),
          e.getMessage(),
          e.getArgumentArray(),
          e.getThrowable(),
          e.getKeyValuePairs() == null ? List.of() : e.getKeyValuePairs());
    }
  }

  private void write(
      Level level, String pattern, Object[] args, Throwable t, List<KeyValuePair> kvs) {
    String message =
        args == null || args.length == 0
            ? pattern
            : MessageFormatter.basicArrayFormat(pattern, args);
    out.println(line(Instant.now(), level, name, message, MDC.getCopyOfContextMap(), kvs, t));
  }

  static String line(
      Instant time,
      Level level,
      String logger,
      String message,
      Map<String, String> mdc,
      List<KeyValuePair> kvs,
      Throwable t) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("time", time.toString());
      g.writeStringField("level", level.name());
      g.writeStringField("logger", logger);
      g.writeStringField("message", message);
      if (mdc != null) {
        for (Map.Entry<String, String> e : mdc.entrySet()) {
          g.writeStringField(RENAMED.getOrDefault(e.getKey(), e.getKey()), e.getValue());
        }
      }
      for (KeyValuePair kv : kvs) {
        g.writeStringField(kv.key, String.valueOf(kv.value));
      }
      if (t != null) {
        g.writeStringField("error", t.toString());
        StringWriter stack = new StringWriter();
        t.printStackTrace(new PrintWriter(stack));
        g.writeStringField("stack", stack.toString());
      }
      g.writeEndObject();
    } catch (IOException e) {
      return "{\"level\":\"ERROR\",\"message\":\"cannot write a log line: " + e + "\"}";
    }
    return w.toString();
  }
}
