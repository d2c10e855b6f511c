package dev.teardown.it;

import static org.awaitility.Awaitility.await;

import dev.teardown.OperatorRuntime;
import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.SecretReference;
import dev.teardown.config.OperatorConfig;
import dev.teardown.controller.ProviderRegistry;
import dev.teardown.sandbox.EmbeddedKube;
import dev.teardown.sandbox.KubeApi;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The operator pointed at simulators (fast timings so tests finish quickly), on the suite's real
 * Kubernetes API server ({@link TestKube}) in a namespace of its own that the operator alone
 * watches. Without the real server's binaries (no Go here, and CI is not set) it falls back to a
 * fresh in-process mock API.
 */
public final class OperatorHarness implements AutoCloseable {
  private final KubeApi kube;
  private final boolean ownsKube;
  private final String ns;
  private final OperatorConfig config;
  private final ProviderRegistry registry;
  private OperatorRuntime runtime;

  private OperatorHarness(
      KubeApi kube, boolean ownsKube, String ns, OperatorConfig config, ProviderRegistry registry) {
    this.kube = kube;
    this.ownsKube = ownsKube;
    this.ns = ns;
    this.config = config;
    this.registry = registry;
  }

  /**
   * Starts the API and the operator with the given endpoint overrides (provider name → simulator
   * URI).
   */
  public static OperatorHarness start(Map<String, URI> endpoints) {
    return start(endpoints, ProviderRegistry.discover());
  }

  /** Starts with an explicit set of adapters (e.g. a fake cloud). */
  public static OperatorHarness start(Map<String, URI> endpoints, ProviderRegistry registry) {
    OperatorHarness h = withoutOperator(endpoints, registry);
    h.startOperator();
    return h;
  }

  /**
   * The API and a fresh namespace, no operator yet ({@link #startOperator()} or one of the test's
   * own).
   */
  public static OperatorHarness withoutOperator(
      Map<String, URI> endpoints, ProviderRegistry registry) {
    KubeApi real = TestKube.realOrNull();
    KubeApi kube = real != null ? real : EmbeddedKube.start(0);
    String ns = TestKube.namespace(kube.client(), "it");
    return new OperatorHarness(kube, real == null, ns, config(endpoints, ns, Map.of()), registry);
  }

  /**
   * The operator on fabric8's mock API, whatever the suite runs on: for what a real server refuses
   * on purpose, such as a change of {@code spec} past the CRD's immutability rule (what a server
   * without CEL, or a CRD applied without its validation, lets through).
   */
  public static OperatorHarness startOnMock(Map<String, URI> endpoints, ProviderRegistry registry) {
    KubeApi kube = EmbeddedKube.start(0);
    String ns = TestKube.namespace(kube.client(), "it");
    OperatorHarness h =
        new OperatorHarness(kube, true, ns, config(endpoints, ns, Map.of()), registry);
    h.startOperator();
    return h;
  }

  /**
   * The operator settings of the tests: fast timings, the given endpoints, only namespace {@code
   * ns} watched (the server is shared by the whole suite), plus {@code env} (TEARDOWN_* variables,
   * e.g. leader election).
   */
  public static OperatorConfig config(
      Map<String, URI> endpoints, String ns, Map<String, String> env) {
    Map<String, String> vars = new HashMap<>(env);
    vars.put("TEARDOWN_NAMESPACES", ns);
    return OperatorConfig.from(vars::get)
        .withEndpoints(endpoints)
        .withTimings(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofSeconds(2))
        .withCloudTimeout(Duration.ofSeconds(2))
        .withMetricsPort(0);
  }

  /** The admin client (cluster-admin on the real server). */
  public KubernetesClient client() {
    return kube.client();
  }

  public KubeApi kube() {
    return kube;
  }

  /** This test's namespace. */
  public String ns() {
    return ns;
  }

  public OperatorConfig config() {
    return config;
  }

  public OperatorRuntime runtime() {
    return runtime;
  }

  public void startOperator() {
    runtime = startOperator(kube.client(), config, registry);
  }

