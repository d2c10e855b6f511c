package dev.teardown;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/ parsed with fabric8's serialization, as the API server would type it, and held to its
 * safety properties: a non-root, read-only, capability-free pod with probes and limits, and RBAC
 * without wildcards or Secret listing.
 */
class DeployManifestsTest {
  private static final String NAMESPACE = "teardown-system";
  private static final String SERVICE_ACCOUNT = "teardown-operator";
  private static final Path DEPLOY =
      Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("deploy");
  private static final String KUSTOMIZATION = "kustomization.yaml";

  private static List<HasMetadata> resources;

  @BeforeAll
  static void parse() throws IOException {
    resources = new ArrayList<>();
    KubernetesSerialization serialization = new KubernetesSerialization();
    for (Path file : manifestFiles()) {
      try (InputStream in = Files.newInputStream(file)) {
        Object parsed = serialization.unmarshal(in);
        if (parsed instanceof List<?> list) {
          list.stream().filter(Objects::nonNull).forEach(o -> resources.add((HasMetadata) o));
        } else if (parsed != null) {
          resources.add((HasMetadata) parsed);
        }
      }
    }
  }

  private static List<Path> manifestFiles() throws IOException {
    try (Stream<Path> files = Files.list(DEPLOY)) {
      return files
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .filter(p -> !p.getFileName().toString().equals(KUSTOMIZATION))
          .sorted()
          .toList();
    }
  }

