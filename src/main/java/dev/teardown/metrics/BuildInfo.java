package dev.teardown.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of this build: from the pom.properties Maven writes into the jar, else from
 * teardown/version.properties.
 */
public final class BuildInfo {
  private static final String VERSION = load();

  private BuildInfo() {}

  public static String version() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in =
        BuildInfo.class.getResourceAsStream(
            "/META-INF/maven/dev.teardown/teardown/pom.properties")) {
      if (in == null) {
        return filtered();
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /**
   * The version the build wrote into teardown/version.properties (present when run from classes
   * too).
   */
  private static String filtered() {
    try (InputStream in = BuildInfo.class.getResourceAsStream("/teardown/version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown");
      return v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