  /**
   * Another operator on the given client (another identity, or one a test crashes) with the given
   * settings.
   */
  public static OperatorRuntime startOperator(
      KubernetesClient client, OperatorConfig config, ProviderRegistry registry) {
    try {
      return OperatorRuntime.start(client, config, Clock.systemUTC(), false, registry);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the operator at once, wherever it is (a crash as far as the cloud is concerned). */
  public void stopOperator() {
    if (runtime != null) {
      runtime.close();
      runtime = null;
    }
  }

  public void restartOperator() {
    stopOperator();
    startOperator();
  }

  public void secret(String name, Map<String, String> values) {
    kube.client()
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build())
                .withStringData(values)
                .build())
        .create();
  }

  /** Creates a deletion with defaults (Release, Keep, no dry run) adjusted by {@code spec}. */
  public CloudInstanceDeletion create(
      String name,
      Provider provider,
      String region,
      String secret,
      List<String> ids,
      Consumer<CloudInstanceDeletionSpec> adjust) {
    return create(name, provider, region, secret, ids, adjust, Map.of());
  }

  /** Creates a deletion with annotations (a person's controls, e.g. teardown.dev/paused). */
  public CloudInstanceDeletion create(
      String name,
      Provider provider,
      String region,
      String secret,
      List<String> ids,
      Consumer<CloudInstanceDeletionSpec> adjust,
      Map<String, String> annotations) {
    CloudInstanceDeletion r = new CloudInstanceDeletion();
    r.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(ns)
            .withAnnotations(new HashMap<>(annotations))
            .build());
    CloudInstanceDeletionSpec s = new CloudInstanceDeletionSpec();
    s.setProvider(provider);
    s.setRegion(region);
    s.setInstanceIds(List.copyOf(ids));
    s.setCredentialsSecretRef(new SecretReference(secret));
    adjust.accept(s);
    r.setSpec(s);
    return kube.client()
        .resources(CloudInstanceDeletion.class)
        .inNamespace(ns)
        .resource(r)
        .create();
  }

  /**
   * Sets (or, with null, removes) an annotation with a JSON merge patch: it carries no
   * resourceVersion, so it cannot lose a race with the operator's status writes.
   */
  public void annotate(String name, String key, String value) {
    String v = value == null ? "null" : "\"" + value + "\"";
    mergePatch(name, "{\"metadata\":{\"annotations\":{\"" + key + "\":" + v + "}}}");
  }

  /**
   * Changes the spec with a JSON merge patch of {@code specJson} (an object of spec fields), the
   * way a person edits it; like {@link #annotate}, it cannot lose a race with status writes.
   */
  public void patchSpec(String name, String specJson) {
    mergePatch(name, "{\"spec\":" + specJson + "}");
  }

  private void mergePatch(String name, String json) {
    kube.client()
        .resources(CloudInstanceDeletion.class)
        .inNamespace(ns)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), json);
  }

  /** Deletes the resource (the finalizer keeps it until the operator lets it go). */
  public void delete(String name) {
    kube.client().resources(CloudInstanceDeletion.class).inNamespace(ns).withName(name).delete();
  }

  public CloudInstanceDeletion get(String name) {
    return kube.client()
        .resources(CloudInstanceDeletion.class)
        .inNamespace(ns)
        .withName(name)
        .get();
  }

  public Phase phase(String name) {
    CloudInstanceDeletion r = get(name);
    return r == null || r.getStatus() == null ? null : r.getStatus().getPhase();
  }

  /**
   * Waits (bounded) until the deletion reaches the phase; fails early if it reaches another
   * terminal phase.
   */
  public CloudInstanceDeletion awaitPhase(String name, Phase phase, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              Phase p = phase(name);
              if (p != null && p.isTerminal() && p != phase) {
                throw new AssertionError(
                    name
                        + " ended "
                        + p
                        + " instead of "
                        + phase
                        + ": "
                        + get(name).getStatus().getMessage());
              }
              return p == phase;
            });
    return get(name);
  }

  /**
   * The events about {@code name}, in the order they were last written (by resourceVersion: event
   * names are hashes, and their timestamps have a resolution of one second).
   */
  public List<Event> events(String name) {
    return kube.client().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .sorted(java.util.Comparator.comparingLong(OperatorHarness::writeOrder))
        .toList();
  }

  private static long writeOrder(Event e) {
    try {
      return Long.parseLong(e.getMetadata().getResourceVersion());
    } catch (NumberFormatException | NullPointerException x) {
      return 0;
    }
  }

  @Override
  public void close() {
    stopOperator();
    if (ownsKube) {
      kube.close();
    }
  }
}
