package dev.teardown.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this build, from the pom.properties Maven writes into the jar ("unknown" when run from classes). */
public final class BuildInfo {
  private static final String VERSION = load();

  private BuildInfo() {}

  public static String version() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = BuildInfo.class.getResourceAsStream("/META-INF/maven/dev.teardown/teardown/pom.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
