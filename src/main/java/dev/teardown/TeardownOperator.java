package dev.teardown;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.cli.BenchCommand;
import dev.teardown.cli.SandboxCommand;
import dev.teardown.cli.SimulateCommand;
import dev.teardown.cli.VersionProvider;
import dev.teardown.config.OperatorConfig;
import dev.teardown.config.Setting;
import dev.teardown.logging.LogFormat;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * The one jar's commands (picocli): {@code run} (the default) operates on the current kubeconfig or
 * in-cluster config; {@code sandbox} runs everything locally; {@code simulate} serves only the
 * cloud simulators; {@code bench} measures; {@code settings} prints the settings. Every command has
 * {@code --help}; {@code --version} prints the build's version. Exit codes, the same on every
 * command: 0 success, 1 failure, 2 bad input (an unknown option, a bad option value, a bad setting,
 * a world file or manifest that cannot be read).
 */
@Command(
    name = "teardown",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    usageHelpAutoWidth = true,
    sortOptions = false,
    description =
        "Deletes cloud VMs together with every data disk attached to them. Without a command: run.",
    subcommands = {TeardownOperator.Run.class, TeardownOperator.Settings.class})
public final class TeardownOperator implements Callable<Integer> {
  /**
   * Commands that need the sandbox and the simulators, which the operator-only jar of the image
   * leaves out.
   */
  static final List<String> SANDBOX_COMMANDS = List.of("sandbox", "simulate", "bench");

