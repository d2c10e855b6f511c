package dev.teardown.it;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.sim.WorldSpec;
import dev.teardown.sim.tencent.TencentSimulator;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * A small Tencent fleet for the real-server tests: n postpaid instances, each with one data disk to
 * release.
 */
final class Fleet {
  static final String REGION = "ap-beijing";
  static final String SECRET_ID = "AKIDrealserver00001";
  static final String SECRET_KEY = "real-server-secret-7c1e";
  static final String KEYS = "tencent-keys";

  private Fleet() {}

  static String instance(int i) {
    return String.format("ins-real%04d", i);
  }

  static String disk(int i) {
    return String.format("disk-real%04d", i);
  }

  static TencentSimulator simulator(int n) {
    WorldSpec.CloudWorld w = new WorldSpec.CloudWorld();
    w.region = REGION;
    w.credentials.add(new WorldSpec.KeyPair(SECRET_ID, SECRET_KEY));
    w.timingsMs.put("terminate", 200L);
    w.timingsMs.put("shutdown", 200L);
    w.timingsMs.put("detach", 200L);
    for (int i = 0; i < n; i++) {
      WorldSpec.Instance in = new WorldSpec.Instance();
      in.id = instance(i);
      in.chargeType = "POSTPAID_BY_HOUR";
      in.zone = REGION + "-7";
      w.instances.add(in);
      WorldSpec.Disk d = new WorldSpec.Disk();
      d.id = disk(i);
      d.instanceId = in.id;
      d.chargeType = "POSTPAID_BY_HOUR";
      d.deleteWithInstance = false;
      w.disks.add(d);
    }
    return new TencentSimulator(w, Clock.systemUTC(), 7, "127.0.0.1", 0);
  }

  static void keys(OperatorHarness h) {
    h.secret(KEYS, Map.of("secretId", SECRET_ID, "secretKey", SECRET_KEY));
  }

  /** Deletion {@code name} of instance i. */
  static void delete(OperatorHarness h, String name, int i) {
    h.create(name, Provider.TENCENTCLOUD, REGION, KEYS, List.of(instance(i)), s -> {});
  }
}
