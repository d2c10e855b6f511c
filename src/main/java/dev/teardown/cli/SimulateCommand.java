package dev.teardown.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code simulate}: the options; {@code dev.teardown.sandbox.Simulate} does the work. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Only the cloud simulators, from a world file, until stopped (Ctrl-C).",
      "Each answers GET /_sim/state with its world and call ledger as JSON."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped by a signal",
      "2:bad options or world file, or a port that cannot be bound"
    })
public final class SimulateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--world",
      paramLabel = "FILE",
      description = "the fleets to simulate (default: the built-in world)")
  Path world;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      defaultValue = "127.0.0.1",
      description = "the address to listen on (default: ${DEFAULT-VALUE})")
  String host;

  @Option(
      names = "--port-base",
      paramLabel = "N",
      defaultValue = "9100",
      description =
          "the simulators listen on N, N+1, N+2 in the world's order; 0 = free ports "
              + "(default: ${DEFAULT-VALUE})")
  int portBase;

  @Override
  public Integer call() throws Exception {
    return dev.teardown.sandbox.Simulate.run(
        world, host, portBase, System.out, spec.commandLine().getErr());
  }
}
