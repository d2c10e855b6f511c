package dev.teardown.it;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.OperatorRuntime;
import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.SecretReference;
import dev.teardown.config.OperatorConfig;
import dev.teardown.controller.ProviderRegistry;
import dev.teardown.sim.CallLedger;
import dev.teardown.sim.tencent.TencentSimulator;
import dev.teardown.testing.TestWorld;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two operators on one Kubernetes API (the suite's real server, in a namespace of this test's),
 * each with its own label selector (TEARDOWN_SELECTOR) and half the rate budget, as two shard
 * Deployments would run. Each talks to its own copy of the same simulated cloud, so the two ledgers
 * show which operator touched which instance: every deletion is handled by exactly one shard, and a
 * deletion no selector matches by none.
 */
class ShardingIT {
  static final String REGION = "ap-beijing";
  static final String ID = "AKIDshardingit0001";
  static final String KEY = "sharding-it-secret";
  static final List<String> A = List.of("ins-shard0a1", "ins-shard0a2", "ins-shard0a3");
  static final List<String> B = List.of("ins-shard0b1", "ins-shard0b2", "ins-shard0b3");
  static final String UNLABELED = "ins-shard0z1";

  OperatorHarness h;
  TencentSimulator simA;
  TencentSimulator simB;
  OperatorRuntime shardA;
  OperatorRuntime shardB;

  @AfterEach
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {shardA, shardB, simA, simB, h}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          // closing
        }
      }
    }
  }

  static TestWorld world() {
    TestWorld w =
        TestWorld.of(Provider.TENCENTCLOUD)
            .region(REGION)
            .instanceZone(REGION + "-3")
            .keys(ID, KEY)
            .noTimings()
            .timing("terminate", 150)
            .timing("detach", 100);
    for (String id : concat(A, B, List.of(UNLABELED))) {
      w.instance(id).withDisks(id.replace("ins-", "disk-"));
    }
    return w;
  }

  @SafeVarargs
  static List<String> concat(List<String>... lists) {
    return java.util.Arrays.stream(lists).flatMap(List::stream).toList();
  }

  OperatorRuntime shard(TencentSimulator sim, String selector) {
    OperatorConfig c =
        OperatorHarness.config(Map.of("tencentcloud", sim.endpoint()), h.ns(), Map.of())
            .withShard(selector, 0.5);
    return OperatorHarness.startOperator(h.client(), c, ProviderRegistry.discover());
  }

  void deletion(KubernetesClient client, String name, String shard, String instanceId) {
    CloudInstanceDeletion d = new CloudInstanceDeletion();
    ObjectMetaBuilder meta = new ObjectMetaBuilder().withName(name).withNamespace(h.ns());
    if (shard != null) {
      meta.withLabels(Map.of("teardown.dev/shard", shard));
    }
    d.setMetadata(meta.build());
    CloudInstanceDeletionSpec s = new CloudInstanceDeletionSpec();
    s.setProvider(Provider.TENCENTCLOUD);
    s.setRegion(REGION);
    s.setInstanceIds(List.of(instanceId));
    s.setCredentialsSecretRef(new SecretReference("tencent-keys"));
    d.setSpec(s);
    client.resource(d).create();
  }

  @Test
  void twoShardsSplitTheDeletionsByLabelAndNoDeletionIsHandledTwice() throws Exception {
    h = OperatorHarness.withoutOperator(Map.of(), ProviderRegistry.discover());
    simA = world().start().sim();
    simB = world().start().sim();
    KubernetesClient client = h.client();
    h.secret("tencent-keys", world().secret());
    shardA = shard(simA, "teardown.dev/shard=a");
    shardB = shard(simB, "teardown.dev/shard in (b)");

    for (String id : A) {
      deletion(client, "del-" + id, "a", id);
    }
    for (String id : B) {
      deletion(client, "del-" + id, "b", id);
    }
    deletion(client, "del-unlabeled", null, UNLABELED);

    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                concat(A, B).stream()
                    .allMatch(
                        id -> {
                          CloudInstanceDeletion d =
                              client
                                  .resources(CloudInstanceDeletion.class)
                                  .inNamespace(h.ns())
                                  .withName("del-" + id)
                                  .get();
                          return d.getStatus() != null && d.getStatus().getPhase() == Phase.Done;
                        }));

    Set<String> touchedByA = ids(simA);
    Set<String> touchedByB = ids(simB);
    assertThat(touchedByA).containsAll(A).doesNotContainAnyElementsOf(B).doesNotContain(UNLABELED);
    assertThat(touchedByB).containsAll(B).doesNotContainAnyElementsOf(A).doesNotContain(UNLABELED);
    Set<String> both = new HashSet<>(touchedByA);
    both.retainAll(touchedByB);
    assertThat(both).as("instances or disks touched by both shards").isEmpty();
    assertThat(ledgerOf(simA).effective("TerminateInstances", A.get(0))).isEqualTo(1);
    assertThat(
            client
                .resources(CloudInstanceDeletion.class)
                .inNamespace(h.ns())
                .withName("del-unlabeled")
                .get()
                .getStatus())
        .as("no shard selects it")
        .isNull();
  }

  static Set<String> ids(TencentSimulator sim) {
    return ledgerOf(sim).all().stream()
        .map(CallLedger.Call::ids)
        .flatMap(List::stream)
        .collect(Collectors.toSet());
  }
}
