package dev.teardown.sandbox;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The discovery documents kubectl reads before it does anything ({@code /version}, {@code /api},
 * {@code /apis} and one resource list per group version), stubbed on the embedded API so that
 * {@code kubectl apply --validate=false} and {@code kubectl get cid} work against {@code sandbox
 * --serve}. The mock in CRUD mode answers these paths with lists of stored objects instead, so
 * kubectl would find no resource types.
 *
 * <p>The mock matches path and query exactly, and kubectl adds {@code ?timeout=32s} to its
 * discovery requests: every document is registered both with and without that query. The
 * CloudInstanceDeletion entry (names, short names, scope, status subresource) is taken from the
 * generated CRD so it cannot drift from the annotations. OpenAPI is not served, hence {@code
 * --validate=false}; the mock cannot answer tables, hence no printer columns.
 */
public final class Discovery {
  /** The query kubectl appends to discovery requests. */
  static final String KUBECTL_QUERY = "?timeout=32s";

  static final String MAJOR = "1";
  static final String MINOR = "32";
  static final String SERVER_VERSION = "v1.32.0";
  private static final String GIT_COMMIT = "teardown-sandbox";
  private static final String GO_VERSION = "go1.23.4";
  private static final String PLATFORM = "linux/amd64";

  private static final List<String> ALL_VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  private final Map<String, Object> documents = new LinkedHashMap<>();

  private Discovery() {}

  /**
   * Registers every discovery document on the server, each path with and without {@value
   * #KUBECTL_QUERY}.
   */
  public static Discovery install(KubernetesMockServer server, CustomResourceDefinition crd) {
    Discovery d = of(crd);
    // the mock answers plain /version itself (registered first, so it wins over an expectation)
    // from this
    server.setVersionInfo(
        new VersionInfo.Builder()
            .withMajor(MAJOR)
            .withMinor(MINOR)
            .withGitVersion(SERVER_VERSION)
            .withGitCommit(GIT_COMMIT)
            .withGitTreeState("clean")
            .withGoVersion(GO_VERSION)
            .withCompiler("gc")
            .withPlatform(PLATFORM)
            .build());
    d.documents.forEach(
        (path, body) -> {
          if (!path.equals("/version")) {
            server.expect().get().withPath(path).andReturn(200, body).always();
          }
          server.expect().get().withPath(path + KUBECTL_QUERY).andReturn(200, body).always();
        });
    return d;
  }

