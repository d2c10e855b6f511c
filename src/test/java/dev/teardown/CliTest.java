package dev.teardown;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.config.OperatorConfig;
import dev.teardown.metrics.BuildInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The command line: per-command help, --version, option errors that name the option, exit codes
 * 0/1/2.
 */
class CliTest {
  private static final List<String> COMMANDS =
      List.of("run", "sandbox", "simulate", "bench", "settings");

  @Test
  void everyCommandHasItsOwnHelpAndExits0WithoutDoingAnything() {
    for (String c : COMMANDS) {
      TeardownCli.Result r = TeardownCli.run(c, "--help");
      assertThat(r.code()).as(c).isZero();
      assertThat(r.out())
          .as(c)
          .startsWith("Usage: teardown " + c)
          .contains("--help", "--version", "--log-format");
      assertThat(r.err()).as(c).isEmpty();
    }
    // run --help only prints: the operator would print "teardown: cannot reach the Kubernetes API"
    // and exit 1
    assertThat(TeardownCli.run("run", "--help").out())
        .contains("Runs the operator")
        .doesNotContain("teardown:");
    assertThat(TeardownCli.run("sandbox", "--help").out())
        .contains(
            "--world",
            "--apply",
            "--json",
            "--timeout",
            "--real-api",
            "--mock-api",
            "--serve",
            "--no-operator",
            "--empty",
            "--no-table",
            "--out",
            "--kube-port",
            "--sim-port-base");
    assertThat(TeardownCli.run("simulate", "--help").out())
        .contains("--world", "--host", "--port-base");
    assertThat(TeardownCli.run("bench", "--help").out())
        .contains(
            "--provider",
            "--deletions",
            "--instances",
            "--disks",
            "--timeout",
            "--threads",
            "--window",
            "--baseline",
            "--json");
    TeardownCli.Result top = TeardownCli.run("--help");
    assertThat(top.code()).isZero();
    assertThat(top.out()).contains("run", "sandbox", "simulate", "bench", "settings");
  }

  @Test
  void versionIsTheBuildsProjectVersion() {
    assertThat(BuildInfo.version()).isNotEqualTo("unknown").matches("\\d+\\.\\d+\\.\\d+.*");
    for (String[] args :
        List.of(new String[] {"--version"}, new String[] {"sandbox", "--version"})) {
      TeardownCli.Result r = TeardownCli.run(args);
      assertThat(r.code()).isZero();
      assertThat(r.out()).startsWith("teardown " + BuildInfo.version() + System.lineSeparator());
    }
  }

  @Test
  void badInputNamesTheOptionAndExits2WithoutAStackTrace() {
    record Case(String[] args, String message) {}
    List<Case> cases =
        List.of(
            new Case(
                new String[] {"sandbox", "--timeout", "soon"},
                "Invalid value for option '--timeout': 'soon' is not " + "a duration"),
            new Case(
                new String[] {"sandbox", "--kube-port", "x"},
                "Invalid value for option '--kube-port': 'x' is not an " + "int"),
            new Case(
                new String[] {"sandbox", "--world"},
                "Missing required parameter for option '--world'"),
            new Case(new String[] {"sandbox", "--empty"}, "--empty only makes sense with --serve"),
            new Case(
                new String[] {"sandbox", "--real-api", "--mock-api"},
                "--real-api and --mock-api exclude each other"),
            new Case(new String[] {"sandbox", "--colour"}, "Unknown option: '--colour'"),
            new Case(
                new String[] {"bench", "--deletions", "abc"},
                "Invalid value for option '--deletions': 'abc' is not " + "an int"),
            new Case(new String[] {"settings", "extra"}, "Unmatched argument at index 1: 'extra'"),
            new Case(
                new String[] {"run", "--log-format", "xml"},
                "Invalid value for option '--log-format'"),
            new Case(new String[] {"explode"}, "Unmatched argument at index 0: 'explode'"));
    for (Case c : cases) {
      TeardownCli.Result r = TeardownCli.run(c.args());
      assertThat(r.code()).as(String.join(" ", c.args())).isEqualTo(2);
      assertThat(r.err())
          .as(String.join(" ", c.args()))
          .contains(c.message())
          .contains("--help")
          .doesNotContain("\tat ", "Exception");
    }
  }

  @Test
  void settingsShowsTheValuesInEffectAndWhereEachCameFrom() {
    OperatorConfig c =
        OperatorConfig.from(
            java.util.Map.of(
                    "TEARDOWN_POLL_INTERVAL",
                    "750ms",
                    "TEARDOWN_TENCENTCLOUD_ENDPOINT",
                    "http://127.0.0.1:9001")
                ::get);
    List<String> lines = TeardownOperator.Settings.table(c).lines().toList();
    assertThat(lines.get(0)).matches("VARIABLE +VALUE +FROM +TYPE");
    assertThat(lines)
        .hasSize(OperatorConfig.SETTINGS.size() + 1)
        .anySatisfy(l -> assertThat(l).matches("TEARDOWN_POLL_INTERVAL +750ms +env +duration"))
        .anySatisfy(l -> assertThat(l).matches("TEARDOWN_RETRY_MAX +5m +default +duration"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .matches("TEARDOWN_TENCENTCLOUD_ENDPOINT +http://127.0.0.1:9001 +env +url"))
        .anySatisfy(l -> assertThat(l).matches("TEARDOWN_VOLCENGINE_ENDPOINT +- +default +url"));
    // the VALUE column starts at the same offset on every line
    int at = lines.get(0).indexOf("VALUE");
    assertThat(lines).allSatisfy(l -> assertThat(l.charAt(at - 1)).isEqualTo(' '));

    TeardownCli.Result r = TeardownCli.run("settings");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("VARIABLE").contains("TEARDOWN_STALL_AFTER");
    TeardownCli.Result md = TeardownCli.run("settings", "--markdown");
    assertThat(md.code()).isZero();
    assertThat(md.out()).isEqualTo(OperatorConfig.markdownTable());
  }
}
