package dev.teardown.sandbox;

import dev.teardown.config.OperatorConfig;
import dev.teardown.sim.CloudSimulator;
import dev.teardown.sim.WorldSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code simulate}: only the cloud simulators, from a world file, until stopped. Each listens on
 * {@code --port-base} + 0, 1, 2 in the world's provider order (0 = ephemeral ports) and answers
 * {@code GET /_sim/state} with its world and call ledger as JSON.
 */
public final class Simulate {
  static final int DEFAULT_PORT_BASE = 9100;

  private Simulate() {}

  /** A command line that cannot be followed; the message says why. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  public static int main(String[] args) throws Exception {
    Map<String, CloudSimulator> sims;
    try {
      sims = start(args, System.out);
    } catch (UsageException e) {
      System.err.println("simulate: " + e.getMessage());
      return 2;
    }
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      sims.values().forEach(CloudSimulator::close);
      stop.countDown();
    }, "simulate-stop"));
    stop.await();
    return Integer.MIN_VALUE;
  }

  /** Parses the command line, starts the simulators and prints their endpoints; the caller closes them. */
  static Map<String, CloudSimulator> start(String[] args, PrintStream out) throws UsageException {
    String world = null;
    String host = "127.0.0.1";
    int base = DEFAULT_PORT_BASE;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--world" -> world = value(args, ++i, a);
        case "--host" -> host = value(args, ++i, a);
        case "--port-base" -> {
          try {
            base = Integer.parseInt(value(args, ++i, a));
          } catch (NumberFormatException e) {
            throw new UsageException("--port-base must be a port number, not '" + args[i] + "'");
          }
        }
        default -> throw new UsageException("unknown option " + a);
      }
    }
    WorldSpec spec;
    try {
      spec = world == null ? WorldFiles.loadDefault() : WorldFiles.load(Path.of(world));
    } catch (WorldFiles.WorldFileException e) {
      throw new UsageException(e.getMessage());
    }
    Map<String, CloudSimulator> sims;
    try {
      sims = Simulators.start(spec, host, base);
    } catch (IllegalArgumentException | IOException e) {
      throw new UsageException("cannot start the simulators: " + e.getMessage());
    }
    out.println("simulate: " + sims.size() + " cloud simulators from " + (world == null ? "the built-in world" : world));
    sims.forEach((p, s) -> out.printf("  %-17s %s   (world and call ledger: %s/_sim/state)%n", p, s.endpoint(), s.endpoint()));
    out.println("operator settings:");
    sims.forEach((p, s) -> out.println("  export " + OperatorConfig.ENDPOINT_ENV.get(p) + "=" + s.endpoint()));
    if (!(host.equals("localhost") || host.startsWith("127.") || host.equals("::1"))) {
      out.println("  export TEARDOWN_ALLOW_INSECURE_ENDPOINTS=true   # plain http on a non-loopback address");
    }
    out.println("Ctrl-C to stop");
    out.flush();
    return sims;
  }

  private static String value(String[] args, int i, String opt) throws UsageException {
    if (i >= args.length) {
      throw new UsageException(opt + " needs a value");
    }
    return args[i];
  }
}
