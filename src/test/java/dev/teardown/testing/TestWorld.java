package dev.teardown.testing;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.sim.CloudSimulator;
import dev.teardown.sim.FaultRule;
import dev.teardown.sim.WorldSpec;
import dev.teardown.sim.compshare.CompShareSimulator;
import dev.teardown.sim.tencent.TencentSimulator;
import dev.teardown.sim.volcengine.VolcengineSimulator;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A simulated cloud for a test, said the same way on every cloud: {@code
 * TestWorld.of(TENCENTCLOUD).instance("ins-1").prepaid()} and {@code
 * world.disk("disk-1").on("ins-1").deleteWithInstance()}, then {@link #start()}. States, charge
 * types and defaults come from {@link CloudNames}; {@link #spec()} is the plain world file for
 * anything the builder does not say.
 *
 * <p>Defaults: the cloud's fleet region, keys with characters a careless client would mangle, fast
 * transitions (100-150 ms); instances running and postpaid; disks postpaid, portable, not deleted
 * with their instance.
 */
public final class TestWorld {
  private final CloudNames names;
  private WorldSpec.CloudWorld spec = new WorldSpec.CloudWorld();
  private String zone;
  private String instanceZone;
  private long seed = 7;

  private TestWorld(CloudNames names) {
    this.names = names;
  }

  /** An empty world with the cloud's defaults. */
  public static TestWorld of(Provider provider) {
    TestWorld w = new TestWorld(CloudNames.of(provider));
    switch (provider) {
      case TENCENTCLOUD -> {
        w.region("ap-beijing");
        w.keys("AKIDfleet0000tencent0001", "tc+Sk/=!#$%&*()<>?@[]^_{|}~9q");
        w.timing("terminate", 150).timing("shutdown", 150).timing("detach", 100);
      }
      case UCLOUD_COMPSHARE -> {
        w.region("cn-wlcb").zone("cn-wlcb-01");
        w.keys("fleet-public-key-0001", "cs+Pk/=!#$%&*()<>?@[]^_{|}~7w");
        w.timing("stop", 150).timing("terminate", 150).timing("detach", 100);
        w.timing("lock", 1000);
      }
      case VOLCENGINE -> {
        w.region("cn-beijing");
        w.keys("AKLTfleet0000volc0001", "vs+Sak/=!#$%&*()<>?@[]^_{|}~3e");
        w.timing("terminate", 150).timing("detach", 100).timing("release", 100);
      }
    }
    return w;
  }

  /**
   * The world a world file gives this cloud, as the sandbox loads it (its seed too); the builder
   * can add to it.
   */
  public static TestWorld from(WorldSpec file, Provider provider) {
    TestWorld w = new TestWorld(CloudNames.of(provider));
    WorldSpec.CloudWorld cloud = file.clouds.get(provider.value());
    if (cloud == null) {
      throw new IllegalArgumentException("the world file has no " + provider.value());
    }
    w.spec = cloud;
    w.seed = file.seed;
    return w;
  }

  /**
   * CompShare's standard test world: uhost-run1 Running Postpay with data disks bsm-r1a, bsm-r1b;
   * uhost-stop1 Stopped Month with bsm-s1a; uhost-spot1 Running Spot with no data disk; bsm-free1
   * unattached; keys test-public-key / test-private-key, a 1.5 s operation lock.
   */
  public static TestWorld compShareStandard() {
    TestWorld w = of(Provider.UCLOUD_COMPSHARE).keys("test-public-key", "test-private-key");
    w.timing("lock", 1500);
    w.instance("uhost-run1");
    w.instance("uhost-stop1").stopped().prepaid();
    w.instance("uhost-spot1").chargeType("Dynamic").spot();
    w.disk("bsm-r1a").on("uhost-run1");
    w.disk("bsm-r1b").on("uhost-run1");
    w.disk("bsm-s1a").on("uhost-stop1");
    w.disk("bsm-free1");
    return w;
  }

  // ---------------------------------------------------------------- the cloud

  public TestWorld region(String region) {
    spec.region = region;
    return this;
  }

  /** The zone connections name (CompShare needs one); instances default to it too. */
  public TestWorld zone(String zone) {
    this.zone = zone;
    return this;
  }

  /** The zone new instances get when they say none (default: the connection zone). */
  public TestWorld instanceZone(String zone) {
    this.instanceZone = zone;
    return this;
  }

  /** The one key pair the simulator accepts (replaces the default). */
  public TestWorld keys(String keyId, String secret) {
    spec.credentials.clear();
    spec.credentials.add(new WorldSpec.KeyPair(keyId, secret));
    return this;
  }

  /** How long a transition takes (stop, terminate, shutdown, detach, release, lock...). */
  public TestWorld timing(String name, long millis) {
    spec.timingsMs.put(name, millis);
    return this;
  }

  /** Every transition instant: no default timings. */
  public TestWorld noTimings() {
    spec.timingsMs.clear();
    return this;
  }

  public TestWorld rateLimit(String action, int perSecond) {
    spec.rateLimits.put(action, perSecond);
    return this;
  }

  public TestWorld fault(FaultRule rule) {
    spec.faults.add(rule);
    return this;
  }

  /** Seed of the simulator's random choices (default 7). */
  public TestWorld seed(long seed) {
    this.seed = seed;
    return this;
  }

  /** Any other change to the plain world file. */
  public TestWorld with(Consumer<WorldSpec.CloudWorld> change) {
    change.accept(spec);
    return this;
  }

  // ---------------------------------------------------------------- the fleet

  /** Adds an instance, running and postpaid until told otherwise. */
  public Instance instance(String id) {
    WorldSpec.Instance i = new WorldSpec.Instance();
    i.id = id;
    i.state = names.running();
    i.chargeType = names.postpaid();
    i.zone = defaultInstanceZone();
    spec.instances.add(i);
    return new Instance(i);
  }

  /**
   * Adds a data disk, unattached, postpaid and not deleted with an instance until told otherwise.
   */
  public Disk disk(String id) {
    WorldSpec.Disk d = new WorldSpec.Disk();
    d.id = id;
    d.chargeType = names.diskPostpaid();
    spec.disks.add(d);
    return new Disk(d);
  }

  /**
   * Adds {@code count} running postpaid instances tagged {@code tag} (ids from {@link
   * CloudNames#instanceId}), each with two data disks: disk 1 goes with the instance, disk 2 is
   * Teardown's to release; returns the instance ids.
   */
  public List<String> fleet(String tag, int count) {
    List<String> ids = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      String id = names.instanceId(tag, n);
      ids.add(id);
      instance(id).name("fleet-" + tag + "-" + n);
      disk(names.diskId(id, 1)).on(id).deleteWithInstance();
      disk(names.diskId(id, 2)).on(id);
    }
    return ids;
  }

  private String defaultInstanceZone() {
    if (instanceZone != null) {
      return instanceZone;
    }
    if (zone != null) {
      return zone;
    }
    return names.provider() == Provider.TENCENTCLOUD ? spec.region + "-7" : null;
  }

  /** One default world per cloud, fresh each call (the parameters of cross-cloud tests). */
  public static List<TestWorld> all() {
    return java.util.Arrays.stream(Provider.values()).map(TestWorld::of).toList();
  }

  // ---------------------------------------------------------------- reading it back

  /** The provider value (spec.provider), as the display name of a parameterized test. */
  public String name() {
    return names.provider().value();
  }

  @Override
  public String toString() {
    return name();
  }

  /** Instance id {@code n} of a fleet tagged {@code tag}, in this cloud's id style. */
  public String instanceId(String tag, int n) {
    return names.instanceId(tag, n);
  }

  /** Data disk {@code k} of an instance, in this cloud's id style. */
  public String diskId(String instanceId, int k) {
    return names.diskId(instanceId, k);
  }

  /** What every deletion on this cloud sets in its spec beyond provider and region (the zone). */
  public java.util.function.Consumer<dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec>
      specDefaults() {
    return s -> {
      if (zone != null) {
        s.setZone(zone);
      }
    };
  }

  public Provider provider() {
    return names.provider();
  }

  public CloudNames names() {
    return names;
  }

  public String region() {
    return spec.region;
  }

  public String zone() {
    return zone;
  }

  public String keyId() {
    return spec.credentials.get(0).id;
  }

  public String secretKey() {
    return spec.credentials.get(0).secret;
  }

  /** The plain world file this builder has written so far (live: changes show in the builder). */
  public WorldSpec.CloudWorld spec() {
    return spec;
  }

  /** The Secret's data for the first key pair, under the keys the cloud's adapter reads. */
  public Map<String, String> secret() {
    return secret(keyId(), secretKey());
  }

  /** The Secret's data for any key pair, under the keys the cloud's adapter reads. */
  public Map<String, String> secret(String keyId, String secretKey) {
    Map<String, String> m = new LinkedHashMap<>();
    switch (names.provider()) {
      case TENCENTCLOUD -> {
        m.put("secretId", keyId);
        m.put("secretKey", secretKey);
      }
      case UCLOUD_COMPSHARE -> {
        m.put("publicKey", keyId);
        m.put("privateKey", secretKey);
      }
      case VOLCENGINE -> {
        m.put("accessKeyId", keyId);
        m.put("secretAccessKey", secretKey);
      }
    }
    return m;
  }

  /**
   * {@link #secret()} plus, where the cloud takes one (Tencent, Volcengine), a temporary token with
   * odd characters.
   */
  public Map<String, String> secretWithToken() {
    Map<String, String> m = secret();
    switch (names.provider()) {
      case TENCENTCLOUD -> m.put("token", "tcTok3n+/=!@#$%^&*()[]{}<>?~_-fleet");
      case VOLCENGINE -> m.put("sessionToken", "vcSess10n+/=!@#$%^&*()[]{}<>?~_-fleet");
      case UCLOUD_COMPSHARE -> {}
    }
    return m;
  }

  /** The values in {@link #secretWithToken()} that must never show up anywhere (not the key id). */
  public List<String> secretValues() {
    List<String> values = new ArrayList<>(secretWithToken().values());
    values.remove(keyId());
    return values;
  }

  // ---------------------------------------------------------------- running it

  /** Starts the simulator on an ephemeral port, on the system clock. */
  public SimCloud start() {
    return start(Clock.systemUTC());
  }

  /** Starts the simulator on an ephemeral port, on the given clock. */
  public SimCloud start(Clock clock) {
    CloudSimulator sim =
        switch (names.provider()) {
          case TENCENTCLOUD -> new TencentSimulator(spec, clock, seed, "127.0.0.1", 0);
          case UCLOUD_COMPSHARE -> new CompShareSimulator(spec, clock, seed, "127.0.0.1", 0);
          case VOLCENGINE -> new VolcengineSimulator(spec, clock, seed, "127.0.0.1", 0);
        };
    return new SimCloud(this, sim);
  }

  // ---------------------------------------------------------------- instances and disks

  /** One instance being described; every method returns it for more. */
  public final class Instance {
    private final WorldSpec.Instance spec;

    private Instance(WorldSpec.Instance spec) {
      this.spec = spec;
    }

    public String id() {
      return spec.id;
    }

    public Instance running() {
      return state(names.running());
    }

    public Instance stopped() {
      return state(names.stopped());
    }

    /** The cloud's own state name (SHUTDOWN, Stopping, ...). */
    public Instance state(String state) {
      spec.state = state;
      return this;
    }

    public Instance prepaid() {
      return chargeType(names.prepaid());
    }

    public Instance postpaid() {
      return chargeType(names.postpaid());
    }

    /** The cloud's own charge type name (Dynamic, Year, SPOTPAID, ...); null for its default. */
    public Instance chargeType(String chargeType) {
      spec.chargeType = chargeType;
      return this;
    }

    /** Spot / preemptible (Tencent: charge type SPOTPAID). */
    public Instance spot() {
      spec.spot = true;
      if (names.provider() == Provider.TENCENTCLOUD) {
        spec.chargeType = "SPOTPAID";
      }
      return this;
    }

    /** Prepaid period over. */
    public Instance expired() {
      spec.expired = true;
      return this;
    }

    public Instance deletionProtection() {
      spec.deletionProtection = true;
      return this;
    }

    public Instance zone(String zone) {
      spec.zone = zone;
      return this;
    }

    public Instance name(String name) {
      spec.name = name;
      return this;
    }

    public Instance tag(String key, String value) {
      if (spec.tags == null) {
        spec.tags = new LinkedHashMap<>();
      }
      spec.tags.put(key, value);
      return this;
    }

    /** Adds plain data disks (the world's defaults) attached to this instance. */
    public Instance withDisks(String... diskIds) {
      for (String d : diskIds) {
        disk(d).on(spec.id);
      }
      return this;
    }

    /** Adds a data disk attached to this instance and returns it. */
    public Disk withDisk(String diskId) {
      return disk(diskId).on(spec.id);
    }
  }

  /** One data disk being described; every method returns it for more. */
  public final class Disk {
    private final WorldSpec.Disk spec;

    private Disk(WorldSpec.Disk spec) {
      this.spec = spec;
    }

    public String id() {
      return spec.id;
    }

    /** Attached to this instance. */
    public Disk on(String instanceId) {
      spec.instanceId = instanceId;
      return this;
    }

    public Disk prepaid() {
      return chargeType(names.diskPrepaid());
    }

    public Disk postpaid() {
      return chargeType(names.diskPostpaid());
    }

    public Disk chargeType(String chargeType) {
      spec.chargeType = chargeType;
      return this;
    }

    /** The cloud releases it with its instance. */
    public Disk deleteWithInstance() {
      return deleteWithInstance(true);
    }

    public Disk deleteWithInstance(boolean with) {
      spec.deleteWithInstance = with;
      return this;
    }

    public Disk notPortable() {
      spec.portable = false;
      return this;
    }

    /** The cloud's own disk state name. */
    public Disk state(String state) {
      spec.state = state;
      return this;
    }
  }

  /**
   * A plain data disk for {@link CloudSimulator#attachNewDisk}: attached to the instance, postpaid,
   * not deleted with it unless told.
   */
  public WorldSpec.Disk newDisk(String id, String instanceId, boolean deleteWithInstance) {
    WorldSpec.Disk d = new WorldSpec.Disk();
    d.id = id;
    d.instanceId = instanceId;
    d.chargeType = names.diskPostpaid();
    d.deleteWithInstance = deleteWithInstance;
    return d;
  }
}
