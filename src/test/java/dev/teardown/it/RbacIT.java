package dev.teardown.it;

import static dev.teardown.testing.LedgerAssert.ledgerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.teardown.OperatorRuntime;
import dev.teardown.api.v1alpha1.Phase;
import dev.teardown.controller.ProviderRegistry;
import dev.teardown.sim.tencent.TencentSimulator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator as the ServiceAccount of {@code deploy/} (impersonated by the admin client) with
 * exactly the RBAC of {@code deploy/rbac.yaml}, leader election on as in {@code
 * deploy/deployment.yaml}: every flow ends Done, events are recorded, a finished deletion's
 * finalizer goes. The same objects with one rule removed make it fail, so the impersonation really
 * confines the operator.
 */
class RbacIT {
  private static final String SA_NS = "teardown-system";
  private static final String SA = "teardown-operator";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private TencentSimulator sim;
  private OperatorHarness h;
  private KubernetesClient operatorClient;
  private OperatorRuntime operator;

  @BeforeEach
  void start() {
    TestKube.real();
    sim = Fleet.simulator(3);
    h =
        OperatorHarness.withoutOperator(
            Map.of(TencentSimulator.PROVIDER, sim.endpoint()), ProviderRegistry.discover());
    Fleet.keys(h);
  }

  @AfterEach
  void stop() {
    if (operatorClient != null) {
      operatorClient.close();
    }
    if (operator != null) {
      operator.close();
    }
    if (h != null) {
      h.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  @Test
  void asTheServiceAccountOfDeployWithExactlyItsRbacEveryFlowEndsDone() throws IOException {
    List<HasMetadata> objects = deployObjects();
    h.client().resourceList(objects).forceConflicts().serverSideApply();
    startOperatorAs(SA);

    for (int i = 0; i < 3; i++) {
      Fleet.delete(h, "rbac-" + i, i);
    }
    for (int i = 0; i < 3; i++) {
      h.awaitPhase("rbac-" + i, Phase.Done, WAIT);
      assertThat(h.events("rbac-" + i)).as("events are recorded").isNotEmpty();
    }
    assertThat(sim.orphanedDisks(IntStream.range(0, 3).mapToObj(Fleet::instance).toList()))
        .isEmpty();
    assertThat(
            h.client()
                .leases()
                .inNamespace(SA_NS)
                .withName(leaseName())
                .get()
                .getSpec()
                .getHolderIdentity())
        .as("the Lease in teardown-system is held")
        .isNotBlank();

    // deleting a finished deletion: the operator removes its finalizer, the resource goes
    h.delete("rbac-0");
    await().atMost(WAIT).until(() -> h.get("rbac-0") == null);
  }

  @Test
  void withoutTheStatusPermissionNoDeletionEndsDone() throws IOException {
    String sa = "teardown-no-status";
    List<HasMetadata> objects = new ArrayList<>();
    for (HasMetadata o : deployObjects()) {
      HasMetadata copy = renamed(o, sa);
      if (copy instanceof ClusterRole role
          && role.getMetadata().getName().equals(sa + "-teardown-operator")) {
        List<PolicyRule> rules = new ArrayList<>(role.getRules());
        assertThat(rules.removeIf(r -> r.getResources().contains("cloudinstancedeletions/status")))
            .isTrue();
        role.setRules(rules);
      }
      objects.add(copy);
    }
    h.client().resourceList(objects).forceConflicts().serverSideApply();
    startOperatorAs(sa);

    Fleet.delete(h, "forbidden", 0);
    // the operator leads and reconciles (its finalizer is on), but cannot record anything, so it
    // does nothing
    await().atMost(WAIT).until(() -> !h.get("forbidden").getMetadata().getFinalizers().isEmpty());
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> h.phase("forbidden") == null);
    assertThat(ledgerOf(sim).count("TerminateInstances"))
        .as("nothing done without recording it first")
        .isZero();
  }

  private String leaseName() {
    return "teardown-" + h.ns();
  }

  private void startOperatorAs(String sa) {
    Config config = Config.fromKubeconfig(h.kube().kubeconfig());
    config.setImpersonateUsername("system:serviceaccount:" + SA_NS + ":" + sa);
    config.setImpersonateGroups(
        "system:serviceaccounts", "system:serviceaccounts:" + SA_NS, "system:authenticated");
    operatorClient = new KubernetesClientBuilder().withConfig(config).build();
    // as deploy/deployment.yaml: leader election on, the Lease in the operator's namespace
    operator =
        OperatorHarness.startOperator(
            operatorClient,
            OperatorHarness.config(
                Map.of(TencentSimulator.PROVIDER, sim.endpoint()),
                h.ns(),
                Map.of(
                    "TEARDOWN_LEADER_ELECTION",
                    "true",
                    "TEARDOWN_LEASE_NAMESPACE",
                    SA_NS,
                    "TEARDOWN_LEASE_NAME",
                    leaseName())),
            ProviderRegistry.discover());
  }

  /** deploy/'s namespace, ServiceAccount and RBAC objects, as committed. */
  private static List<HasMetadata> deployObjects() throws IOException {
    Path deploy = Path.of("deploy");
    List<HasMetadata> out = new ArrayList<>();
    for (String f : List.of("namespace.yaml", "serviceaccount.yaml", "rbac.yaml")) {
      try (InputStream in = Files.newInputStream(deploy.resolve(f))) {
        Object parsed = Serialization.unmarshal(in);
        if (parsed instanceof List<?> l) {
          l.forEach(o -> out.add((HasMetadata) o));
        } else {
          out.add((HasMetadata) parsed);
        }
      }
    }
    assertThat(out)
        .extracting(HasMetadata::getKind)
        .contains("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
    return out;
  }

  /**
   * The object for ServiceAccount {@code sa} instead of teardown-operator: own names, bindings to
   * it.
   */
  private static HasMetadata renamed(HasMetadata o, String sa) {
    HasMetadata c = Serialization.clone(o);
    switch (c.getKind()) {
      case "Namespace" -> {
        return c;
      }
      case "ServiceAccount" -> c.getMetadata().setName(sa);
      case "ClusterRoleBinding" -> {
        ClusterRoleBinding b = (ClusterRoleBinding) c;
        b.getRoleRef().setName(sa + "-" + b.getRoleRef().getName());
        b.getSubjects().forEach(s -> s.setName(sa));
      }
      case "RoleBinding" -> {
        RoleBinding b = (RoleBinding) c;
        b.getRoleRef().setName(sa + "-" + b.getRoleRef().getName());
        b.getSubjects().forEach(s -> s.setName(sa));
      }
      default -> {}
    }
    if (!c.getKind().equals("ServiceAccount")) {
      c.getMetadata().setName(sa + "-" + c.getMetadata().getName());
    }
    return c;
  }
}