  private static <T extends HasMetadata> List<T> all(Class<T> type) {
    return resources.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static <T extends HasMetadata> T one(Class<T> type) {
    List<T> found = all(type);
    assertThat(found).as(type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  // ---- shape
  // -------------------------------------------------------------------------------------------------

  @Test
  void everyManifestIsAKnownKubernetesType() {
    assertThat(resources).isNotEmpty();
    assertThat(resources)
        .as("a typo in apiVersion or kind leaves a generic resource")
        .noneMatch(r -> r instanceof GenericKubernetesResource);
    assertThat(resources.stream().map(HasMetadata::getKind).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(
            "Namespace",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "Deployment",
            "Service",
            "PodDisruptionBudget",
            "NetworkPolicy");
  }

  @Test
  void namespacedResourcesLiveInTheOperatorNamespace() {
    assertThat(one(Namespace.class).getMetadata().getName()).isEqualTo(NAMESPACE);
    for (HasMetadata r : resources) {
      if (r instanceof Namespace || r instanceof ClusterRole || r instanceof ClusterRoleBinding) {
        assertThat(r.getMetadata().getNamespace()).as(r.getKind()).isNull();
      } else {
        assertThat(r.getMetadata().getNamespace())
            .as("%s %s", r.getKind(), r.getMetadata().getName())
            .isEqualTo(NAMESPACE);
      }
    }
  }

  @Test
  void kustomizationListsEveryManifestAndTheCrds() throws IOException {
    Map<?, ?> kustomization =
        new KubernetesSerialization()
            .unmarshal(Files.readString(DEPLOY.resolve(KUSTOMIZATION)), Map.class);
    List<String> expected =
        new ArrayList<>(manifestFiles().stream().map(p -> p.getFileName().toString()).toList());
    expected.add("../crds");

    List<String> listed =
        ((List<?>) kustomization.get("resources")).stream().map(String::valueOf).toList();

    assertThat(listed).containsExactlyInAnyOrderElementsOf(expected);
  }

  // ---- the pod
  // -----------------------------------------------------------------------------------------------

  @Test
  void theOperatorPodRunsAsNonRootWithARestrictedContainer() {
    PodSpec pod = one(Deployment.class).getSpec().getTemplate().getSpec();

    assertThat(pod.getServiceAccountName()).isEqualTo(SERVICE_ACCOUNT);
    assertThat(podViolations(pod)).isEmpty();
  }

  @Test
  void theOperatorContainerHasImageProbesAndResources() {
    Container c = one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);

    assertThat(c.getImage()).isEqualTo("teardown:0.1.0");
    assertThat(c.getPorts())
        .anyMatch(p -> p.getContainerPort() == 8080 && "http".equals(p.getName()));
    assertThat(httpPath(c.getLivenessProbe())).isEqualTo("/healthz");
    assertThat(httpPath(c.getStartupProbe()))
        .as("liveness waits for a start that takes time")
        .isEqualTo("/healthz");
    assertThat(httpPath(c.getReadinessProbe())).isEqualTo("/readyz");
    assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(c.getResources().getLimits()).containsKey("memory");
  }

  @Test
  void theOperatorIsConfiguredThroughTeardownEnvironmentVariables() {
    Container c = one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, String> env =
        c.getEnv().stream()
            .collect(
                Collectors.toMap(EnvVar::getName, e -> e.getValue() == null ? "" : e.getValue()));

    assertThat(env)
        .containsEntry("TEARDOWN_LEADER_ELECTION", "true")
        .containsEntry("TEARDOWN_NAMESPACES", "")
        .containsEntry("TEARDOWN_METRICS_PORT", "8080");
    assertThat(c.getEnv())
        .as("no secret material in the Deployment")
        .allMatch(e -> e.getValueFrom() == null);
  }

  @Test
  void theMetricsServiceSelectsTheOperatorPodsOnItsHttpPort() {
    Service service = one(Service.class);
    Map<String, String> podLabels =
        one(Deployment.class).getSpec().getTemplate().getMetadata().getLabels();

    assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
    assertThat(service.getSpec().getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http"))
        .satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
    assertThat(service.getMetadata().getAnnotations())
        .containsEntry("prometheus.io/path", "/metrics");
  }

  // ---- production: replicas, spreading, disruption, drain, network, pinning
  // ---------------------------------

  private static Map<String, String> podLabels() {
    return one(Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
  }

  @Test
  void twoReplicasWithLeaderElectionSpreadOverNodes() {
    Deployment d = one(Deployment.class);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    Map<String, String> env =
        pod.getContainers().get(0).getEnv().stream()
            .collect(
                Collectors.toMap(EnvVar::getName, e -> e.getValue() == null ? "" : e.getValue()));

    assertThat(d.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
    assertThat(env)
        .as("more than one replica needs the Lease")
        .containsEntry("TEARDOWN_LEADER_ELECTION", "true");
    assertThat(
            pod.getAffinity()
                .getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution())
        .anySatisfy(
            t -> {
              assertThat(t.getPodAffinityTerm().getTopologyKey())
                  .isEqualTo("kubernetes.io/hostname");
              assertThat(podLabels())
                  .containsAllEntriesOf(t.getPodAffinityTerm().getLabelSelector().getMatchLabels());
            });
    assertThat(pod.getTopologySpreadConstraints())
        .extracting(t -> t.getTopologyKey())
        .contains("topology.kubernetes.io/zone", "kubernetes.io/hostname");
    assertThat(pod.getTopologySpreadConstraints())
        .allSatisfy(
            t ->
                assertThat(podLabels())
                    .containsAllEntriesOf(t.getLabelSelector().getMatchLabels()));
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .as("a rollout never takes both replicas down")
        .isZero();
  }

  @Test
  void thePodDisruptionBudgetKeepsOneReplicaUp() {
    PodDisruptionBudget pdb = one(PodDisruptionBudget.class);
    int replicas = one(Deployment.class).getSpec().getReplicas();

    assertThat(podLabels()).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
    assertThat(pdb.getSpec().getMinAvailable()).isNull();
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isBetween(1, replicas - 1);
  }

  @Test
  void theGracePeriodIsLongerThanTheOperatorsDrain() {
    PodSpec pod = one(Deployment.class).getSpec().getTemplate().getSpec();
    Map<String, String> env = new java.util.HashMap<>();
    pod.getContainers().get(0).getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
    long drain = OperatorRuntime.drainTime(OperatorConfig.from(env::get)).toSeconds();

    assertThat(drain).isEqualTo(45);
    assertThat(pod.getTerminationGracePeriodSeconds())
        .as("SIGKILL must not come before reconciles in flight finish their status write")
        .isGreaterThanOrEqualTo(drain + 15);
  }

  @Test
  void theNetworkPolicyAdmitsOnlyTheHttpPortAndLetsTheOperatorReachDnsAndHttps() {
    NetworkPolicy np = one(NetworkPolicy.class);

    assertThat(podLabels()).containsAllEntriesOf(np.getSpec().getPodSelector().getMatchLabels());
    assertThat(np.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(np.getSpec().getIngress())
        .flatExtracting(r -> r.getPorts())
        .extracting(p -> p.getPort().getStrVal())
        .containsExactly("http");
    List<Integer> egressPorts =
        np.getSpec().getEgress().stream()
            .flatMap(r -> r.getPorts().stream())
            .map(p -> p.getPort().getIntVal())
            .toList();
    assertThat(egressPorts).contains(53, 443, 6443);
  }

  @Test
  void theServiceMonitorComponentScrapesTheMetricsServicePort() throws IOException {
    Path component = DEPLOY.resolve("components").resolve("servicemonitor");
    Map<?, ?> kustomization =
        new KubernetesSerialization()
            .unmarshal(Files.readString(component.resolve(KUSTOMIZATION)), Map.class);
    assertThat(kustomization.get("kind")).isEqualTo("Component");
    GenericKubernetesResource sm =
        new KubernetesSerialization()
            .unmarshal(
                Files.readString(component.resolve("servicemonitor.yaml")),
                GenericKubernetesResource.class);
    Service service = one(Service.class);

    assertThat(sm.getKind()).isEqualTo("ServiceMonitor");
    assertThat(sm.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    Map<String, Object> selector = sm.get("spec", "selector", "matchLabels");
    assertThat(service.getMetadata().getLabels())
        .containsAllEntriesOf(
            selector.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue()))));
    List<Map<String, Object>> endpoints = sm.get("spec", "endpoints");
    assertThat(endpoints)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.get("port")).isEqualTo(service.getSpec().getPorts().get(0).getName());
              assertThat(e.get("path")).isEqualTo("/metrics");
            });
  }

  @Test
  void everyImageIsPinnedToAnExactVersion() throws IOException {
    Container c = one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(pinned(c.getImage())).as(c.getImage()).isTrue();

    Path dockerfile = DEPLOY.getParent().resolve("Dockerfile");
    List<String> from =
        Files.readAllLines(dockerfile).stream()
            .map(String::trim)
            .filter(l -> l.toUpperCase(java.util.Locale.ROOT).startsWith("FROM "))
            .map(l -> l.split("\\s+")[1])
            .toList();
    assertThat(from).isNotEmpty().allSatisfy(image -> assertThat(pinned(image)).as(image).isTrue());
  }

  @Test
  void thePinCheckRefusesFloatingTags() {
    assertThat(pinned("teardown:0.1.0")).isTrue();
    assertThat(pinned("eclipse-temurin:17.0.16_8-jre-noble")).isTrue();
    assertThat(pinned("busybox@sha256:" + "a".repeat(64))).isTrue();
    assertThat(pinned("teardown:latest")).isFalse();
    assertThat(pinned("eclipse-temurin:17-jre")).isFalse();
    assertThat(pinned("maven:3.9-eclipse-temurin-17")).isFalse();
    assertThat(pinned("teardown")).isFalse();
  }

  /** An image is pinned by a digest or by a tag naming an exact x.y.z version. */
  static boolean pinned(String image) {
    if (image.matches(".+@sha256:[0-9a-f]{64}")) {
      return true;
    }
    int colon = image.lastIndexOf(':');
    return colon > image.lastIndexOf('/')
        && image.substring(colon + 1).matches("\\d+\\.\\d+\\.\\d+([._-].*)?");
  }

  private static String httpPath(Probe probe) {
    assertThat(probe).isNotNull();
    return probe.getHttpGet().getPath();
  }

  /** What a restricted pod must not do; every item is a human-readable violation. */
  static List<String> podViolations(PodSpec pod) {
    List<String> out = new ArrayList<>();
    PodSecurityContext psc = pod.getSecurityContext();
    boolean podNonRoot = psc != null && Boolean.TRUE.equals(psc.getRunAsNonRoot());
    if (Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID())) {
      out.add("pod shares a host namespace");
    }
    for (Container c : pod.getContainers()) {
      out.addAll(containerViolations(c, podNonRoot));
    }
    return out;
  }

  static List<String> containerViolations(Container c, boolean podRunsAsNonRoot) {
    List<String> out = new ArrayList<>();
    SecurityContext sc = c.getSecurityContext();
    if (sc == null) {
      out.add(c.getName() + ": no securityContext");
      return out;
    }
    if (!podRunsAsNonRoot && !Boolean.TRUE.equals(sc.getRunAsNonRoot())) {
      out.add(c.getName() + ": runAsNonRoot is not true");
    }
    if (sc.getRunAsUser() != null && sc.getRunAsUser() == 0) {
      out.add(c.getName() + ": runs as uid 0");
    }
    if (!Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
      out.add(c.getName() + ": readOnlyRootFilesystem is not true");
    }
    if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
      out.add(c.getName() + ": allowPrivilegeEscalation is not false");
    }
    if (Boolean.TRUE.equals(sc.getPrivileged())) {
      out.add(c.getName() + ": privileged");
    }
    if (sc.getCapabilities() == null || !sc.getCapabilities().getDrop().contains("ALL")) {
      out.add(c.getName() + ": capabilities do not drop ALL");
    } else if (sc.getCapabilities().getAdd() != null && !sc.getCapabilities().getAdd().isEmpty()) {
      out.add(c.getName() + ": adds capabilities " + sc.getCapabilities().getAdd());
    }
    return out;
  }

