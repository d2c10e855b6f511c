package dev.teardown.sandbox;

import dev.teardown.api.v1alpha1.Provider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The options of {@code bench}; a bad one is a {@link BadOption} whose message names it. {@code
 * realApi}: true for a real kube-apiserver, false for the in-process mock, null for the real one
 * when its binaries are built. {@code creators}: how many creates of deletions are in flight at
 * once. {@code heapHistogram}: where the operator's heap by class goes after the last GC, or null.
 * {@code createFirst}: every deletion is created before the operator starts, and the time counts
 * from its start (otherwise from the first create, with the operator already running).
 */
public record BenchOptions(
    Provider provider,
    int deletions,
    int instances,
    int disks,
    Duration timeout,
    Path json,
    int threads,
    int baseline,
    Duration window,
    Boolean realApi,
    int creators,
    Path heapHistogram,
    boolean createFirst) {

  static final String USAGE =
      "usage: bench [--provider tencentcloud|ucloud-compshare|volcengine] [--deletions N]"
          + " [--instances M] [--disks D] [--timeout 5m] [--threads T] [--window 200ms] [--baseline S] [--json FILE]"
          + " [--real-api|--mock-api] [--creators C] [--heap-histogram FILE] [--create-while-running]";

  /** A command line that cannot be followed. */
  static final class BadOption extends Exception {
    BadOption(String message) {
      super(message);
    }
  }

  /** Parses a command line with the bench command's picocli options; a bad one names itself. */
  static BenchOptions parse(String[] args) throws BadOption {
    try {
      return (BenchOptions) dev.teardown.cli.BenchCommand.parse(args);
    } catch (picocli.CommandLine.ParameterException e) {
      throw new BadOption(e.getMessage());
    }
  }

  /** The options as the child process gets them. */
  List<String> toArgs() {
    List<String> a =
        new ArrayList<>(
            Arrays.asList(
                "--provider",
                provider.value(),
                "--deletions",
                String.valueOf(deletions),
                "--instances",
                String.valueOf(instances),
                "--disks",
                String.valueOf(disks),
                "--baseline",
                String.valueOf(baseline),
                "--creators",
                String.valueOf(creators)));
    if (realApi != null) {
      a.add(realApi ? "--real-api" : "--mock-api");
    }
    if (!createFirst) {
      a.add("--create-while-running");
    }
    return a;
  }
}