  /**
   * Returned by a command that must not exit the JVM itself (its shutdown hook is already exiting
   * it).
   */
  static final int NO_EXIT = Integer.MIN_VALUE;

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      scope = ScopeType.INHERIT,
      description =
          "text or json (one JSON object per line: time, level, logger, message, and namespace/name "
              + "during a reconcile); default: $TEARDOWN_LOG_FORMAT, else text")
  LogFormat logFormat;

  public static void main(String[] args) {
    int code = execute(args, System.out, System.err);
    if (code != NO_EXIT) {
      System.exit(code);
    }
  }

  /**
   * Parses and runs a command line; returns the exit code ({@link #NO_EXIT}: the JVM is already
   * exiting).
   */
  static int execute(String[] args, PrintStream out, PrintStream err) {
    CommandLine cli = commandLine(out, err);
    return cli.execute(args);
  }

  /** The command tree with its handlers; the sandbox's commands only when this jar carries them. */
  static CommandLine commandLine(PrintStream out, PrintStream err) {
    CommandLine cli = new CommandLine(new TeardownOperator());
    // the container image's jar leaves the sandbox out (build/operator-jar.exclude); look without
    // loading a class
    boolean sandboxInJar =
        TeardownOperator.class.getResource("/dev/teardown/sandbox/Sandbox.class") != null;
    for (String name : SANDBOX_COMMANDS) {
      Object command =
          !sandboxInJar
              ? new NotInThisJar(name)
              : switch (name) {
                case "sandbox" -> new SandboxCommand();
                case "simulate" -> new SimulateCommand();
                default -> new BenchCommand();
              };
      cli.addSubcommand(name, command);
    }
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setExecutionStrategy(TeardownOperator::executeWithLogging);
    cli.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine c = ex.getCommandLine();
          c.getErr().println(c.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
          c.getErr()
              .println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for the options.");
          return ExitCode.USAGE;
        });
    cli.setExecutionExceptionHandler(
        (ex, c, parsed) -> {
          c.getErr().println(c.getCommandSpec().qualifiedName() + ": " + oneLine(ex));
          return ExitCode.SOFTWARE;
        });
    return cli;
  }

  /**
   * Before the command runs: the log format (which must be chosen before the first logger is made)
   * and, for the local commands that print their own tables, the warn level, so the operator's
   * per-phase lines do not drown them.
   */
  private static int executeWithLogging(ParseResult parsed) {
    LogFormat format = null;
    String command = "run";
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      format = p.matchedOptionValue("--log-format", format);
      if (p != parsed) {
        command = p.commandSpec().name();
      }
    }
    if (parsed.isUsageHelpRequested() || parsed.isVersionHelpRequested()) {
      return new CommandLine.RunLast().execute(parsed);
    }
    LogFormat f;
    try {
      f = format != null ? format : LogFormat.parse(System.getenv(LogFormat.ENV));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          parsed.commandSpec().commandLine(),
          "Invalid value of " + LogFormat.ENV + ": " + e.getMessage());
    }
    if (!command.equals("run")
        && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    f.apply();
    return new CommandLine.RunLast().execute(parsed);
  }

  /** Without a command: {@code run}. */
  @Override
  public Integer call() throws Exception {
    return run();
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = {
        "Runs the operator against the current kubeconfig or the in-cluster config.",
        "Its settings are environment variables: see the settings command."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:stopped by a signal after a clean start",
        "1:the operator could not start (API server " + "unreachable, CRD missing, RBAC)",
        "2:a bad setting or option"
      })
  static final class Run implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      return run();
    }
  }

  @Command(
      name = "settings",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = {
        "Prints every setting with the value in effect here (from the environment) and where it came "
            + "from: env (its variable is set) or default.",
        "A value that cannot be read is named, and the exit code is 2."
      })
  static final class Settings implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--markdown",
        description = "print the declarations as the README's table instead")
    boolean markdown;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (markdown) {
        out.print(OperatorConfig.markdownTable());
        out.flush();
        return ExitCode.OK;
      }
      OperatorConfig config;
      try {
        config = OperatorConfig.fromEnvironment();
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("teardown settings: bad setting: " + e.getMessage());
        return ExitCode.USAGE;
      }
      out.print(table(config));
      out.flush();
      return ExitCode.OK;
    }

    /**
     * VARIABLE, VALUE (in effect), FROM (env, default, or code), TYPE; columns as wide as their
     * cells.
     */
    static String table(OperatorConfig config) {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"VARIABLE", "VALUE", "FROM", "TYPE"});
      for (Setting<?> s : OperatorConfig.SETTINGS) {
        OperatorConfig.Value v = config.valueOf(s);
        rows.add(
            new String[] {
              s.env(), v.text().isEmpty() ? "-" : v.text(), v.source().toString(), s.type().name()
            });
      }
      int[] w = new int[4];
      rows.forEach(
          r -> {
            for (int i = 0; i < r.length; i++) {
              w[i] = Math.max(w[i], r[i].length());
            }
          });
      StringBuilder b = new StringBuilder();
      for (String[] r : rows) {
        b.append(
                String.format(
                        "%-" + w[0] + "s   %-" + w[1] + "s   %-" + w[2] + "s   %s", (Object[]) r)
                    .stripTrailing())
            .append(System.lineSeparator());
      }
      return b.toString();
    }
  }

  /** Stands for a command of the full jar in the operator-only jar of the container image. */
  @Command(description = "Not in this jar (the container image carries only the operator).")
  static final class NotInThisJar implements Callable<Integer> {
    private final String name;
    @Unmatched List<String> ignored = new ArrayList<>();
    @Spec CommandSpec spec;

    NotInThisJar(String name) {
      this.name = name;
    }

    @Override
    public Integer call() {
      spec.commandLine()
          .getErr()
          .println(
              "teardown: '"
                  + name
                  + "' is not in this jar, which carries only the "
                  + "operator (the container image); run it from the full jar: mvn -B -q package -DskipTests && java -jar "
                  + "target/teardown.jar "
                  + name);
      return ExitCode.USAGE;
    }
  }

  /**
   * The client's configuration as fabric8 reads it (kubeconfig, in-cluster service account, {@code
   * KUBERNETES_*}), except that it speaks HTTP/1.1 unless {@code KUBERNETES_HTTP2_DISABLE} (or
   * {@code kubernetes.http2.disable}) says otherwise. With HTTP/2 the JDK client multiplexes every
   * request on one connection and, once the server's limit of concurrent streams is reached
   * (watches count), fails requests with "too many concurrent streams" instead of opening another
   * connection: a fleet of deletions on 128 reconcile threads against a real kube-apiserver did not
   * finish that way. HTTP/1.1 gives each request in flight a pooled connection.
   */
  static io.fabric8.kubernetes.client.Config kubernetesConfig(
      Map<String, String> env, java.util.Properties props) {
    io.fabric8.kubernetes.client.Config c = io.fabric8.kubernetes.client.Config.autoConfigure(null);
    if (env.get("KUBERNETES_HTTP2_DISABLE") == null
        && props.getProperty("kubernetes.http2.disable") == null) {
      c.setHttp2Disable(true);
    }
    return c;
  }

  private static int run() throws Exception {
    OperatorConfig config;
    try {
      config = OperatorConfig.fromEnvironment();
    } catch (IllegalArgumentException e) {
      System.err.println("teardown: bad setting: " + e.getMessage());
      return ExitCode.USAGE;
    }
    KubernetesClient client;
    OperatorRuntime runtime;
    try {
      client =
          new KubernetesClientBuilder()
              .withConfig(kubernetesConfig(System.getenv(), System.getProperties()))
              .build();
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
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  runtime.close();
                  client.close();
                  stop.countDown();
                },
                "teardown-shutdown"));
    stop.await();
    return NO_EXIT; // the shutdown hook is already exiting the JVM
  }

  /**
   * Checks, before anything starts, that the Kubernetes API answers and lets this identity list
   * CloudInstanceDeletions where it will watch them, with one attempt and bounded timeouts. Returns
   * what is wrong in one line, or null.
   */
  static String preflight(KubernetesClient client, OperatorConfig config) {
    String url = client.getConfiguration().getMasterUrl();
    Config probeConfig =
        new ConfigBuilder(client.getConfiguration())
            .withRequestRetryBackoffLimit(0)
            .withConnectionTimeout(10_000)
            .withRequestTimeout(10_000)
            .build();
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
        case 404 ->
            "the CustomResourceDefinition "
                + crd
                + " is not installed in the cluster at "
                + url
                + " (kubectl apply -k crds/)";
        case 401 -> "the Kubernetes API at " + url + " refused the credentials (HTTP 401)";
        case 403 ->
            "this identity may not list "
                + crd
                + " at "
                + url
                + " (HTTP 403; see deploy/rbac.yaml): "
                + oneLine(e);
        case 0, -1 ->
            "cannot reach the Kubernetes API at "
                + url
                + ": "
                + (e.getCause() == null ? oneLine(e) : oneLine(e.getCause()));
        default ->
            "the Kubernetes API at " + url + " answered HTTP " + e.getCode() + ": " + oneLine(e);
      };
    } catch (RuntimeException e) {
      return "cannot reach the Kubernetes API at " + url + ": " + oneLine(e);
    }
  }

  /** An exception and its causes as one line: each distinct message once, no stack trace. */
  static String oneLine(Throwable e) {
    List<String> parts = new ArrayList<>();
    for (Throwable t = e;
        t != null && parts.size() < 6;
        t = t.getCause() == t ? null : t.getCause()) {
      String raw =
          t.getMessage() == null || t.getMessage().isBlank()
              ? t.getClass().getSimpleName()
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
