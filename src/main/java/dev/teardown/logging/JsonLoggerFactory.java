package dev.teardown.logging;

import java.io.PrintStream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;

final class JsonLoggerFactory implements ILoggerFactory {
  private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
  private final LogLevels levels;
  private final PrintStream out;

  JsonLoggerFactory(LogLevels levels, PrintStream out) {
    this.levels = levels;
    this.out = out;
  }

  @Override
  public Logger getLogger(String name) {
    return loggers.computeIfAbsent(name, n -> new JsonLogger(n, levels.levelOf(n), out));
  }
}
