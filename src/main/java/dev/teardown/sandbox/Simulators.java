package dev.teardown.sandbox;

import dev.teardown.sim.CloudSimulator;
import dev.teardown.sim.WorldSpec;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** Starts the simulator of each cloud a world describes. */
public final class Simulators {
  private Simulators() {}

  /** Starts one cloud's simulator. */
  public interface Starter {
    CloudSimulator start(WorldSpec.CloudWorld world, Clock clock, long seed, String host, int port)
        throws IOException;
  }

  static final Map<String, Starter> STARTERS = new LinkedHashMap<>();

  static {
    STARTERS.put("tencentcloud", dev.teardown.sim.tencent.TencentSimulator::new);
    STARTERS.put("ucloud-compshare", dev.teardown.sim.compshare.CompShareSimulator::new);
    STARTERS.put("volcengine", dev.teardown.sim.volcengine.VolcengineSimulator::new);
  }

  /**
   * Starts every cloud in the world; ports are basePort + 0, 1, 2 in provider order, or ephemeral
   * when basePort is 0.
   */
  public static Map<String, CloudSimulator> start(WorldSpec world, String host, int basePort)
      throws IOException {
    Map<String, CloudSimulator> sims = new LinkedHashMap<>();
    int i = 0;
    for (Map.Entry<String, WorldSpec.CloudWorld> e : world.clouds.entrySet()) {
      Starter s = STARTERS.get(e.getKey());
      if (s == null) {
        throw new IllegalArgumentException("no simulator for " + e.getKey());
      }
      sims.put(
          e.getKey(),
          s.start(
              e.getValue(), Clock.systemUTC(), world.seed, host, basePort == 0 ? 0 : basePort + i));
      i++;
    }
    return sims;
  }
}
