package dev.teardown.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The malformed resources of {@code src/test/resources/admission/bad/}: one file each, a whole
 * manifest a person could {@code kubectl apply}, headed by {@code # <why it is bad>} and {@code #
 * expect: <fragment of the message>}. Each must be refused by the generated CRD (schema + CEL,
 * through {@link AdmissionEmulator}) with a message that contains the fragment. The files are plain
 * data so a test on a real API server can replay them.
 */
class BadResourcesTest {
  static final String DIR = "admission/bad";
  private static AdmissionEmulator apiServer;

  @BeforeAll
  static void loadCrd() {
    apiServer = AdmissionEmulator.forCrd(CrdFiles.generatedCrd());
  }

  /** One bad manifest. */
  record BadResource(String file, String reason, String expected, String yaml) {}

  static List<BadResource> all() {
    try {
      Path dir =
          Path.of(
              Objects.requireNonNull(BadResourcesTest.class.getClassLoader().getResource(DIR))
                  .toURI());
      try (Stream<Path> files = Files.list(dir)) {
        return files
            .filter(f -> f.toString().endsWith(".yaml"))
            .sorted()
            .map(BadResourcesTest::read)
            .toList();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BadResource read(Path f) {
    try {
      String yaml = Files.readString(f, StandardCharsets.UTF_8);
      List<String> lines = yaml.lines().toList();
      String reason = lines.get(0).replaceFirst("^#\\s*", "");
      String expected =
          lines.stream()
              .filter(l -> l.startsWith("# expect: "))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException(f + " has no '# expect: ' line"))
              .substring(10);
      return new BadResource(f.getFileName().toString(), reason, expected, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Stream<Arguments> badResources() {
    return all().stream()
        .map(b -> Arguments.of(named(b.file() + ": " + b.reason(), b.yaml()), b.expected()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badResources")
  void isRefusedWithAReadableMessage(String yaml, String expected) {
    AdmissionEmulator.Result result = apiServer.create(yaml);

    assertThat(result.allowed()).as("accepted, but should fail with: %s", expected).isFalse();
    assertThat(result.message()).contains(expected).doesNotContain("Exception", "\tat ");
  }

  @Test
  void atLeastSixtyBadResourcesAreCoveredEachForItsOwnReason() {
    List<BadResource> all = all();
    assertThat(all).hasSizeGreaterThanOrEqualTo(60);
    assertThat(all).extracting(BadResource::reason).doesNotHaveDuplicates();
    assertThat(all).extracting(BadResource::yaml).doesNotHaveDuplicates();
    System.out.println("BadResourcesTest: " + all.size() + " malformed CloudInstanceDeletions");
  }
}
