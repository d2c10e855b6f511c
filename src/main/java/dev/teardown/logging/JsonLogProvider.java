package dev.teardown.logging;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J provider of {@code --log-format json} ({@code TEARDOWN_LOG_FORMAT=json}): one JSON
 * object per line on stderr. It is chosen by the {@code slf4j.provider} system property, which
 * {@link LogFormat#apply} sets before the first logger is made; without it slf4j-simple writes the
 * plain text lines. Levels follow the same {@code simplelogger.properties} and {@code
 * org.slf4j.simpleLogger.*} system properties as the text format. Unlike slf4j-simple it keeps an
 * MDC, so the resource JOSDK puts there during a reconcile comes out as {@code namespace} and
 * {@code name} on every line of that reconcile.
 */
public final class JsonLogProvider implements SLF4JServiceProvider {
  private ILoggerFactory loggers;
  private IMarkerFactory markers;
  private MDCAdapter mdc;

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {
    markers = new BasicMarkerFactory();
    mdc = new BasicMDCAdapter();
    loggers = new JsonLoggerFactory(LogLevels.load(), System.err);
  }
}
