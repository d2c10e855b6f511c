package dev.teardown.it;

import dev.teardown.sandbox.RealKube;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The suite's real Kubernetes API server: one kube-apiserver + etcd per test JVM, started on first
 * use (a few seconds) and stopped when the JVM exits; every test works in a namespace of its own.
 *
 * <p>Without the binaries (a machine without Go: build/kube-binaries printed why) the real-server
 * tests are skipped, except under {@code CI=true}, where that is a failure. {@code
 * TEARDOWN_TEST_KUBE=mock} does the same on purpose: the operator suites then run on the in-process
 * mock and the real-server tests are skipped.
 */
public final class TestKube {
  static final boolean CI = "true".equals(System.getenv("CI"));
  static final boolean MOCK = "mock".equals(System.getenv("TEARDOWN_TEST_KUBE"));
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static RealKube shared;
  private static RuntimeException failed;

  private TestKube() {}

  /** The shared real server, or null when its binaries are missing (and CI is not set). */
  public static synchronized RealKube realOrNull() {
    if (shared != null) {
      return shared;
    }
    if (failed != null) {
      throw failed;
    }
    if (MOCK) {
      return null;
    }
    String missing = RealKube.unavailableReason();
    if (missing != null) {
      if (CI) {
        throw new IllegalStateException(
            "CI=true requires the real Kubernetes API server: " + missing);
      }
      return null;
    }
    try {
      Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "kube-api-");
      long t0 = System.nanoTime();
      shared = RealKube.start(dir);
      System.err.printf(
          "real Kubernetes API server %s started in %d ms at %s%n",
          RealKube.version(), (System.nanoTime() - t0) / 1_000_000, shared.url());
      // RealKube stops its processes when the JVM exits; the certificates go afterwards
      RealKube k = shared;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    k.close();
                    deleteTree(dir);
                  },
                  "real-kube-clean"));
      return shared;
    } catch (IOException e) {
      failed = new UncheckedIOException(e);
      throw failed;
    } catch (RuntimeException e) {
      failed = e;
      throw e;
    }
  }

  /**
   * The shared real server; the calling test is skipped (a failure under CI=true) when it cannot
   * run here.
   */
  public static RealKube real() {
    RealKube k = realOrNull();
    Assumptions.assumeTrue(
        k != null,
        () ->
            MOCK
                ? "TEARDOWN_TEST_KUBE=mock"
                : "no real Kubernetes API server: " + RealKube.unavailableReason());
    return k;
  }

  /**
   * Another client of the shared real server, with its own connections and watches (e.g. a second
   * status writer, or an operator a test crashes by closing its client first); the caller closes
   * it.
   */
  public static KubernetesClient newClient() {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(real().kubeconfig()))
        .build();
  }

  /** Creates a fresh namespace named after the prefix. */
  public static String namespace(KubernetesClient client, String prefix) {
    String name =
        (prefix
                + "-"
                + NAMESPACES.incrementAndGet()
                + "-"
                + Long.toString(System.nanoTime() % 46656, 36))
            .toLowerCase();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // left in target/, removed by the next clean
    }
  }
}
