package dev.teardown.testing;

import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.cloud.CloudException;
import dev.teardown.cloud.CloudProvider;
import dev.teardown.cloud.CloudProviderFactory;
import dev.teardown.cloud.ConnectionSpec;
import dev.teardown.cloud.Credentials;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.CloudSimulator;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.UnaryOperator;

/**
 * A started {@link TestWorld}: the simulator, its endpoint and keys, the real adapter connected to
 * it, the world as the simulator sees it now. Closing it closes every adapter it made and the
 * simulator.
 */
public final class SimCloud implements AutoCloseable {
  private final TestWorld world;
  private final CloudSimulator sim;
  private final List<AutoCloseable> opened = new ArrayList<>();

  SimCloud(TestWorld world, CloudSimulator sim) {
    this.world = world;
    this.sim = sim;
  }

  /** The simulator, typed as the caller needs it ({@code TencentSimulator s = cloud.sim();}). */
  @SuppressWarnings("unchecked")
  public <T extends CloudSimulator> T sim() {
    return (T) sim;
  }

  public TestWorld world() {
    return world;
  }

  public Provider provider() {
    return world.provider();
  }

  public CloudNames names() {
    return world.names();
  }

  public URI endpoint() {
    return sim.endpoint();
  }

  public CallLedger ledger() {
    return sim.ledger();
  }

  /** Assertions and queries on this simulator's ledger. */
  public LedgerAssert assertLedger() {
    return LedgerAssert.assertThat(sim);
  }

  /** The endpoint map an operator takes: provider value to this simulator. */
  public Map<String, URI> endpoints() {
    return Map.of(provider().value(), endpoint());
  }

  // ---------------------------------------------------------------- the real adapter

  /** The cloud's adapter, found as the operator finds it. */
  public CloudProviderFactory factory() {
    for (CloudProviderFactory f : ServiceLoader.load(CloudProviderFactory.class)) {
      if (f.provider() == provider()) {
        return f;
      }
    }
    throw new IllegalStateException("no adapter registered for " + provider().value());
  }

  /** The adapter connected with the world's keys, a 3 s timeout. */
  public CloudProvider connect() throws CloudException {
    return connect(Duration.ofSeconds(3));
  }

  public CloudProvider connect(Duration timeout) throws CloudException {
    return connect(world.secret(), timeout);
  }

  /** The adapter connected with these keys (wrong ones, for refusals). */
  public CloudProvider connect(String keyId, String secretKey, Duration timeout)
      throws CloudException {
    return connect(world.secret(keyId, secretKey), timeout);
  }

  /** The adapter connected with this Secret data. */
  public CloudProvider connect(Map<String, String> secret, Duration timeout) throws CloudException {
    return connect(spec -> spec, secret, timeout);
  }

  /**
   * The adapter connected with a connection the test changes (service endpoints, a budget, another
   * region).
   */
  public CloudProvider connect(
      UnaryOperator<ConnectionSpec> change, Map<String, String> secret, Duration timeout)
      throws CloudException {
    ConnectionSpec spec =
        change.apply(
            new ConnectionSpec(
                world.region(), world.zone(), new Credentials(secret), endpoint(), timeout));
    CloudProvider p = factory().connect(spec);
    opened.add(p);
    return p;
  }

  // ---------------------------------------------------------------- the world now

  /** The simulator's world (GET /_sim/state's "world"), as plain data. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> state() {
    return (Map<String, Object>) ((Map<String, Object>) sim.state()).get("world");
  }

  /** Instances the simulator holds now, by id, as plain data. */
  public Map<String, Map<String, Object>> instances() {
    return byId("instances");
  }

  /** Disks (volumes on Volcengine) the simulator holds now, by id, as plain data. */
  public Map<String, Map<String, Object>> disks() {
    Map<String, Object> state = state();
    return byId(state.containsKey("disks") ? "disks" : "volumes");
  }

  /** One instance as the simulator holds it now; fails when there is none. */
  public Map<String, Object> instance(String id) {
    Map<String, Object> i = instances().get(id);
    if (i == null) {
      throw new AssertionError("no instance " + id + " in the simulated world");
    }
    return i;
  }

  /** One disk as the simulator holds it now; fails when there is none. */
  public Map<String, Object> disk(String id) {
    Map<String, Object> d = disks().get(id);
    if (d == null) {
      throw new AssertionError("no disk " + id + " in the simulated world");
    }
    return d;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Map<String, Object>> byId(String key) {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    Object list = state().get(key);
    if (list instanceof List<?> l) {
      for (Object o : l) {
        Map<String, Object> m = (Map<String, Object>) o;
        out.putIfAbsent(String.valueOf(m.get("id")), m);
      }
    }
    return out;
  }

  @Override
  public void close() {
    for (AutoCloseable c : opened) {
      try {
        c.close();
      } catch (Exception e) {
        // closing a test's adapter: nothing to do about it
      }
    }
    sim.close();
  }
}
