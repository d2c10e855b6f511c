package dev.teardown.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sandbox}: the options; {@code dev.teardown.sandbox.Sandbox} does the work. This class
 * names no sandbox type outside its method bodies, so the operator-only jar can hold it
 * (build/operator-jar.exclude).
 */
@Command(
    name = "sandbox",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "An embedded Kubernetes API, simulated clouds and the operator; applies the example deletions, "
          + "prints a live table and a summary.",
      "Exits 0 only if every deletion reached its expected phase and no disk is orphaned."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every deletion reached its expected phase, no orphaned disk",
      "1:a deletion ended elsewhere, timed out or orphaned a disk",
      "2:bad options, world file or manifests"
    })
public final class SandboxCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--world",
      paramLabel = "FILE",
      description = "the fleets to simulate (default: the built-in world)")
  Path world;

  @Option(
      names = "--apply",
      paramLabel = "DIR|FILE",
      description =
          "the CloudInstanceDeletions to apply (default: examples/, else the bundled examples)")
  Path apply;

  @Option(names = "--json", paramLabel = "FILE", description = "also write the summary as JSON")
  Path json;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "90s",
      converter = DurationConverter.class,
      description = "how long to wait for every deletion to end (default: ${DEFAULT-VALUE})")
  Duration timeout;

  @Option(
      names = "--real-api",
      description =
          "require a real kube-apiserver (built by build/kube-binaries; the "
              + "default when built)")
  boolean realApi;

  @Option(
      names = "--mock-api",
      description = "the in-process mock API (the default without the binaries)")
  boolean mockApi;

  @Option(
      names = "--serve",
      description =
          "keep the API and the clouds running for kubectl and a separately " + "started operator")
  boolean serve;

  @Option(names = "--no-operator", description = "with --serve: run no operator inside")
  boolean noOperator;

  @Option(names = "--empty", description = "with --serve: apply no deletions")
  boolean empty;

  @Option(names = "--no-table", description = "with --serve: print no live table")
  boolean noTable;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "sandbox-out",
      description =
          "with --serve: where the kubeconfig and the env file go (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(
      names = "--kube-port",
      paramLabel = "N",
      defaultValue = "0",
      description = "the mock API's port (default: a free one)")
  int kubePort;

  @Option(
      names = "--sim-port-base",
      paramLabel = "N",
      defaultValue = "0",
      description = "the simulators listen on N, N+1, N+2 (default: free ports)")
  int simPortBase;

  @Override
  public Integer call() throws Exception {
    if (realApi && mockApi) {
      throw new ParameterException(
          spec.commandLine(), "--real-api and --mock-api exclude each other");
    }
    dev.teardown.sandbox.Sandbox.Options o =
        new dev.teardown.sandbox.Sandbox.Options(
            world,
            apply,
            json,
            timeout,
            serve,
            !noOperator,
            kubePort,
            simPortBase,
            empty,
            !noTable,
            out,
            realApi ? Boolean.TRUE : mockApi ? Boolean.FALSE : null);
    try {
      dev.teardown.sandbox.Sandbox.validate(o);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    dev.teardown.sandbox.Sandbox.quietEmbeddedApiLogs();
    return dev.teardown.sandbox.Sandbox.run(o, System.out);
  }
}
