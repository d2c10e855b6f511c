package dev.teardown.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorTest {
  static final Map<String, String> A = Map.of("teardown.dev/shard", "a", "team", "ci");
  static final Map<String, String> B = Map.of("teardown.dev/shard", "b");

  @Test
  void equalitySetAndExistenceRequirementsMatchLikeTheApiServer() {
    assertThat(LabelSelector.parse("teardown.dev/shard=a").matches(A)).isTrue();
    assertThat(LabelSelector.parse("teardown.dev/shard==a").matches(B)).isFalse();
    assertThat(LabelSelector.parse("teardown.dev/shard!=a").matches(B)).isTrue();
    assertThat(LabelSelector.parse("teardown.dev/shard!=a").matches(Map.of()))
        .as("absent counts as not equal")
        .isTrue();
    assertThat(LabelSelector.parse("teardown.dev/shard in (b, c)").matches(B)).isTrue();
    assertThat(LabelSelector.parse("teardown.dev/shard in (b, c)").matches(A)).isFalse();
    assertThat(LabelSelector.parse("teardown.dev/shard notin (b)").matches(A)).isTrue();
    assertThat(LabelSelector.parse("team").matches(A)).isTrue();
    assertThat(LabelSelector.parse("!team").matches(A)).isFalse();
    assertThat(LabelSelector.parse("teardown.dev/shard=a, team=ci").matches(A)).isTrue();
    assertThat(LabelSelector.parse("teardown.dev/shard in (a,b),team=prod").matches(A)).isFalse();
    assertThat(LabelSelector.parse(" ").matches(null)).as("blank selects everything").isTrue();
  }

  @Test
  void somethingElseIsRefusedNamingThePart() {
    assertThatThrownBy(() -> LabelSelector.parse("shard=a, =b")).hasMessageContaining("'=b'");
    assertThatThrownBy(() -> LabelSelector.parse("shard in a,b"))
        .hasMessageContaining("shard in a");
    assertThatThrownBy(() -> LabelSelector.parse("shard=a b"))
        .hasMessageContaining("not a label requirement");
  }

  @Test
  void theSettingsNameTheVariable() {
    assertThatThrownBy(() -> OperatorConfig.from(Map.of("TEARDOWN_SELECTOR", "shard=(a")::get))
        .hasMessageContaining("TEARDOWN_SELECTOR is not a label selector");
    assertThatThrownBy(() -> OperatorConfig.from(Map.of("TEARDOWN_RATE_SHARE", "0")::get))
        .hasMessageContaining("TEARDOWN_RATE_SHARE must be a number above 0 and at most 1");
    assertThatThrownBy(() -> OperatorConfig.from(Map.of("TEARDOWN_RATE_SHARE", "half")::get))
        .hasMessageContaining("TEARDOWN_RATE_SHARE");
    OperatorConfig c =
        OperatorConfig.from(
            Map.of(
                    "TEARDOWN_SELECTOR",
                    "teardown.dev/shard in (a)",
                    "TEARDOWN_RATE_SHARE",
                    "0.5",
                    "TEARDOWN_BATCH_WINDOW",
                    "100ms")
                ::get);
    assertThat(c.selector()).isEqualTo("teardown.dev/shard in (a)");
    assertThat(c.rateShare()).isEqualTo(0.5);
    assertThat(c.batchWindow()).hasMillis(100);
    assertThat(OperatorConfig.defaults().selector()).isEmpty();
    assertThat(OperatorConfig.defaults().rateShare()).isEqualTo(1.0);
  }
}
