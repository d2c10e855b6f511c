package dev.teardown.cloud;

import java.util.Map;

/** API keys read from the resource's own Secret. toString never prints values. */
public final class Credentials {
  private final Map<String, String> values;

  public Credentials(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  public String get(String key) {
    return values.get(key);
  }

  public boolean has(String key) {
    String v = values.get(key);
    return v != null && !v.isBlank();
  }

  @Override
  public String toString() {
    return "Credentials" + values.keySet() + " (values hidden)";
  }
}