  /** The documents by path (without query), for tests and for {@link #install}. */
  public static Discovery of(CustomResourceDefinition crd) {
    Discovery d = new Discovery();
    String group = crd.getSpec().getGroup();
    List<String> versions =
        crd.getSpec().getVersions().stream()
            .filter(v -> !Boolean.FALSE.equals(v.getServed()))
            .map(CustomResourceDefinitionVersion::getName)
            .toList();
    String preferred =
        crd.getSpec().getVersions().stream()
            .filter(v -> Boolean.TRUE.equals(v.getStorage()))
            .map(CustomResourceDefinitionVersion::getName)
            .findFirst()
            .orElse(versions.get(0));

    d.documents.put(
        "/version",
        Map.of(
            "major",
            MAJOR,
            "minor",
            MINOR,
            "gitVersion",
            SERVER_VERSION,
            "gitCommit",
            GIT_COMMIT,
            "gitTreeState",
            "clean",
            "goVersion",
            GO_VERSION,
            "compiler",
            "gc",
            "platform",
            PLATFORM));
    d.documents.put(
        "/api",
        Map.of(
            "kind",
            "APIVersions",
            "versions",
            List.of("v1"),
            "serverAddressByClientCIDRs",
            List.of()));
    d.documents.put(
        "/api/v1",
        resourceList(
            "v1",
            List.of(
                resource(
                    "namespaces",
                    "namespace",
                    "Namespace",
                    false,
                    List.of("ns"),
                    List.of("create", "delete", "get", "list", "patch", "update", "watch")),
                resource("secrets", "secret", "Secret", true, List.of(), ALL_VERBS),
                resource("events", "event", "Event", true, List.of("ev"), ALL_VERBS))));

    List<Map<String, Object>> groups = new ArrayList<>();
    groups.add(group(group, versions, preferred));
    groups.add(group("apiextensions.k8s.io", List.of("v1"), "v1"));
    groups.add(group("coordination.k8s.io", List.of("v1"), "v1"));
    d.documents.put("/apis", Map.of("kind", "APIGroupList", "apiVersion", "v1", "groups", groups));
    d.documents.put("/apis/" + group, withKind(group(group, versions, preferred), "APIGroup"));
    for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
      if (Boolean.FALSE.equals(v.getServed())) {
        continue;
      }
      var names = crd.getSpec().getNames();
      boolean namespaced = "Namespaced".equals(crd.getSpec().getScope());
      List<Map<String, Object>> resources = new ArrayList<>();
      Map<String, Object> main =
          resource(
              names.getPlural(),
              names.getSingular(),
              names.getKind(),
              namespaced,
              names.getShortNames() == null ? List.of() : names.getShortNames(),
              ALL_VERBS);
      if (names.getCategories() != null && !names.getCategories().isEmpty()) {
        main.put("categories", names.getCategories());
      }
      resources.add(main);
      if (v.getSubresources() != null && v.getSubresources().getStatus() != null) {
        resources.add(
            resource(
                names.getPlural() + "/status",
                "",
                names.getKind(),
                namespaced,
                List.of(),
                List.of("get", "patch", "update")));
      }
      d.documents.put(
          "/apis/" + group + "/" + v.getName(), resourceList(group + "/" + v.getName(), resources));
    }
    d.documents.put(
        "/apis/apiextensions.k8s.io",
        withKind(group("apiextensions.k8s.io", List.of("v1"), "v1"), "APIGroup"));
    d.documents.put(
        "/apis/apiextensions.k8s.io/v1",
        resourceList(
            "apiextensions.k8s.io/v1",
            List.of(
                resource(
                    "customresourcedefinitions",
                    "customresourcedefinition",
                    "CustomResourceDefinition",
                    false,
                    List.of("crd", "crds"),
                    ALL_VERBS))));
    d.documents.put(
        "/apis/coordination.k8s.io",
        withKind(group("coordination.k8s.io", List.of("v1"), "v1"), "APIGroup"));
    d.documents.put(
        "/apis/coordination.k8s.io/v1",
        resourceList(
            "coordination.k8s.io/v1",
            List.of(resource("leases", "lease", "Lease", true, List.of(), ALL_VERBS))));
    return d;
  }

  public Map<String, Object> documents() {
    return java.util.Collections.unmodifiableMap(documents);
  }

  private static Map<String, Object> group(String name, List<String> versions, String preferred) {
    Map<String, Object> g = new LinkedHashMap<>();
    g.put("name", name);
    g.put(
        "versions",
        versions.stream().map(v -> Map.of("groupVersion", name + "/" + v, "version", v)).toList());
    g.put("preferredVersion", Map.of("groupVersion", name + "/" + preferred, "version", preferred));
    return g;
  }

  private static Map<String, Object> withKind(Map<String, Object> body, String kind) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", kind);
    m.put("apiVersion", "v1");
    m.putAll(body);
    return m;
  }

  private static Map<String, Object> resourceList(
      String groupVersion, List<Map<String, Object>> resources) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", "APIResourceList");
    m.put("apiVersion", "v1");
    m.put("groupVersion", groupVersion);
    m.put("resources", resources);
    return m;
  }

  private static Map<String, Object> resource(
      String name,
      String singular,
      String kind,
      boolean namespaced,
      List<String> shortNames,
      List<String> verbs) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("name", name);
    r.put("singularName", singular);
    r.put("namespaced", namespaced);
    r.put("kind", kind);
    r.put("verbs", verbs);
    if (!shortNames.isEmpty()) {
      r.put("shortNames", shortNames);
    }
    return r;
  }
}