  @Test
  void thePodCheckCatchesAnUnsafeContainer() {
    Container unsafe =
        new ContainerBuilder()
            .withName("bad")
            .withNewSecurityContext()
            .withRunAsUser(0L)
            .withPrivileged(true)
            .withNewCapabilities()
            .withAdd("NET_ADMIN")
            .endCapabilities()
            .endSecurityContext()
            .build();

    assertThat(containerViolations(unsafe, false))
        .containsExactly(
            "bad: runAsNonRoot is not true",
            "bad: runs as uid 0",
            "bad: readOnlyRootFilesystem is not true",
            "bad: allowPrivilegeEscalation is not false",
            "bad: privileged",
            "bad: capabilities do not drop ALL");
  }

  // ---- RBAC
  // --------------------------------------------------------------------------------------------------

  @Test
  void rbacHasNoWildcardsAndNeverListsOrWatchesSecrets() {
    List<String> violations = new ArrayList<>();
    all(ClusterRole.class)
        .forEach(r -> violations.addAll(ruleViolations(r.getMetadata().getName(), r.getRules())));
    all(Role.class)
        .forEach(r -> violations.addAll(ruleViolations(r.getMetadata().getName(), r.getRules())));

    assertThat(violations).isEmpty();
  }

  @Test
  void theOperatorMayOnlyGetSecrets() {
    Set<String> secretVerbs =
        allRules()
            .filter(r -> r.getApiGroups().contains("") && r.getResources().contains("secrets"))
            .flatMap(r -> r.getVerbs().stream())
            .collect(Collectors.toSet());

    assertThat(secretVerbs).containsExactly("get");
  }

