package dev.teardown.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teardown.api.v1alpha1.Provider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
    BenchOptions o = BenchOptions.parse(new String[] {"--provider", "volcengine", "--deletions", "1000",
        "--instances", "2", "--disks", "0", "--window", "100ms", "--baseline", "0"});
    assertThat(o.provider()).isEqualTo(Provider.VOLCENGINE);
    assertThat(o.deletions()).isEqualTo(1000);
    assertThat(o.window()).isEqualTo(Duration.ofMillis(100));
    assertThat(o.toArgs()).containsSequence("--deletions", "1000");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
    "--deletions|abc|--deletions must be a whole number",
    "--deletions|0|--deletions must be a whole number from 1",
    "--instances|101|--instances must be a whole number from 1 to 100",
    "--provider|aws|--provider must be one of",
    "--timeout|soon|--timeout must be a duration",
    "--bogus|1|unknown option --bogus",
  })
  void badInputIsOneLineNamingTheOptionAndExitTwo(String option, String value, String message) throws Exception {
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {option, value})).hasMessageContaining(message);
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      assertThat(Bench.main(new String[] {option, value})).isEqualTo(2);
    } finally {
      System.setErr(err);
    }
    String printed = buf.toString(StandardCharsets.UTF_8);
    assertThat(printed.lines()).hasSize(1);
    assertThat(printed).startsWith("bench: ").contains(option).doesNotContain("Exception");
  }

  @Test
  void aMissingValueIsNamed() {
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--disks"})).hasMessage("--disks needs a value");
  }
}
