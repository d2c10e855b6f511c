package dev.teardown.cli;

import dev.teardown.metrics.BuildInfo;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the project version of this build and the JVM. */
public final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {
      "teardown " + BuildInfo.version(),
      "JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
    };
  }
}
