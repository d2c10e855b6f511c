package dev.teardown.it;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.sandbox.Simulators;
import dev.teardown.sim.CloudSimulator;
import dev.teardown.sim.WorldSpec;
import dev.teardown.testing.TestWorld;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A resource the operator cannot read never stops it: one with a field this build does not know (a
 * CRD upgraded ahead of the operator) is handled as if the field were absent and reported in an
 * event; one whose spec cannot be read at all (a type the schema would refuse, stored before the
 * schema was tightened) gets a condition and no call; one whose status a newer operator wrote (an
 * unknown phase) is left alone with an event; and a valid deletion created after them still reaches
 * Done. Runs on the embedded API, which, like a lax or older API server, stores whatever it is
 * given.
 */
class UnreadableResourceIT {
  private static final ResourceDefinitionContext CID =
      new ResourceDefinitionContext.Builder()
          .withGroup("teardown.dev")
          .withVersion("v1alpha1")
          .withPlural("cloudinstancedeletions")
          .withKind("CloudInstanceDeletion")
          .withNamespaced(true)
          .build();

  @Test
  void unknownFieldsAreToleratedAndAnUnreadableResourceDoesNotStopTheOthers() {
    WorldSpec world = new WorldSpec();
    TestWorld tencent = TestWorld.of(Provider.TENCENTCLOUD);
    WorldSpec.CloudWorld w = tencent.spec();
    List<String> ids = tencent.fleet("unrd", 4);
    world.clouds.put(tencent.name(), w);
    Map<String, CloudSimulator> sims;
    try {
      sims = Simulators.start(world, "127.0.0.1", 0);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    CloudSimulator sim = sims.get(tencent.name());
    // on the mock: a real server with this CRD prunes unknown fields and refuses wrong types, so
    // what a newer CRD
    // lets through (a CRD upgraded ahead of the operator) is written there directly
    try (OperatorHarness h =
        OperatorHarness.startOnMock(
            Map.<String, URI>of(sim.provider(), sim.endpoint()),
            dev.teardown.controller.ProviderRegistry.discover())) {
      h.secret("keys", tencent.secretWithToken());
      h.client()
          .genericKubernetesResources(CID)
          .inNamespace(h.ns())
          .resource(
              raw(
                  """
          {"apiVersion": "teardown.dev/v1alpha1", "kind": "CloudInstanceDeletion",
           "metadata": {"name": "from-the-future"},
           "spec": {"provider": "tencentcloud", "region": "ap-beijing", "instanceIds": ["%s"],
                    "credentialsSecretRef": {"name": "keys"}, "approval": {"ticket": "CHG-1"},
                    "someFutureFlag": true}}"""
                      .formatted(ids.get(0))))
          .create();
      h.client()
          .genericKubernetesResources(CID)
          .inNamespace(h.ns())
          .resource(
              raw(
                  """
          {"apiVersion": "teardown.dev/v1alpha1", "kind": "CloudInstanceDeletion",
           "metadata": {"name": "unreadable"},
           "spec": {"provider": "tencentcloud", "region": "ap-beijing", "instanceIds": {"id": "%s"},
                    "credentialsSecretRef": "keys", "dryRun": "maybe"}}"""
                      .formatted(ids.get(1))))
          .create();
      // written by a newer operator before a downgrade: a phase this build does not know (no
      // operator runs meanwhile)
      h.stopOperator();
      GenericKubernetesResource future =
          h.client()
              .genericKubernetesResources(CID)
              .inNamespace(h.ns())
              .resource(
                  raw(
                      """
          {"apiVersion": "teardown.dev/v1alpha1", "kind": "CloudInstanceDeletion",
           "metadata": {"name": "status-from-the-future"},
           "spec": {"provider": "tencentcloud", "region": "ap-beijing", "instanceIds": ["%s"],
                    "credentialsSecretRef": {"name": "keys"}}}"""
                          .formatted(ids.get(3))))
              .create();
      future.setAdditionalProperty("status", Map.of("phase", "Paused", "someNewCounter", 3));
      h.client()
          .genericKubernetesResources(CID)
          .inNamespace(h.ns())
          .resource(future)
          .updateStatus();
      h.startOperator();
      h.create("valid", tencent.provider(), tencent.region(), "keys", List.of(ids.get(2)), s -> {});

      h.awaitPhase("valid", Phase.Done, Duration.ofSeconds(30));
      h.awaitPhase("from-the-future", Phase.Done, Duration.ofSeconds(30));
      assertThat(sim.orphanedDisks(List.of(ids.get(0), ids.get(2)))).isEmpty();
      assertThat(ledgerOf(sim).count("TerminateInstances", ids.get(1)))
          .as("nothing done for the unreadable one")
          .isZero();
      assertThat(h.runtime().operator().getRuntimeInfo().allEventSourcesAreHealthy()).isTrue();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                var st = h.get("unreadable").getStatus();
                assertThat(st).isNotNull();
                assertThat(st.getConditions())
                    .anySatisfy(
                        c -> {
                          assertThat(c.getType()).isEqualTo("SpecReadable");
                          assertThat(c.getStatus()).isEqualTo("False");
                          assertThat(c.getReason()).isEqualTo("SpecUnreadable");
                          assertThat(c.getMessage())
                              .contains("spec.")
                              .contains("cannot be read")
                              .doesNotContain("maybe");
                        });
                assertThat(st.getPhase()).isEqualTo(Phase.Pending);
              });
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(h.events("status-from-the-future"))
                      .anySatisfy(
                          e -> {
                            assertThat(e.getReason()).isEqualTo("StatusUnreadable");
                            assertThat(e.getMessage()).contains("status.phase cannot be read");
                          }));
      assertThat(ledgerOf(sim).count("TerminateInstances", ids.get(3)))
          .as("nothing done without a readable status")
          .isZero();
      assertThat(
              h.client()
                  .genericKubernetesResources(CID)
                  .inNamespace(h.ns())
                  .withName("status-from-the-future")
                  .get()
                  .getAdditionalProperties()
                  .get("status")
                  .toString())
          .as("the stored status is left as it was")
          .contains("Paused");
      assertThat(h.get("from-the-future").getStatus().getConditions())
          .noneSatisfy(c -> assertThat(c.getType()).isEqualTo("SpecReadable"));
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(h.events("from-the-future"))
                      .anySatisfy(
                          e -> {
                            assertThat(e.getReason()).isEqualTo("UnknownFields");
                            assertThat(e.getMessage())
                                .contains("spec.approval", "spec.someFutureFlag");
                          }));
    } finally {
      sims.values().forEach(CloudSimulator::close);
    }
  }

  private static GenericKubernetesResource raw(String json) {
    return Serialization.unmarshal(json, GenericKubernetesResource.class);
  }
}
