package dev.teardown;

import dev.teardown.config.OperatorConfig;
import dev.teardown.sandbox.Sandbox;
import dev.teardown.sandbox.Simulate;
import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The one jar's commands: {@code run} (default) operates on the current kubeconfig or in-cluster config;
 * {@code sandbox} runs everything locally; {@code simulate} serves only the cloud simulators; {@code settings}
 * prints the configuration table.
 */
public final class TeardownOperator {
  /** Commands that need the sandbox and the simulators, which the operator-only jar of the image leaves out. */
  private static final java.util.Set<String> SANDBOX_COMMANDS = java.util.Set.of("sandbox", "simulate", "bench");

  private TeardownOperator() {}

  public static void main(String[] args) throws Exception {
    String cmd = args.length == 0 ? "run" : args[0];
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    if (!cmd.equals("run") && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      // local commands print their own tables; the operator's per-phase log lines would drown them
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    boolean sandboxInJar = TeardownOperator.class.getResource("/dev/teardown/sandbox/Sandbox.class") != null;
    if (SANDBOX_COMMANDS.contains(cmd) && !sandboxInJar) {
      // the container image carries only the operator (see build/operator-jar.exclude)
      System.err.println("teardown: '" + cmd + "' is not in this jar, which carries only the operator (the container"
          + " image); run it from the full jar: mvn -B -q package -DskipTests && java -jar target/teardown.jar " + cmd);
      System.exit(2);
    }
    int code = switch (cmd) {
      case "run" -> run();
      case "sandbox" -> Sandbox.main(rest);
      case "simulate" -> Simulate.main(rest);
      case "bench" -> dev.teardown.sandbox.Bench.main(rest);
      case "settings" -> settings();
      case "-h", "--help", "help" -> usage(0);
      default -> usage(2);
    };
    if (code != Integer.MIN_VALUE) {
      System.exit(code);
    }
  }

  private static int usage(int code) {
    System.out.println("""
        usage: java -jar teardown.jar [command] [options]
          run        run the operator against the current kubeconfig / in-cluster config (default)
          sandbox    embedded Kubernetes API + simulated clouds + operator; applies examples/ and reports
                     (options: --world FILE --apply DIR|FILE --json FILE --timeout 60s)
                     --real-api / --mock-api: a real kube-apiserver (built by build/kube-binaries; the default
                     when built) or the in-process mock (the default without the binaries)
                     --serve keeps the API and the clouds running for kubectl and a separately started operator
                     (with --serve: --no-operator --empty --no-table --out DIR --kube-port N --sim-port-base N)
          simulate   only the cloud simulators, from a world file (options: --world FILE --port-base N --host H)
          bench      speed and memory figures (options: --provider P --deletions N --instances M --disks D)
          settings   print every setting (environment variable, default, meaning)
        """);
    return code;
  }

  private static int settings() {
    System.out.println("| variable | default | meaning |\n|---|---|---|");
    for (OperatorConfig.Setting s : OperatorConfig.SETTINGS) {
      System.out.println("| `" + s.env() + "` | `" + s.defaultValue() + "` | " + s.description() + " |");
    }
    return 0;
  }

  private static int run() throws Exception {
    OperatorConfig config;
    try {
      config = OperatorConfig.fromEnvironment();
    } catch (IllegalArgumentException e) {
      System.err.println("teardown: bad setting: " + e.getMessage());
      return 2;
    }
    KubernetesClient client;
    OperatorRuntime runtime;
    try {
      client = new KubernetesClientBuilder().build();
    } catch (RuntimeException e) {
      System.err.println("teardown: cannot configure the Kubernetes client: " + oneLine(e));
      return 1;
    }
    String problem = preflight(client, config);
    if (problem != null) {
      System.err.println("teardown: " + problem);
      client.close();
      return 1;
    }
    try {
      runtime = OperatorRuntime.start(client, config, Clock.systemUTC(), true);
    } catch (Exception e) {
      // One line, not a stack trace: the pod's log shows why it exits, and the kubelet restarts it.
      System.err.println("teardown: the operator could not start: " + oneLine(e));
      client.close();
      return 1;
    }
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      runtime.close();
      client.close();
      stop.countDown();
    }, "teardown-shutdown"));
    stop.await();
    return Integer.MIN_VALUE; // the shutdown hook is already exiting the JVM
  }

  /**
   * Checks, before anything starts, that the Kubernetes API answers and lets this identity list
   * CloudInstanceDeletions where it will watch them, with one attempt and bounded timeouts. Returns what is wrong
   * in one line, or null.
   */
  static String preflight(KubernetesClient client, OperatorConfig config) {
    String url = client.getConfiguration().getMasterUrl();
    Config probeConfig = new ConfigBuilder(client.getConfiguration())
        .withRequestRetryBackoffLimit(0).withConnectionTimeout(10_000).withRequestTimeout(10_000).build();
    String crd = HasMetadata.getFullResourceName(CloudInstanceDeletion.class);
    try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(probeConfig).build()) {
      ListOptions one = new ListOptionsBuilder().withLimit(1L).build();
      var resources = probe.resources(CloudInstanceDeletion.class);
      if (config.namespaces().isEmpty()) {
        resources.inAnyNamespace().list(one);
      } else {
        for (String ns : config.namespaces()) {
          resources.inNamespace(ns).list(one);
        }
      }
      return null;
    } catch (KubernetesClientException e) {
      return switch (e.getCode()) {
        case 404 -> "the CustomResourceDefinition " + crd + " is not installed in the cluster at " + url
            + " (kubectl apply -k crds/)";
        case 401 -> "the Kubernetes API at " + url + " refused the credentials (HTTP 401)";
        case 403 -> "this identity may not list " + crd + " at " + url + " (HTTP 403; see deploy/rbac.yaml): "
            + oneLine(e);
        case 0, -1 -> "cannot reach the Kubernetes API at " + url + ": "
            + (e.getCause() == null ? oneLine(e) : oneLine(e.getCause()));
        default -> "the Kubernetes API at " + url + " answered HTTP " + e.getCode() + ": " + oneLine(e);
      };
    } catch (RuntimeException e) {
      return "cannot reach the Kubernetes API at " + url + ": " + oneLine(e);
    }
  }

  /** An exception and its causes as one line: each distinct message once, no stack trace. */
  static String oneLine(Throwable e) {
    List<String> parts = new ArrayList<>();
    for (Throwable t = e; t != null && parts.size() < 6; t = t.getCause() == t ? null : t.getCause()) {
      String raw = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName()
          : t.getMessage();
      String m = raw.replaceAll("\\s+", " ").trim();
      if (parts.stream().noneMatch(p -> p.contains(m))) {
        parts.add(m);
      }
    }
    String line = String.join(": ", parts);
    return line.length() > 400 ? line.substring(0, 400) + "..." : line;
  }
}
