package dev.teardown.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teardown.TeardownCli;
import dev.teardown.api.v1alpha1.Provider;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BenchOptionsTest {

  @Test
  void defaultsAndOverrides() throws Exception {
    BenchOptions d = BenchOptions.parse(new String[0]);
    assertThat(d.provider()).isEqualTo(Provider.TENCENTCLOUD);
    assertThat(d.deletions()).isEqualTo(100);
    BenchOptions o =
        BenchOptions.parse(
            new String[] {
              "--provider",
              "volcengine",
              "--deletions",
              "1000",
              "--instances",
              "2",
              "--disks",
              "0",
              "--window",
              "100ms",
              "--baseline",
              "0"
            });
    assertThat(o.provider()).isEqualTo(Provider.VOLCENGINE);
    assertThat(o.deletions()).isEqualTo(1000);
    assertThat(o.window()).isEqualTo(Duration.ofMillis(100));
    assertThat(o.toArgs()).containsSequence("--deletions", "1000");
    assertThat(d.realApi()).as("the real API when its binaries are built, else the mock").isNull();
    assertThat(d.creators()).isEqualTo(16);
    assertThat(d.heapHistogram()).isNull();
    assertThat(d.toArgs()).doesNotContain("--real-api", "--mock-api");
  }

  @Test
  void theApiAndTheCreatorsReachTheWorldProcess() throws Exception {
    BenchOptions real =
        BenchOptions.parse(
            new String[] {"--real-api", "--creators", "64", "--heap-histogram", "h.txt"});
    assertThat(real.realApi()).isTrue();
    assertThat(real.heapHistogram()).hasToString("h.txt");
    assertThat(real.toArgs()).contains("--real-api").containsSequence("--creators", "64");
    BenchOptions mock = BenchOptions.parse(new String[] {"--mock-api"});
    assertThat(mock.realApi()).isFalse();
    assertThat(BenchOptions.parse(mock.toArgs().toArray(String[]::new))).isEqualTo(mock);
  }

  @Test
  void deletionsAreCreatedFirstUnlessAskedToCreateThemWhileTheOperatorRuns() throws Exception {
    BenchOptions first = BenchOptions.parse(new String[0]);
    assertThat(first.createFirst()).isTrue();
    assertThat(first.toArgs()).doesNotContain("--create-while-running");
    BenchOptions running = BenchOptions.parse(new String[] {"--create-while-running"});
    assertThat(running.createFirst()).isFalse();
    assertThat(BenchOptions.parse(running.toArgs().toArray(String[]::new))).isEqualTo(running);
  }

  @Test
  void realAndMockApiExcludeEachOther() {
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--real-api", "--mock-api"}))
        .hasMessage("--real-api and --mock-api exclude each other");
    TeardownCli.Result r = TeardownCli.run("bench", "--real-api", "--mock-api");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().lines().findFirst().orElse(""))
        .isEqualTo("teardown bench: --real-api and --mock-api exclude each other");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--deletions|abc|Invalid value for option '--deletions': 'abc' is not an int",
        "--deletions|0|Invalid value for option '--deletions': 0 is not from 1 to 100000",
        "--instances|101|Invalid value for option '--instances': 101 is not from 1 to 100",
        "--creators|0|Invalid value for option '--creators': 0 is not from 1 to 256",
        "--provider|aws|Invalid value for option '--provider': expected one of",
        "--timeout|soon|Invalid value for option '--timeout': 'soon' is not a duration (e.g. 90s, 5m)",
        "--bogus|1|Unknown options: '--bogus', '1'",
      })
  void badInputIsOneLineNamingTheOptionAndExitTwo(String option, String value, String message) {
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {option, value}))
        .hasMessageContaining(message);
    TeardownCli.Result r = TeardownCli.run("bench", option, value);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().lines().findFirst().orElse(""))
        .isEqualTo(
            "teardown bench: "
                + message.replaceAll(
                    "expected one of$",
                    "expected one of tencentcloud, ucloud-compshare, volcengine but was 'aws'"));
    assertThat(r.err()).contains("bench --help").doesNotContain("Exception", "\tat ");
  }

  @Test
  void aMissingValueIsNamed() {
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--disks"}))
        .hasMessageContaining("Missing required parameter for option '--disks'");
  }
}
