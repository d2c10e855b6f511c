package dev.teardown.sim.compshare;

import dev.teardown.sim.WorldSpec;

/** Small CompShare worlds for tests: fast transitions, a short operation lock. */
public final class CompShareTestWorlds {
  public static final String REGION = "cn-wlcb";
  public static final String ZONE = "cn-wlcb-01";
  public static final String PUBLIC_KEY = "test-public-key";
  public static final String PRIVATE_KEY = "test-private-key";

  private CompShareTestWorlds() {}

  /**
   * uhost-run1 Running Postpay with data disks bsm-r1a, bsm-r1b; uhost-stop1 Stopped Month with
   * bsm-s1a; uhost-spot1 Running Spot with no data disk; bsm-free1 unattached.
   */
  public static WorldSpec.CloudWorld standard() {
    WorldSpec.CloudWorld w = new WorldSpec.CloudWorld();
    w.region = REGION;
    w.credentials.add(new WorldSpec.KeyPair(PUBLIC_KEY, PRIVATE_KEY));
    w.timingsMs.put("stop", 150L);
    w.timingsMs.put("terminate", 150L);
    w.timingsMs.put("detach", 100L);
    w.timingsMs.put("lock", 1500L);
    w.instances.add(instance("uhost-run1", "Running", "Postpay", false));
    w.instances.add(instance("uhost-stop1", "Stopped", "Month", false));
    w.instances.add(instance("uhost-spot1", "Running", "Dynamic", true));
    w.disks.add(disk("bsm-r1a", "uhost-run1"));
    w.disks.add(disk("bsm-r1b", "uhost-run1"));
    w.disks.add(disk("bsm-s1a", "uhost-stop1"));
    w.disks.add(disk("bsm-free1", null));
    return w;
  }

  public static WorldSpec.Instance instance(
      String id, String state, String chargeType, boolean spot) {
    WorldSpec.Instance i = new WorldSpec.Instance();
    i.id = id;
    i.zone = ZONE;
    i.state = state;
    i.chargeType = chargeType;
    i.spot = spot;
    return i;
  }

  public static WorldSpec.Disk disk(String id, String instanceId) {
    WorldSpec.Disk d = new WorldSpec.Disk();
    d.id = id;
    d.instanceId = instanceId;
    return d;
  }
}
