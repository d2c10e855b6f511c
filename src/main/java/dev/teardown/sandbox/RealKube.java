package dev.teardown.sandbox;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A real kube-apiserver with its etcd, started as processes by fabric8's kube-api-test in offline
 * mode from the binaries {@code build/kube-binaries} builds from Go modules, with the
 * CloudInstanceDeletion CRD installed and established. It enforces what the mock cannot: the
 * structural schema and CEL rules, resourceVersion preconditions, RBAC (the client here is
 * cluster-admin and may impersonate), watch streams, server-side printing and OpenAPI for {@code
 * kubectl explain}.
 *
 * <p>Binaries are looked up in {@code
 * ${KUBE_API_TEST_DIR:-~/.kubeapitest}/k8s/<version>-linux-amd64/}, the version being the one
 * {@code build/kube-version} pins. Each server gets its own working directory (certificates,
 * kubeconfig) with a link to those binaries, so servers of parallel runs never share files.
 */
public final class RealKube implements KubeApi {
  /** The pinned release, packaged from build/kube-version. */
  public static final String VERSION_RESOURCE = "teardown/kube-version";

  private static final Duration CRD_READY = Duration.ofSeconds(60);

  private final KubernetesClient client;
  private final String kubeconfig;
  private final Path dir;
  private final Stopper stopper;

  private RealKube(Stopper stopper, KubernetesClient client, String kubeconfig, Path dir) {
    this.stopper = stopper;
    this.client = client;
    this.kubeconfig = kubeconfig;
    this.dir = dir;
  }

  /**
   * Stops etcd and kube-apiserver once: on close, on a failed start, or when the JVM ends first
   * (Ctrl-C, kill), from the moment they are started, so no process is left behind.
   */
  private static final class Stopper extends Thread {
    private final KubeAPIServer server;
    private final AtomicBoolean stopped = new AtomicBoolean();

    Stopper(KubeAPIServer server) {
      super("kube-apiserver-stop");
      this.server = server;
      Runtime.getRuntime().addShutdownHook(this);
    }

    @Override
    public void run() {
      if (stopped.compareAndSet(false, true)) {
        try {
          server.stop();
        } catch (RuntimeException e) {
          // a server stopped half-way through its start: nothing more to stop
        }
      }
    }

    void stopNow() {
      try {
        Runtime.getRuntime().removeShutdownHook(this);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: the hook runs anyway
      }
      run();
    }
  }

