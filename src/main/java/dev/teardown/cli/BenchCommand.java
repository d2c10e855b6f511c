package dev.teardown.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: the options; {@code dev.teardown.sandbox.Bench} does the work. The child process
 * that serves the bench's world reads the same options through {@link #parse}.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Speed and memory figures: N deletions of M instances with D data disks each on one simulated "
          + "cloud, against its documented rate limits.",
      "The operator runs in this process; the clouds and the Kubernetes API in a child process"
          + " (a real kube-apiserver when build/kube-binaries has built it, else the mock)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every target met", "1:a target missed, or the run failed", "2:bad options"})
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--provider",
      paramLabel = "PROVIDER",
      defaultValue = "tencentcloud",
      description = "tencentcloud, ucloud-compshare or volcengine (default: ${DEFAULT-VALUE})")
  String provider;

  @Option(
      names = "--deletions",
      paramLabel = "N",
      defaultValue = "100",
      description = "deletions, 1 to 100000 (default: ${DEFAULT-VALUE})")
  int deletions;

  @Option(
      names = "--instances",
      paramLabel = "M",
      defaultValue = "1",
      description = "instances per deletion, 1 to 100 (default: ${DEFAULT-VALUE})")
  int instances;

  @Option(
      names = "--disks",
      paramLabel = "D",
      defaultValue = "2",
      description = "data disks per instance, 0 to 20 (default: ${DEFAULT-VALUE})")
  int disks;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "5m",
      converter = DurationConverter.class,
      description = "how long to wait for every deletion (default: ${DEFAULT-VALUE})")
  Duration timeout;

  @Option(
      names = "--threads",
      paramLabel = "T",
      defaultValue = "128",
      description = "reconcile threads, 1 to 1000 (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(
      names = "--window",
      paramLabel = "DURATION",
      defaultValue = "200ms",
      converter = DurationConverter.class,
      description = "batch window (default: ${DEFAULT-VALUE})")
  Duration window;

  @Option(
      names = "--baseline",
      paramLabel = "S",
      defaultValue = "3",
      description = "deletions the seed-script baseline runs, 0 to 100 (default: ${DEFAULT-VALUE})")
  int baseline;

  @Option(names = "--json", paramLabel = "FILE", description = "also write the figures as JSON")
  Path json;

  @Option(
      names = "--real-api",
      description =
          "the Kubernetes API is a real kube-apiserver with etcd (built by build/kube-binaries;"
              + " the default when built)")
  boolean realApi;

  @Option(
      names = "--mock-api",
      description =
          "the Kubernetes API is fabric8's in-process mock (the default without the binaries)")
  boolean mockApi;

  @Option(
      names = "--heap-histogram",
      paramLabel = "FILE",
      description = "write the operator's heap by class (after GC, every deletion cached) to FILE")
  Path heapHistogram;

  @Option(
      names = "--creators",
      paramLabel = "C",
      defaultValue = "16",
      description = "creates of deletions in flight at once, 1 to 256 (default: ${DEFAULT-VALUE})")
  int creators;

  @Option(
      names = "--create-while-running",
      description =
          "create the deletions while the operator runs and count the time from the first create"
              + " (by default every deletion is created first and the time counts from the"
              + " operator's start)")
  boolean createWhileRunning;

  @Override
  public Integer call() throws Exception {
    return dev.teardown.sandbox.Bench.main(
        (dev.teardown.sandbox.BenchOptions) options(spec.commandLine()));
  }

  /** The options of a command line, or a {@link ParameterException} naming the bad one. */
  public static Object parse(String... args) {
    CommandLine cl = new CommandLine(new BenchCommand());
    cl.parseArgs(args);
    return ((BenchCommand) cl.getCommand()).options(cl);
  }

  private Object options(CommandLine cl) {
    dev.teardown.api.v1alpha1.Provider p = null;
    for (dev.teardown.api.v1alpha1.Provider x : dev.teardown.api.v1alpha1.Provider.values()) {
      if (x.value().equals(provider)) {
        p = x;
      }
    }
    if (p == null) {
      throw new ParameterException(
          cl,
          "Invalid value for option '--provider': expected one of tencentcloud, "
              + "ucloud-compshare, volcengine but was '"
              + provider
              + "'");
    }
    range(cl, "--deletions", deletions, 1, 100_000);
    range(cl, "--instances", instances, 1, 100);
    range(cl, "--disks", disks, 0, 20);
    range(cl, "--threads", threads, 1, 1000);
    range(cl, "--baseline", baseline, 0, 100);
    range(cl, "--creators", creators, 1, 256);
    if (realApi && mockApi) {
      throw new ParameterException(cl, "--real-api and --mock-api exclude each other");
    }
    return new dev.teardown.sandbox.BenchOptions(
        p,
        deletions,
        instances,
        disks,
        timeout,
        json,
        threads,
        baseline,
        window,
        realApi ? Boolean.TRUE : mockApi ? Boolean.FALSE : null,
        creators,
        heapHistogram,
        !createWhileRunning);
  }

  private static void range(CommandLine cl, String option, int value, int min, int max) {
    if (value < min || value > max) {
      throw new ParameterException(
          cl,
          "Invalid value for option '"
              + option
              + "': "
              + value
              + " is not from "
              + min
              + " to "
              + max);
    }
  }
}
