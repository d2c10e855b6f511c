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
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The operator on the embedded Kubernetes API, pointed at simulators; fast timings so tests finish quickly. */
public final class OperatorHarness implements AutoCloseable {
  public static final String NS = "default";

  private final EmbeddedKube kube;
  private final OperatorConfig config;
  private final ProviderRegistry registry;
  private OperatorRuntime runtime;

  private OperatorHarness(EmbeddedKube kube, OperatorConfig config, ProviderRegistry registry) {
    this.kube = kube;
    this.config = config;
    this.registry = registry;
  }

  /** Starts the API and the operator with the given endpoint overrides (provider name → simulator URI). */
  public static OperatorHarness start(Map<String, URI> endpoints) {
    return start(endpoints, ProviderRegistry.discover());
  }

  /** Starts with an explicit set of adapters (e.g. a fake cloud). */
  public static OperatorHarness start(Map<String, URI> endpoints, ProviderRegistry registry) {
    OperatorConfig config = OperatorConfig.defaults()
        .withEndpoints(endpoints)
        .withTimings(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofSeconds(2))
        .withCloudTimeout(Duration.ofSeconds(2))
        .withMetricsPort(0);
    OperatorHarness h = new OperatorHarness(EmbeddedKube.start(0), config, registry);
    h.startOperator();
    return h;
  }

  public KubernetesClient client() {
    return kube.client();
  }

  public OperatorRuntime runtime() {
    return runtime;
  }

  public void startOperator() {
    try {
      runtime = OperatorRuntime.start(kube.client(), config, Clock.systemUTC(), false, registry);
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
    kube.client().secrets().inNamespace(NS).resource(new SecretBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build())
        .withStringData(values).build()).create();
  }

  /** Creates a deletion with defaults (Release, Keep, no dry run) adjusted by {@code spec}. */
  public CloudInstanceDeletion create(String name, Provider provider, String region, String secret, List<String> ids,
      Consumer<CloudInstanceDeletionSpec> adjust) {
    CloudInstanceDeletion r = new CloudInstanceDeletion();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    CloudInstanceDeletionSpec s = new CloudInstanceDeletionSpec();
    s.setProvider(provider);
    s.setRegion(region);
    s.setInstanceIds(List.copyOf(ids));
    s.setCredentialsSecretRef(new SecretReference(secret));
    adjust.accept(s);
    r.setSpec(s);
    return kube.client().resources(CloudInstanceDeletion.class).inNamespace(NS).resource(r).create();
  }

  public CloudInstanceDeletion get(String name) {
    return kube.client().resources(CloudInstanceDeletion.class).inNamespace(NS).withName(name).get();
  }

  public Phase phase(String name) {
    CloudInstanceDeletion r = get(name);
    return r == null || r.getStatus() == null ? null : r.getStatus().getPhase();
  }

  /** Waits (bounded) until the deletion reaches the phase; fails early if it reaches another terminal phase. */
  public CloudInstanceDeletion awaitPhase(String name, Phase phase, Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> {
      Phase p = phase(name);
      if (p != null && p.isTerminal() && p != phase) {
        throw new AssertionError(name + " ended " + p + " instead of " + phase + ": " + get(name).getStatus().getMessage());
      }
      return p == phase;
    });
    return get(name);
  }

  public List<Event> events(String name) {
    return kube.client().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
  }

  @Override
  public void close() {
    stopOperator();
    kube.close();
  }
}