  @Test
  void theOperatorMayReadAndPatchItsResourcesButNotCreateOrDeleteThem() {
    Set<String> verbs = verbsOn("teardown.dev", "cloudinstancedeletions");

    assertThat(verbs).containsExactlyInAnyOrder("get", "list", "watch", "patch", "update");
    assertThat(verbsOn("teardown.dev", "cloudinstancedeletions/status"))
        .contains("patch", "update");
    assertThat(verbsOn("teardown.dev", "cloudinstancedeletions/finalizers")).contains("update");
    assertThat(verbsOn("", "events")).containsExactlyInAnyOrder("create", "patch");
  }

  @Test
  void leasesAreGrantedOnlyInTheOperatorNamespace() {
    assertThat(all(ClusterRole.class))
        .as("no ClusterRole grants leases")
        .allSatisfy(
            r ->
                assertThat(r.getRules()).noneMatch(rule -> rule.getResources().contains("leases")));
    Role election =
        all(Role.class).stream()
            .filter(
                r -> r.getRules().stream().anyMatch(rule -> rule.getResources().contains("leases")))
            .findFirst()
            .orElseThrow();

    assertThat(election.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(election.getRules())
        .singleElement()
        .satisfies(
            rule -> {
              assertThat(rule.getApiGroups()).containsExactly("coordination.k8s.io");
              assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "create", "update");
            });
  }

