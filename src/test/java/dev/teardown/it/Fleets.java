package dev.teardown.it;

import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.sim.WorldSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Generated fleets for tests that run many deletions on all three clouds: per cloud, instance
 * {@code n} has two data disks, one the cloud deletes with the instance and one Teardown releases
 * itself. Keys and ids follow each cloud's format; the Secret of each cloud carries its optional
 * token key too.
 */
public final class Fleets {
  /** Per cloud: provider, region, zone (null if not needed). */
  public record Cloud(Provider provider, String region, String zone) {
    public String name() {
      return provider.value();
    }

    public String instanceId(String tag, int n) {
      String suffix = String.format("%s%04d", tag, n);
      return switch (provider) {
        case TENCENTCLOUD -> "ins-" + suffix;
        case UCLOUD_COMPSHARE -> "uhost-" + suffix;
        case VOLCENGINE -> "i-" + suffix;
      };
    }

    public String diskId(String instanceId, int k) {
      String suffix = instanceId.substring(instanceId.indexOf('-') + 1) + k;
      return switch (provider) {
        case TENCENTCLOUD -> "disk-" + suffix;
        case UCLOUD_COMPSHARE -> "bsm-" + suffix;
        case VOLCENGINE -> "vol-" + suffix;
      };
    }

    /** Spec adjustment every deletion on this cloud needs (CompShare's zone). */
    public Consumer<CloudInstanceDeletionSpec> base() {
      return s -> {
        if (zone != null) {
          s.setZone(zone);
        }
      };
    }
  }

  public static final Cloud TENCENT = new Cloud(Provider.TENCENTCLOUD, "ap-beijing", null);
  public static final Cloud COMPSHARE =
      new Cloud(Provider.UCLOUD_COMPSHARE, "cn-wlcb", "cn-wlcb-01");
  public static final Cloud VOLCENGINE = new Cloud(Provider.VOLCENGINE, "cn-beijing", null);
  public static final List<Cloud> ALL = List.of(TENCENT, COMPSHARE, VOLCENGINE);

  private Fleets() {}

  /**
   * The key id and secret key each simulator accepts, with characters a careless client would
   * mangle.
   */
  public static WorldSpec.KeyPair keys(Cloud c) {
    return switch (c.provider()) {
      case TENCENTCLOUD ->
          new WorldSpec.KeyPair("AKIDfleet0000tencent0001", "tc+Sk/=!#$%&*()<>?@[]^_{|}~9q");
      case UCLOUD_COMPSHARE ->
          new WorldSpec.KeyPair("fleet-public-key-0001", "cs+Pk/=!#$%&*()<>?@[]^_{|}~7w");
      case VOLCENGINE ->
          new WorldSpec.KeyPair("AKLTfleet0000volc0001", "vs+Sak/=!#$%&*()<>?@[]^_{|}~3e");
    };
  }

  /**
   * The Secret for a cloud: its keys and (Tencent, Volcengine) a temporary token with odd
   * characters.
   */
  public static Map<String, String> secret(Cloud c) {
    WorldSpec.KeyPair k = keys(c);
    Map<String, String> m = new LinkedHashMap<>();
    switch (c.provider()) {
      case TENCENTCLOUD -> {
        m.put("secretId", k.id);
        m.put("secretKey", k.secret);
        m.put("token", "tcTok3n+/=!@#$%^&*()[]{}<>?~_-fleet");
      }
      case UCLOUD_COMPSHARE -> {
        m.put("publicKey", k.id);
        m.put("privateKey", k.secret);
      }
      case VOLCENGINE -> {
        m.put("accessKeyId", k.id);
        m.put("secretAccessKey", k.secret);
        m.put("sessionToken", "vcSess10n+/=!@#$%^&*()[]{}<>?~_-fleet");
      }
    }
    return m;
  }

  /** The values in {@link #secret} that must never show up anywhere (key ids are not secret). */
  public static List<String> secretValues(Cloud c) {
    Map<String, String> s = new LinkedHashMap<>(secret(c));
    s.remove("secretId");
    s.remove("publicKey");
    s.remove("accessKeyId");
    return List.copyOf(s.values());
  }

  /** A world for one cloud with fast transitions and no instances yet. */
  public static WorldSpec.CloudWorld world(Cloud c) {
    WorldSpec.CloudWorld w = new WorldSpec.CloudWorld();
    w.region = c.region();
    w.credentials.add(keys(c));
    switch (c.provider()) {
      case TENCENTCLOUD -> {
        w.timingsMs.put("terminate", 150L);
        w.timingsMs.put("shutdown", 150L);
        w.timingsMs.put("detach", 100L);
      }
      case UCLOUD_COMPSHARE -> {
        w.timingsMs.put("stop", 150L);
        w.timingsMs.put("terminate", 150L);
        w.timingsMs.put("detach", 100L);
        w.timingsMs.put("lock", 1000L);
      }
      case VOLCENGINE -> {
        w.timingsMs.put("terminate", 150L);
        w.timingsMs.put("detach", 100L);
        w.timingsMs.put("release", 100L);
      }
    }
    return w;
  }

  /**
   * Adds {@code count} running postpaid instances tagged {@code tag}, each with two data disks;
   * returns their ids.
   */
  public static List<String> addInstances(Cloud c, WorldSpec.CloudWorld w, String tag, int count) {
    List<String> ids = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      String id = c.instanceId(tag, n);
      ids.add(id);
      WorldSpec.Instance i = new WorldSpec.Instance();
      i.id = id;
      i.name = "fleet-" + tag + "-" + n;
      switch (c.provider()) {
        case TENCENTCLOUD -> {
          i.zone = c.region() + "-7";
          i.state = "RUNNING";
          i.chargeType = "POSTPAID_BY_HOUR";
        }
        case UCLOUD_COMPSHARE -> {
          i.zone = c.zone();
          i.state = "Running";
          i.chargeType = "Postpay";
        }
        case VOLCENGINE -> {
          i.state = "RUNNING";
          i.chargeType = "PostPaid";
        }
      }
      w.instances.add(i);
      for (int k = 1; k <= 2; k++) {
        WorldSpec.Disk d = new WorldSpec.Disk();
        d.id = c.diskId(id, k);
        d.instanceId = id;
        d.chargeType =
            switch (c.provider()) {
              case TENCENTCLOUD -> "POSTPAID_BY_HOUR";
              case UCLOUD_COMPSHARE -> null;
              case VOLCENGINE -> "PostPaid";
            };
        d.deleteWithInstance = k == 1;
        w.disks.add(d);
      }
    }
    return ids;
  }
}
