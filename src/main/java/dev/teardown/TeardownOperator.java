package dev.teardown;

import dev.teardown.config.OperatorConfig;
import dev.teardown.sandbox.Sandbox;
import dev.teardown.sandbox.Simulate;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * The one jar's commands: {@code run} (default) operates on the current kubeconfig or in-cluster config;
 * {@code sandbox} runs everything locally; {@code simulate} serves only the cloud simulators; {@code settings}
 * prints the configuration table.
 */
public final class TeardownOperator {
  private TeardownOperator() {}

  public static void main(String[] args) throws Exception {
    String cmd = args.length == 0 ? "run" : args[0];
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    if (!cmd.equals("run") && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      // local commands print their own tables; the operator's per-phase log lines would drown them
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
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
    KubernetesClient client = new KubernetesClientBuilder().build();
    OperatorRuntime runtime = OperatorRuntime.start(client, config, Clock.systemUTC(), true);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      runtime.close();
      client.close();
      stop.countDown();
    }, "teardown-shutdown"));
    stop.await();
    return Integer.MIN_VALUE; // the shutdown hook is already exiting the JVM
  }
}
