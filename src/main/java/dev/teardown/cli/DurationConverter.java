package dev.teardown.cli;

import dev.teardown.config.OperatorConfig;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A duration as the settings take it ("90s", "5m", "PT1M"); a bad one names the option through
 * picocli.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return OperatorConfig.parseDuration("duration", value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException("'" + value + "' is not a duration (e.g. 90s, 5m)");
    }
  }
}
