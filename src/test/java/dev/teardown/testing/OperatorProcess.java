package dev.teardown.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * {@code java -cp <test classpath> dev.teardown.TeardownOperator run} in a process of its own, as a
 * pod runs it: exactly the settings the test gives (the parent's TEARDOWN_*, KUBERNETES_*,
 * KUBECONFIG and proxy variables are dropped), stdout and stderr into one log file, SIGTERM and
 * SIGKILL, its exit code, its health and readiness endpoints.
 *
 * <pre>{@code
 * OperatorProcess op = OperatorProcess.operator().env(settings).log(dir.resolve("op.log")).start();
 * ...
 * op.sigterm();
 * assertThat(op.awaitExit(GRACE)).isTrue();
 * }</pre>
 */
public final class OperatorProcess implements AutoCloseable {
  private static final Duration KILL_WAIT = Duration.ofSeconds(20);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final Path log;

  private OperatorProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * The settings of an operator process watching namespace {@code ns} of {@code kube} (the
   * discovery documents installed first when it is the mock, the kubeconfig written to {@code
   * dir}), talking to {@code endpoint} for {@code provider} with fast polls and the given cloud
   * timeout; and the Secret {@code keys} holding {@code secret} created in {@code ns}.
   */
  public static Map<String, String> againstKube(
      dev.teardown.sandbox.KubeApi kube,
      Path dir,
      String ns,
      String provider,
      URI endpoint,
      Map<String, String> secret,
      Duration cloudTimeout)
      throws IOException {
    if (kube instanceof dev.teardown.sandbox.EmbeddedKube mock) {
      dev.teardown.sandbox.Discovery.install(
          mock.server(), dev.teardown.sandbox.EmbeddedKube.crd());
    }
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, kube.kubeconfig());
    dev.teardown.config.OperatorConfig timings =
        dev.teardown.config.OperatorConfig.defaults()
            .withTimings(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofSeconds(1))
            .withCloudTimeout(cloudTimeout)
            .withMetricsPort(0);
    Map<String, String> env =
        new java.util.HashMap<>(
            dev.teardown.sandbox.Serve.operatorEnv(
                kubeconfig, Map.of(provider, endpoint), timings));
    env.put("TEARDOWN_NAMESPACES", ns);
    kube.client()
        .secrets()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withMetadata(
                    new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                        .withName("keys")
                        .withNamespace(ns)
                        .build())
                .withStringData(secret)
                .build())
        .create();
    return env;
  }

  /** A launch of {@code TeardownOperator run}, to configure. */
  public static Launch operator() {
    return new Launch();
  }

  /** How the process is started. */
  public static final class Launch {
    private String heap = "256m";
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> args = new ArrayList<>(List.of("run"));
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path log;

    private Launch() {}

    /** -Xmx (default 256m). */
    public Launch heap(String heap) {
      this.heap = heap;
      return this;
    }

    /** One more JVM option (-Xlog:..., -Xshare:auto). */
    public Launch jvmArg(String arg) {
      jvmArgs.add(arg);
      return this;
    }

    /** The operator's command line after the class name (default {@code run}). */
    public Launch args(String... args) {
      this.args.clear();
      this.args.addAll(List.of(args));
      return this;
    }

    public Launch env(Map<String, String> settings) {
      env.putAll(settings);
      return this;
    }

    public Launch env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /** Where stdout and stderr go, together (required). */
    public Launch log(Path log) {
      this.log = log;
      return this;
    }

    public OperatorProcess start() {
      if (log == null) {
        throw new IllegalStateException("an operator process needs a log file");
      }
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx" + heap);
      command.add("-XX:TieredStopAtLevel=1");
      command.add("-XX:+UseSerialGC");
      command.addAll(jvmArgs);
      command.add("-cp");
      command.add(
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
      command.add("dev.teardown.TeardownOperator");
      command.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(command);
      Map<String, String> e = pb.environment();
      e.keySet()
          .removeIf(
              k ->
                  k.startsWith("TEARDOWN_")
                      || k.startsWith("KUBERNETES_")
                      || k.equals("KUBECONFIG")
                      || k.toLowerCase(java.util.Locale.ROOT).endsWith("_proxy"));
      e.putAll(env);
      pb.redirectErrorStream(true).redirectOutput(log.toFile());
      try {
        return new OperatorProcess(pb.start(), log);
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }

    /**
     * Starts it and waits for it to exit by itself (a refused configuration, a one-shot command);
     * fails when it is still running after {@code timeout}.
     */
    public Exit runToExit(Duration timeout) throws InterruptedException {
      try (OperatorProcess p = start()) {
        if (!p.awaitExit(timeout)) {
          throw new AssertionError(
              "the operator did not exit by itself within " + timeout + ":\n" + p.tail(40));
        }
        return new Exit(p.exitCode(), p.output());
      }
    }
  }

  /** How a process that exited by itself ended. */
  public record Exit(int exitCode, String output) {
    /** Output lines that are not the JVM's own notices. */
    public List<String> lines() {
      return output.lines().filter(l -> !l.isBlank() && !l.startsWith("Picked up ")).toList();
    }
  }

  public Process process() {
    return process;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** Everything it wrote so far. */
  public String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Its last lines, for assertion messages. */
  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | RuntimeException e) {
      return "(no log)";
    }
  }

  /** SIGTERM, as the kubelet sends it: the shutdown path runs. */
  public void sigterm() {
    process.destroy();
  }

  /** SIGKILL, and waits (up to 20 s) for the process to be gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether it exited within the timeout. */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public int exitCode() {
    return process.exitValue();
  }

  /** {@code GET http://127.0.0.1:port/path}: "status body". */
  public static String get(int port, String path) throws IOException, InterruptedException {
    HttpResponse<String> res =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return res.statusCode() + " " + res.body();
  }

  /**
   * Waits until {@code /healthz} and {@code /readyz} on the metrics port both answer 200; fails at
   * once when the process exits meanwhile.
   */
  public void awaitReady(int port, Duration timeout) {
    Awaitility.await("operator healthy and ready on port " + port)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptionsInstanceOf(IOException.class)
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new AssertionError("the operator exited:\n" + tail(40));
              }
              return get(port, "/healthz").startsWith("200")
                  && get(port, "/readyz").startsWith("200");
            });
  }

  /** SIGKILL if still running. */
  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
