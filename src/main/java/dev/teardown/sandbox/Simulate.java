package dev.teardown.sandbox;

import dev.teardown.config.OperatorConfig;
import dev.teardown.sim.CloudSimulator;
import dev.teardown.sim.WorldSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code simulate} (options: {@code dev.teardown.cli.SimulateCommand}): only the cloud simulators,
 * from a world file, until stopped. Each listens on {@code --port-base} + 0, 1, 2 in the world's
 * provider order (0 = ephemeral ports) and answers {@code GET /_sim/state} with its world and call
 * ledger as JSON.
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

  /** Starts the simulators and serves them until the JVM is stopped; 2 when they cannot start. */
  public static int run(Path world, String host, int portBase, PrintStream out, PrintWriter err)
      throws InterruptedException {
    Map<String, CloudSimulator> sims;
    try {
      sims = start(world, host, portBase, out);
    } catch (UsageException e) {
      err.println("simulate: " + e.getMessage());
      err.flush();
      return 2;
    }
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  sims.values().forEach(CloudSimulator::close);
                  stop.countDown();
                },
                "simulate-stop"));
    stop.await();
    return Integer.MIN_VALUE;
  }

  /**
   * Starts the simulators of a world file (null: the built-in one), prints their endpoints; the
   * caller closes them.
   */
  static Map<String, CloudSimulator> start(Path world, String host, int base, PrintStream out)
      throws UsageException {
    WorldSpec spec;
    try {
      spec = world == null ? WorldFiles.loadDefault() : WorldFiles.load(world);
    } catch (WorldFiles.WorldFileException e) {
      throw new UsageException(e.getMessage());
    }
    Map<String, CloudSimulator> sims;
    try {
      sims = Simulators.start(spec, host, base);
    } catch (IllegalArgumentException | IOException e) {
      throw new UsageException("cannot start the simulators: " + e.getMessage());
    }
    out.println(
        "simulate: "
            + sims.size()
            + " cloud simulators from "
            + (world == null ? "the built-in world" : world));
    sims.forEach(
        (p, s) ->
            out.printf(
                "  %-17s %s   (world and call ledger: %s/_sim/state)%n",
                p, s.endpoint(), s.endpoint()));
    out.println("operator settings:");
    sims.forEach(
        (p, s) ->
            out.println("  export " + OperatorConfig.ENDPOINT_ENV.get(p) + "=" + s.endpoint()));
    if (!(host.equals("localhost") || host.startsWith("127.") || host.equals("::1"))) {
      out.println(
          "  export TEARDOWN_ALLOW_INSECURE_ENDPOINTS=true   # plain http on a non-loopback address");
    }
    out.println("Ctrl-C to stop");
    out.flush();
    return sims;
  }
}
