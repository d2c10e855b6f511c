package dev.teardown.config;

/**
 * One operator setting, declared once: its environment variable, type, default and meaning.
 * Parsing, the {@code settings} command and the README's settings table all come from these
 * declarations (in {@link OperatorConfig#SETTINGS}).
 *
 * @param env the environment variable
 * @param type how a value is read
 * @param defaultValue the value when the variable is unset, as it would be written in the
 *     environment
 * @param description one sentence for the tables
 */
public record Setting<T>(String env, SettingType<T> type, String defaultValue, String description) {

  /** Reads a raw value of this setting. */
  public T parse(String raw) {
    return type.parse(env, raw.trim());
  }

  /** The typed default. */
  public T defaultParsed() {
    return parse(defaultValue);
  }
}
