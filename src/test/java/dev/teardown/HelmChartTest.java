package dev.teardown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * charts/teardown against the kustomize base deploy/: {@code helm lint --strict} passes, and {@code
 * helm template} (release namespace teardown-system, CRDs included, createNamespace=true) renders
 * exactly the objects of deploy/, field for field, apart from the labels Helm adds. Then the values
 * do what they say.
 *
 * <p>helm is found as $HELM, on the PATH, or where build/helm-binary puts it. Without it the test
 * is skipped with one line on stderr, except with CI=true, where it fails.
 */
class HelmChartTest {
  private static final Path ROOT = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
  private static final Path CHART = ROOT.resolve("charts").resolve("teardown");
  private static final Path DEPLOY = ROOT.resolve("deploy");
  private static final String NS = "teardown-system";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static Path helm;

  @BeforeAll
  static void findHelm() throws IOException {
    helm = locateHelm();
  }

  /**
   * Every test starts here: without helm, one loud line and a skip (each test shows as skipped), or
   * fail on CI.
   */
  static void requireHelm() {
    if (helm != null) {
      return;
    }
    String why =
        "helm not found ($HELM, PATH, or build/helm-binary's cache): run build/helm-binary";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(why + " (CI=true: the chart must be checked)");
    }
    if (!warned) {
      warned = true;
      System.err.println("*** HelmChartTest SKIPPED: " + why + " ***");
    }
    Assumptions.abort(why);
  }

  private static boolean warned;

  static Path locateHelm() throws IOException {
    String env = System.getenv("HELM");
    if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
      return Path.of(env);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, "helm");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    String version = Files.readString(ROOT.resolve("build").resolve("helm-version")).trim();
    String tools =
        System.getenv()
            .getOrDefault(
                "TEARDOWN_TOOLS_DIR",
                Path.of(System.getProperty("user.home"), ".cache", "teardown-tools").toString());
    Path cached = Path.of(tools, "helm", version, "helm");
    return Files.isExecutable(cached) ? cached : null;
  }

  record Run(int code, String out) {}

  static Run helm(String... args) throws Exception {
    requireHelm();
    List<String> cmd = new ArrayList<>();
    cmd.add(helm.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    // no user configuration or repositories are read
    Path home = Files.createTempDirectory("helm-home");
    pb.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
    pb.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
    pb.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }

  /** helm template with the given --set values; the objects by kind/namespace/name. */
  static Map<String, JsonNode> template(String... sets) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of("template", "teardown", CHART.toString(), "--namespace", NS, "--include-crds"));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    Run r = helm(args.toArray(String[]::new));
    assertThat(r.code()).as(r.out()).isZero();
    return byKey(documents(r.out()));
  }

  static List<JsonNode> documents(String yaml) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(yaml)) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && n.isObject() && n.has("kind")) {
          docs.add(n);
        }
      }
    }
    return docs;
  }

  static Map<String, JsonNode> byKey(List<JsonNode> docs) {
    Map<String, JsonNode> m = new TreeMap<>();
    for (JsonNode d : docs) {
      String key =
          d.path("kind").asText()
              + " "
              + d.path("metadata").path("namespace").asText("-")
              + "/"
              + d.path("metadata").path("name").asText();
      assertThat(m.put(key, d)).as("duplicate " + key).isNull();
    }
    return m;
  }

  /**
   * The kustomize base: deploy/kustomization.yaml's resources, a directory by its own
   * kustomization.
   */
  static Map<String, JsonNode> kustomizeBase() throws IOException {
    return byKey(resources(DEPLOY));
  }

  private static List<JsonNode> resources(Path dir) throws IOException {
    JsonNode k = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode r : k.path("resources")) {
      Path p = dir.resolve(r.asText()).normalize();
      out.addAll(Files.isDirectory(p) ? resources(p) : documents(Files.readString(p)));
    }
    return out;
  }

  /** An object without the labels Helm adds (checked separately to include every base label). */
  static JsonNode comparable(JsonNode object) {
    ObjectNode copy = object.deepCopy();
    ((ObjectNode) copy.path("metadata")).remove("labels");
    return copy;
  }

  /** Where two trees first differ, as "path: expected X but was Y", or null when they are equal. */
  static String firstDifference(JsonNode expected, JsonNode actual, String path) {
    if (expected.equals(actual)) {
      return null;
    }
    if (expected.isObject() && actual.isObject()) {
      java.util.Set<String> names = new java.util.TreeSet<>();
      expected.fieldNames().forEachRemaining(names::add);
      actual.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        String d = firstDifference(expected.path(n), actual.path(n), path + "/" + n);
        if (d != null) {
          return d;
        }
      }
    }
    if (expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
      for (int i = 0; i < expected.size(); i++) {
        String d = firstDifference(expected.get(i), actual.get(i), path + "/" + i);
        if (d != null) {
          return d;
        }
      }
    }
    return path + ": expected " + expected + " but was " + actual;
  }

  @Test
  void theDifferenceReportPointsAtTheField() throws IOException {
    assertThat(
            firstDifference(
                YAML.readTree("{a: {b: [1, 2]}}"), YAML.readTree("{a: {b: [1, 3]}}"), ""))
        .isEqualTo("/a/b/1: expected 2 but was 3");
    assertThat(firstDifference(YAML.readTree("{a: 1}"), YAML.readTree("{a: 1, c: 2}"), ""))
        .isEqualTo("/c: expected  but was 2");
  }

  @Test
  void theChartCarriesTheCommittedCrdsUnchanged() throws IOException {
    // needs no helm: the chart's crds/ is a copy of crds/, refreshed together with it
    List<String> names = new ArrayList<>();
    try (var files = Files.list(ROOT.resolve("crds"))) {
      files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".yml"))
          .forEach(names::add);
    }
    assertThat(names).isNotEmpty();
    for (String n : names) {
      assertThat(CHART.resolve("crds").resolve(n))
          .as("charts/teardown/crds/" + n + " (cp crds/*.yml" + " charts/teardown/crds/)")
          .hasSameTextualContentAs(ROOT.resolve("crds").resolve(n));
    }
  }

  @Test
  void helmLintPasses() throws Exception {
    Run r = helm("lint", "--strict", CHART.toString());
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("0 chart(s) failed");
  }

  @Test
  void theChartRendersExactlyTheObjectsOfTheKustomizeBase() throws Exception {
    Map<String, JsonNode> chart = template("createNamespace=true");
    Map<String, JsonNode> base = kustomizeBase();

    assertThat(chart.keySet()).containsExactlyInAnyOrderElementsOf(base.keySet());
    for (String key : base.keySet()) {
      JsonNode b = base.get(key);
      JsonNode c = chart.get(key);
      Map<String, String> chartLabels =
          YAML.convertValue(c.path("metadata").path("labels"), Map.class);
      Map<String, String> baseLabels =
          YAML.convertValue(b.path("metadata").path("labels"), Map.class);
      if (baseLabels != null) {
        assertThat(chartLabels).as(key + " labels").containsAllEntriesOf(baseLabels);
      }
      String diff = firstDifference(comparable(b), comparable(c), "");
      assertThat(diff)
          .as(key + ": deploy/ vs the chart (charts/teardown/crds/ is a copy of crds/)")
          .isNull();
    }
  }

  @Test
  void theServiceMonitorValueRendersTheComponentsServiceMonitor() throws Exception {
    Map<String, JsonNode> chart = template("metrics.serviceMonitor.enabled=true");
    JsonNode component =
        documents(
                Files.readString(
                    DEPLOY
                        .resolve("components")
                        .resolve("servicemonitor")
                        .resolve("servicemonitor.yaml")))
            .get(0);

    JsonNode sm = chart.get("ServiceMonitor " + NS + "/teardown-operator");
    assertThat(sm).isNotNull();
    assertThat(firstDifference(comparable(component), comparable(sm), "")).isNull();
    assertThat(template()).noneSatisfy((k, v) -> assertThat(k).startsWith("ServiceMonitor"));
  }

  @Test
  void replicasImageNamespacesAndResourcesComeFromValues() throws Exception {
    Map<String, JsonNode> chart =
        template(
            "replicaCount=3",
            "watchNamespaces={team-a,team-b}",
            "image.digest=sha256:" + "0".repeat(64),
            "resources.limits.memory=1Gi");
    JsonNode d = chart.get("Deployment " + NS + "/teardown-operator");
    JsonNode c = d.path("spec").path("template").path("spec").path("containers").get(0);
    Map<String, String> env = new TreeMap<>();
    c.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));

    assertThat(d.path("spec").path("replicas").asInt()).isEqualTo(3);
    assertThat(c.path("image").asText()).isEqualTo("teardown:0.1.0@sha256:" + "0".repeat(64));
    assertThat(DeployManifestsTest.pinned(c.path("image").asText())).isTrue();
    assertThat(env)
        .containsEntry("TEARDOWN_NAMESPACES", "team-a,team-b")
        .containsEntry("TEARDOWN_LEADER_ELECTION", "true")
        .containsEntry("TEARDOWN_LEASE_NAMESPACE", NS);
    assertThat(c.path("resources").path("limits").path("memory").asText()).isEqualTo("1Gi");
  }

  @Test
  void watchingSomeNamespacesBindsTheRolesInThoseNamespacesOnly() throws Exception {
    Map<String, JsonNode> chart = template("watchNamespaces={team-a,team-b}");

    assertThat(chart.keySet()).noneMatch(k -> k.startsWith("ClusterRoleBinding "));
    assertThat(chart.keySet())
        .contains("ClusterRole -/teardown-operator", "ClusterRole -/teardown-secret-reader");
    for (String ns : List.of("team-a", "team-b")) {
      for (String role : List.of("teardown-operator", "teardown-secret-reader")) {
        JsonNode rb = chart.get("RoleBinding " + ns + "/" + role);
        assertThat(rb).as(ns + "/" + role).isNotNull();
        assertThat(rb.path("roleRef").path("kind").asText()).isEqualTo("ClusterRole");
        assertThat(rb.path("roleRef").path("name").asText()).isEqualTo(role);
        assertThat(rb.path("subjects").get(0).path("namespace").asText()).isEqualTo(NS);
        assertThat(rb.path("subjects").get(0).path("name").asText()).isEqualTo("teardown-operator");
      }
    }
    assertThat(chart.keySet().stream().filter(k -> k.startsWith("RoleBinding ")))
        .hasSize(5); // + leader election
  }

  @Test
  void moreThanOneReplicaWithoutLeaderElectionIsRefused() throws Exception {
    Run r =
        helm(
            "template",
            "teardown",
            CHART.toString(),
            "--namespace",
            NS,
            "--set",
            "leaderElection.enabled=false");
    assertThat(r.code()).isNotZero();
    assertThat(r.out()).contains("replicaCount > 1 needs leaderElection.enabled=true");

    Map<String, JsonNode> single =
        template(
            "leaderElection.enabled=false",
            "replicaCount=1",
            "podDisruptionBudget.enabled=false",
            "networkPolicy.enabled=false",
            "metrics.enabled=false");
    assertThat(single.keySet())
        .noneMatch(
            k ->
                k.startsWith("Role ")
                    || k.startsWith("RoleBinding ")
                    || k.startsWith("PodDisruptionBudget")
                    || k.startsWith("NetworkPolicy")
                    || k.startsWith("Service "));
    JsonNode c =
        single
            .get("Deployment " + NS + "/teardown-operator")
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .get(0);
    assertThat(c.path("env").get(0).path("value").asText()).isEqualTo("false");
    // the HTTP port stays: the probes need it
    assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
  }
}