  @Test
  void everyRoleIsBoundToTheOperatorServiceAccountOnly() {
    String sa = one(ServiceAccount.class).getMetadata().getName();
    List<RoleRef> refs = new ArrayList<>();
    List<Subject> subjects = new ArrayList<>();
    all(ClusterRoleBinding.class)
        .forEach(
            b -> {
              refs.add(b.getRoleRef());
              subjects.addAll(b.getSubjects());
            });
    all(RoleBinding.class)
        .forEach(
            b -> {
              refs.add(b.getRoleRef());
              subjects.addAll(b.getSubjects());
            });

    assertThat(subjects)
        .allSatisfy(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo(sa);
              assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
            });
    Set<String> roles =
        Stream.concat(
                all(ClusterRole.class).stream()
                    .map(r -> "ClusterRole/" + r.getMetadata().getName()),
                all(Role.class).stream().map(r -> "Role/" + r.getMetadata().getName()))
            .collect(Collectors.toSet());
    assertThat(refs.stream().map(r -> r.getKind() + "/" + r.getName()).collect(Collectors.toSet()))
        .as("bindings refer to roles defined here, and every role is bound")
        .isEqualTo(roles);
  }

  @Test
  void theRbacCheckCatchesWildcardsAndSecretListing() {
    List<PolicyRule> bad =
        List.of(
            new PolicyRuleBuilder()
                .withApiGroups("")
                .withResources("secrets")
                .withVerbs("get", "list", "watch")
                .build(),
            new PolicyRuleBuilder()
                .withApiGroups("*")
                .withResources("pods")
                .withVerbs("get")
                .build(),
            new PolicyRuleBuilder().withApiGroups("").withResources("*").withVerbs("*").build());

    assertThat(ruleViolations("bad", bad))
        .containsExactly(
            "bad: secrets may only be read with get, not [list, watch]",
            "bad: wildcard in [*] [pods] [get]",
            "bad: wildcard in [] [*] [*]");
  }

  static List<String> ruleViolations(String role, List<PolicyRule> rules) {
    List<String> out = new ArrayList<>();
    for (PolicyRule r : rules) {
      List<String> groups = r.getApiGroups() == null ? List.of() : r.getApiGroups();
      if (r.getResources().contains("secrets")) {
        List<String> extra =
            r.getVerbs().stream().filter(v -> !v.equals("get") && !v.equals("*")).toList();
        if (!extra.isEmpty()) {
          out.add(role + ": secrets may only be read with get, not " + extra);
        }
      }
      boolean wildcard =
          groups.contains("*")
              || r.getResources().contains("*")
              || r.getVerbs().contains("*")
              || (r.getNonResourceURLs() != null && r.getNonResourceURLs().contains("*"));
      if (wildcard) {
        out.add(role + ": wildcard in " + groups + " " + r.getResources() + " " + r.getVerbs());
      }
      if (r.getResourceNames() != null
          && !r.getResourceNames().isEmpty()
          && r.getVerbs().contains("list")) {
        out.add(role + ": resourceNames cannot restrict list");
      }
    }
    return out;
  }

  private static Stream<PolicyRule> allRules() {
    return Stream.concat(
        all(ClusterRole.class).stream().flatMap(r -> r.getRules().stream()),
        all(Role.class).stream().flatMap(r -> r.getRules().stream()));
  }

  private static Set<String> verbsOn(String group, String resource) {
    return allRules()
        .filter(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource))
        .flatMap(r -> r.getVerbs().stream())
        .collect(Collectors.toSet());
  }
}
