package dev.teardown.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parameter reading every simulator shares, with a cloud's errors stood in by a test one. */
class ParamsTest {

  /** A refusal carrying what Params reported, so a test can see which error it asked for. */
  static final class Refused extends RuntimeException {
    Refused(String what) {
      super(what);
    }
  }

  static ParamErrors errors(boolean blankIsAbsent, boolean strictListKeys) {
    return new ParamErrors() {
      @Override
      public RuntimeException missing(String name) {
        return new Refused("missing " + name);
      }

      @Override
      public RuntimeException invalid(Problem problem, String name, String detail) {
        return new Refused(problem + " " + name + " " + detail);
      }

      @Override
      public boolean absent(String value) {
        return blankIsAbsent ? value == null || value.isBlank() : ParamErrors.super.absent(value);
      }

      @Override
      public boolean strictListKeys() {
        return strictListKeys;
      }
    };
  }

  private static Params flat(Map<String, String> values) {
    return Params.flat(values, errors(false, true));
  }

  @Test
  void flattenedListsAreReadInNumericIndexOrderWhateverTheyStartAt() {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("Ids.10", "k");
    q.put("Ids.2", "b");
    q.put("Ids.1", "a");
    q.put("IdsOther", "x");
    assertThat(flat(q).list("Ids")).containsExactly("a", "b", "k");
    assertThat(flat(Map.of("Ids.0", "z")).list("Ids")).containsExactly("z");
    assertThat(flat(q).list("Missing")).isEmpty();
  }

  @Test
  void aListKeyWithoutAnIntegerIndexIsRefusedOrSkippedAsTheCloudDoes() {
    Map<String, String> q = Map.of("Ids.1", "a", "Ids.1.Sub", "b");
    assertThatThrownBy(() -> flat(q).list("Ids"))
        .isInstanceOf(Refused.class)
        .hasMessage("BAD_LIST_KEY Ids.1.Sub b");
    assertThat(Params.flat(q, errors(false, false)).list("Ids")).containsExactly("a");
  }

  @Test
  void aRequiredValueOrListThatIsAbsentIsMissingInTheCloudsSenseOfAbsent() {
    assertThat(flat(Map.of("Zone", "z1")).required("Zone")).isEqualTo("z1");
    assertThatThrownBy(() -> flat(Map.of()).required("Zone")).hasMessage("missing Zone");
    assertThatThrownBy(() -> flat(Map.of("Zone", "")).required("Zone")).hasMessage("missing Zone");
    assertThat(flat(Map.of("Zone", " ")).required("Zone")).isEqualTo(" ");
    assertThatThrownBy(() -> Params.flat(Map.of("Zone", " "), errors(true, true)).required("Zone"))
        .hasMessage("missing Zone");
    assertThatThrownBy(() -> flat(Map.of()).requiredList("Ids")).hasMessage("missing Ids");
    assertThat(flat(Map.of("Ids.1", "a")).requiredList("Ids")).containsExactly("a");
  }

  @Test
  void anIntegerHasADefaultAndIsRefusedWhenNotANumberOrOutOfBounds() {
    assertThat(flat(Map.of()).integer("Size", 15, 1, 100)).isEqualTo(15);
    assertThat(flat(Map.of("Size", "")).integer("Size", 15, 1, 100)).isEqualTo(15);
    assertThat(flat(Map.of("Size", "100")).integer("Size", 15, 1, 100)).isEqualTo(100);
    assertThatThrownBy(() -> flat(Map.of("Size", "ten")).integer("Size", 15, 1, 100))
        .hasMessage("NOT_A_NUMBER Size ten");
    assertThatThrownBy(() -> flat(Map.of("Size", "101")).integer("Size", 15, 1, 100))
        .hasMessage("OUT_OF_RANGE Size 1 and 100");
    assertThatThrownBy(() -> flat(Map.of("Size", "0")).integer("Size", 15, 1, 100))
        .hasMessage("OUT_OF_RANGE Size 1 and 100");
  }

  @Test
  void flagsAndLenientNumbersFallBackToTheirDefault() {
    assertThat(flat(Map.of("Force", "true")).bool("Force", false)).isTrue();
    assertThat(flat(Map.of("Force", "yes")).bool("Force", true)).isFalse();
    assertThat(flat(Map.of()).bool("Force", true)).isTrue();
    assertThat(flat(Map.of("Offset", "7")).lenientLong("Offset", 0)).isEqualTo(7);
    assertThat(flat(Map.of("Offset", "x")).lenientLong("Offset", 3)).isEqualTo(3);
  }

  @Test
  void aJsonBodyHasListsAsArraysAndRefusesAnythingElseWhereAListBelongs() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Params p =
        Params.json(
            json.readTree(
                "{\"Ids\":[\"a\",\"b\"],\"One\":\"a\",\"Nil\":null,\"Offset\":\"4\","
                    + "\"Release\":true,\"Empty\":[]}"),
            errors(false, true));
    assertThat(p.list("Ids")).containsExactly("a", "b");
    assertThat(p.list("Nil")).isEmpty();
    assertThat(p.list("Absent")).isEmpty();
    assertThatThrownBy(() -> p.list("One")).hasMessage("NOT_A_LIST One \"a\"");
    assertThatThrownBy(() -> p.requiredList("Empty")).hasMessage("missing Empty");
    assertThat(p.text("One")).isEqualTo("a");
    assertThat(p.text("Nil")).isNull();
    assertThat(p.lenientLong("Offset", 0)).isEqualTo(4);
    assertThat(p.lenientLong("Absent", 20)).isEqualTo(20);
    assertThat(p.bool("Release", false)).isTrue();
    assertThat(p.bool("Absent", false)).isFalse();
  }
}
