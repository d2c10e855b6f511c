package dev.teardown.controller;

import dev.teardown.config.OperatorConfig;
import dev.teardown.sandbox.EmbeddedKube;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A reconciler driven one pass at a time (no operator loop) on the in-process API, with the Secret
 * {@code keys} in namespace {@code default} and a fake cloud behind it.
 */
final class OnePass implements AutoCloseable {
  final EmbeddedKube kube;
  final KubernetesClient client;
  final DeletionReconciler reconciler;

  OnePass(FakeCloud cloud) {
    kube = EmbeddedKube.start(0);
    client = kube.client();
    client
        .secrets()
        .inNamespace("default")
        .resource(
            new SecretBuilder()
                .withMetadata(
                    new ObjectMetaBuilder().withName("keys").withNamespace("default").build())
                .withStringData(Map.of("secretId", "AKIDfake", "secretKey", "fake"))
                .build())
        .create();
    OperatorConfig config =
        OperatorConfig.defaults()
            .withTimings(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofSeconds(2));
    reconciler =
        new DeletionReconciler(
            new ProviderRegistry(List.of(cloud)),
            new ConnectionCache(new SimpleMeterRegistry()),
            config,
            Clock.systemUTC(),
            new SimpleMeterRegistry());
  }

  @Override
  public void close() {
    kube.close();
  }
}
