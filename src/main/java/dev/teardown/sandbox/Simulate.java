package dev.teardown.sandbox;

import dev.teardown.sim.CloudSimulator;
import dev.teardown.sim.WorldSpec;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** {@code simulate}: only the cloud simulators, from a world file, until stopped. */
public final class Simulate {
  private Simulate() {}

  public static int main(String[] args) throws Exception {
    String world = null;
    String host = "127.0.0.1";
    int base = 9100;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--world" -> world = args[++i];
        case "--host" -> host = args[++i];
        case "--port-base" -> base = Integer.parseInt(args[++i]);
        default -> {
          System.err.println("simulate: unknown option " + args[i]);
          return 2;
        }
      }
    }
    WorldSpec spec;
    try {
      spec = world == null ? WorldFiles.loadDefault() : WorldFiles.load(Path.of(world));
    } catch (WorldFiles.WorldFileException e) {
      System.err.println("simulate: " + e.getMessage());
      return 2;
    }
    Map<String, CloudSimulator> sims;
    try {
      sims = Simulators.start(spec, host, base);
    } catch (IllegalArgumentException | java.io.IOException e) {
      System.err.println("simulate: cannot start the simulators: " + e.getMessage());
      return 2;
    }
    sims.forEach((p, s) -> System.out.println(
        p + " simulator at " + s.endpoint() + "  (state: " + s.endpoint() + "/_sim/state)  operator setting: "
            + dev.teardown.config.OperatorConfig.ENDPOINT_ENV.get(p) + "=" + s.endpoint()));
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      sims.values().forEach(CloudSimulator::close);
      stop.countDown();
    }));
    stop.await();
    return Integer.MIN_VALUE;
  }
}
