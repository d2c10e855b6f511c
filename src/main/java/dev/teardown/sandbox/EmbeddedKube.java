package dev.teardown.sandbox;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

/**
 * An in-process Kubernetes API for the sandbox and the tests: fabric8's mock server in CRUD mode on
 * loopback with the CloudInstanceDeletion CRD registered (so status is a real subresource). It
 * enforces no schema and no CEL rules: the zero-dependency fallback of {@link RealKube}, which the
 * suite and the sandbox use when it is built.
 */
public final class EmbeddedKube implements KubeApi {
  public static final String CRD_RESOURCE =
      "META-INF/fabric8/cloudinstancedeletions.teardown.dev-v1.yml";

  private final KubernetesMockServer server;
  private final NamespacedKubernetesClient client;

  private EmbeddedKube(KubernetesMockServer server) {
    this.server = server;
    this.client =
        server.createClient(
            b ->
                b.withConfig(
                    new io.fabric8.kubernetes.client.ConfigBuilder(
                            server.createClient().getConfiguration())
                        .withRequestRetryBackoffLimit(0)
                        .withRequestTimeout(10_000)
                        .build()));
  }

  /** Starts on 127.0.0.1 at the given port (0 = any free port). */
  public static EmbeddedKube start(int port) {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), port);
    } catch (IOException | RuntimeException e) {
      server.destroy(); // a half-started server keeps non-daemon threads alive
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw new UncheckedIOException(
          new IOException(
              "cannot start the embedded Kubernetes API on 127.0.0.1:"
                  + port
                  + ": "
                  + root.getMessage(),
              e));
    }
    // JOSDK's leader election first asks whether it may use Leases; the mock has no RBAC API.
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(
            201,
            Map.of(
                "apiVersion",
                "authorization.k8s.io/v1",
                "kind",
                "SelfSubjectRulesReview",
                "spec",
                Map.of("namespace", "default"),
                "status",
                Map.of(
                    "incomplete",
                    false,
                    "nonResourceRules",
                    java.util.List.of(),
                    "resourceRules",
                    java.util.List.of(
                        Map.of(
                            "apiGroups",
                            java.util.List.of("coordination.k8s.io"),
                            "resources",
                            java.util.List.of("leases"),
                            "verbs",
                            java.util.List.of("*"))))))
        .always();
    EmbeddedKube kube = new EmbeddedKube(server);
    kube.client.apiextensions().v1().customResourceDefinitions().resource(crd()).create();
    return kube;
  }

  /** The generated CRD, as packaged in the jar. */
  public static CustomResourceDefinition crd() {
    try (InputStream in = EmbeddedKube.class.getClassLoader().getResourceAsStream(CRD_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            CRD_RESOURCE + " is missing from the classpath; build with mvn package");
      }
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public NamespacedKubernetesClient client() {
    return client;
  }

  public KubernetesMockServer server() {
    return server;
  }

  @Override
  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  @Override
  public String kubeconfig() {
    return Serve.kubeconfig(url());
  }

  @Override
  public boolean real() {
    return false;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
