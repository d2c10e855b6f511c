package dev.teardown.sandbox;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.config.OperatorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The options of {@code bench}; a bad one is a {@link BadOption} whose message names it. */
record BenchOptions(Provider provider, int deletions, int instances, int disks, Duration timeout, Path json,
    int threads, int baseline, Duration window) {

  static final String USAGE = "usage: bench [--provider tencentcloud|ucloud-compshare|volcengine] [--deletions N]"
      + " [--instances M] [--disks D] [--timeout 5m] [--threads T] [--window 200ms] [--baseline S] [--json FILE]";

  /** A command line that cannot be followed. */
  static final class BadOption extends Exception {
    BadOption(String message) {
      super(message);
    }
  }

  static BenchOptions parse(String[] args) throws BadOption {
    Provider provider = Provider.TENCENTCLOUD;
    int deletions = 100;
    int instances = 1;
    int disks = 2;
    Duration timeout = Duration.ofMinutes(5);
    Path json = null;
    int threads = 128;
    int baseline = 3;
    Duration window = Duration.ofMillis(200);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--provider" -> provider = provider(value(args, ++i, a));
        case "--deletions" -> deletions = number(a, value(args, ++i, a), 1, 100_000);
        case "--instances" -> instances = number(a, value(args, ++i, a), 1, 100);
        case "--disks" -> disks = number(a, value(args, ++i, a), 0, 20);
        case "--threads" -> threads = number(a, value(args, ++i, a), 1, 1000);
        case "--baseline" -> baseline = number(a, value(args, ++i, a), 0, 100);
        case "--json" -> json = Path.of(value(args, ++i, a));
        case "--timeout" -> timeout = duration(a, value(args, ++i, a));
        case "--window" -> window = duration(a, value(args, ++i, a));
        default -> throw new BadOption("unknown option " + a + "; " + USAGE);
      }
    }
    return new BenchOptions(provider, deletions, instances, disks, timeout, json, threads, baseline, window);
  }

  /** The options as the child process gets them. */
  List<String> toArgs() {
    List<String> a = new ArrayList<>(Arrays.asList("--provider", provider.value(), "--deletions",
        String.valueOf(deletions), "--instances", String.valueOf(instances), "--disks", String.valueOf(disks),
        "--baseline", String.valueOf(baseline)));
    return a;
  }

  private static Provider provider(String v) throws BadOption {
    for (Provider p : Provider.values()) {
      if (p.value().equals(v)) {
        return p;
      }
    }
    throw new BadOption("--provider must be one of tencentcloud, ucloud-compshare, volcengine, not '" + v + "'");
  }

  private static Duration duration(String opt, String v) throws BadOption {
    try {
      return OperatorConfig.parseDuration(opt, v);
    } catch (IllegalArgumentException e) {
      throw new BadOption(e.getMessage());
    }
  }

  private static String value(String[] args, int i, String opt) throws BadOption {
    if (i >= args.length) {
      throw new BadOption(opt + " needs a value");
    }
    return args[i];
  }

  private static int number(String opt, String v, int min, int max) throws BadOption {
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new BadOption(opt + " must be a whole number from " + min + " to " + max + ", not '" + v + "'");
  }
}
