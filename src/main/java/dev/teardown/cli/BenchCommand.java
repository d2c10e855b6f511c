package dev.teardown.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code bench}: its options are parsed by {@code dev.teardown.sandbox.Bench}. */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Speed and memory figures (options: --provider P --deletions N --instances M --disks D).")
public final class BenchCommand implements Callable<Integer> {
  @Unmatched
  List<String> args = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    return dev.teardown.sandbox.Bench.main(args.toArray(String[]::new));
  }
}
