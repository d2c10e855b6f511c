package dev.teardown.it;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.sim.tencent.TencentSimulator;
import dev.teardown.testing.TestWorld;
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
    TestWorld w =
        TestWorld.of(Provider.TENCENTCLOUD)
            .region(REGION)
            .keys(SECRET_ID, SECRET_KEY)
            .timing("terminate", 200)
            .timing("shutdown", 200)
            .timing("detach", 200);
    for (int i = 0; i < n; i++) {
      w.instance(instance(i)).withDisks(disk(i));
    }
    return w.start().sim();
  }

  static void keys(OperatorHarness h) {
    h.secret(KEYS, Map.of("secretId", SECRET_ID, "secretKey", SECRET_KEY));
  }

  /** Deletion {@code name} of instance i. */
  static void delete(OperatorHarness h, String name, int i) {
    h.create(name, Provider.TENCENTCLOUD, REGION, KEYS, List.of(instance(i)), s -> {});
  }
}