  /** The Kubernetes release the binaries are built from, e.g. 1.34.4. */
  public static String version() {
    try (InputStream in = RealKube.class.getClassLoader().getResourceAsStream(VERSION_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            VERSION_RESOURCE + " is missing from the classpath; build with mvn package");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Where build/kube-binaries puts the binaries: {@code $KUBE_API_TEST_DIR} or {@code
   * ~/.kubeapitest}.
   */
  public static Path binariesRoot() {
    String env = System.getenv(KubeAPIServerConfigBuilder.KUBE_API_TEST_DIR);
    return env != null && !env.isBlank()
        ? Path.of(env)
        : Path.of(System.getProperty("user.home"), KubeAPIServerConfigBuilder.DIRECTORY_NAME);
  }

  /**
   * The directory holding etcd, kube-apiserver and kubectl of the pinned version for this machine.
   */
  public static Path binaries() {
    return binariesRoot().resolve("k8s").resolve(version() + platformSuffix());
  }

  /** The kubectl of the pinned release (the one the tests and the sandbox's hints use). */
  public static Path kubectl() {
    return binaries().resolve("kubectl");
  }

  /** Why no real server can start here (a sentence), or null when the binaries are in place. */
  public static String unavailableReason() {
    Path dir = binaries();
    for (String b : new String[] {"etcd", "kube-apiserver", "kubectl"}) {
      if (!Files.isExecutable(dir.resolve(b))) {
        return "no " + b + " in " + dir + " (build it with build/kube-binaries; needs Go)";
      }
    }
    return null;
  }

  public static boolean available() {
    return unavailableReason() == null;
  }

  /**
   * Starts etcd and kube-apiserver (a few seconds), installs the CRD and waits until it is
   * established.
   *
   * @param workDir this server's own directory (created if needed): certificates and the link to
   *     the binaries
   * @throws IllegalStateException when the binaries are missing or the server does not come up
   */
  public static RealKube start(Path workDir) {
    String missing = unavailableReason();
    if (missing != null) {
      throw new IllegalStateException("cannot start a real Kubernetes API server: " + missing);
    }
    Path dir = workDir.toAbsolutePath();
    try {
      Path link = dir.resolve("k8s").resolve(version() + platformSuffix());
      Files.createDirectories(link.getParent());
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, binaries());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    KubeAPIServer server =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(dir.toString())
                .withApiServerVersion(version())
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .withStartupTimeout(120_000)
                .build());
    Stopper stopper = new Stopper(server);
    KubernetesClient client = null;
    try {
      server.start();
      String kubeconfig = server.getKubeConfigYaml();
      client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
      installCrd(client);
      forgetCachedDiscovery(client);
      return new RealKube(stopper, client, kubeconfig, dir);
    } catch (RuntimeException e) {
      if (client != null) {
        client.close();
      }
      stopper.stopNow();
      throw e;
    }
  }

  /** Creates the generated CRD (or replaces it) and waits until the server serves it. */
  static void installCrd(KubernetesClient client) {
    CustomResourceDefinition crd = EmbeddedKube.crd();
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(crd)
        .forceConflicts()
        .serverSideApply();
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(crd.getMetadata().getName())
        .waitUntilCondition(
            c ->
                c != null
                    && c.getStatus() != null
                    && c.getStatus().getConditions() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
            CRD_READY.toSeconds(),
            TimeUnit.SECONDS);
    // Established comes before discovery and the OpenAPI documents list the resource, which kubectl
    // (get cid,
    // explain, apply's client-side schema) needs: wait for those too.
    long deadline = System.nanoTime() + CRD_READY.toNanos();
    while (!served(client)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the API server did not publish the CloudInstanceDeletion API in " + CRD_READY);
      }
      LockSupport.parkNanos(
          Duration.ofMillis(100).toNanos()); // start-up of a local server, not a reconcile path
    }
  }

  /**
   * kube-api-test's readiness probe runs kubectl before the CRD exists, and kubectl caches that
   * discovery per host:port (~/.kube/cache/discovery/127.0.0.1_PORT); a later {@code kubectl
   * explain cid} would then not know the resource. Drop that cache so the first kubectl of a user
   * or a test discovers the CRD.
   */
  private static void forgetCachedDiscovery(KubernetesClient client) {
    java.net.URI url = java.net.URI.create(client.getConfiguration().getMasterUrl());
    String cacheDir = System.getenv("KUBECACHEDIR");
    Path cache =
        (cacheDir != null && !cacheDir.isBlank()
                ? Path.of(cacheDir)
                : Path.of(System.getProperty("user.home"), ".kube", "cache"))
            .resolve("discovery")
            .resolve(url.getHost() + "_" + url.getPort());
    Sandbox.deleteTree(cache);
  }

  private static boolean served(KubernetesClient client) {
    try {
      var resources = client.getApiResources("teardown.dev/v1alpha1");
      return resources != null
          && resources.getResources().stream()
              .anyMatch(r -> r.getName().equals("cloudinstancedeletions"))
          && client.raw("/openapi/v3").contains("apis/teardown.dev/v1alpha1")
          && client.raw("/openapi/v2").contains("dev.teardown.v1alpha1.CloudInstanceDeletion");
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String platformSuffix() {
    return io.fabric8.kubeapitest.Utils.platformSuffix(new io.fabric8.kubeapitest.binary.OSInfo());
  }

  @Override
  public KubernetesClient client() {
    return client;
  }

  @Override
  public String url() {
    String url = client.getConfiguration().getMasterUrl();
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  @Override
  public String kubeconfig() {
    return kubeconfig;
  }

  @Override
  public boolean real() {
    return true;
  }

  /** This server's working directory (certificates). */
  public Path dir() {
    return dir;
  }

  @Override
  public void close() {
    try {
      client.close();
    } finally {
      stopper.stopNow();
    }
  }
}
