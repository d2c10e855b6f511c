package dev.teardown.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * crds/ holds the CRD generated from the Java types, committed so it can be applied without a
 * build. It is never edited by hand; this test fails as soon as it differs from what the build
 * generates.
 */
class CrdUpToDateTest {
  /** The one hand-written file in crds/, so that deploy/kustomization.yaml can include ../crds. */
  private static final String KUSTOMIZATION = "kustomization.yaml";

  @Test
  void committedCrdsAreExactlyTheGeneratedOnes() throws IOException {
    List<String> generated = fileNames(CrdFiles.generatedDir());
    List<String> committed = fileNames(CrdFiles.committedDir());
    assertThat(generated)
        .as("the build generated no CRD; run mvn -B -q process-classes")
        .isNotEmpty();

    if (!committed.equals(generated)) {
      fail(
          "crds/ holds "
              + committed
              + " but the build generates "
              + generated
              + ". Refresh it with:\n  "
              + CrdFiles.REFRESH_COMMAND
              + "\n(and delete CRDs whose Java type is gone)");
    }
    for (String name : generated) {
      String expected = read(CrdFiles.generatedDir().resolve(name));
      String actual = read(CrdFiles.committedDir().resolve(name));
      if (!expected.equals(actual)) {
        fail(
            "crds/"
                + name
                + " is out of date with the Java types in dev.teardown.api (first difference: "
                + firstDifference(expected, actual)
                + "). It is generated, never edited by hand. Refresh it with:\n  "
                + CrdFiles.REFRESH_COMMAND);
      }
    }
  }

  @Test
  void theCrdsKustomizationListsEveryGeneratedCrd() throws IOException {
    JsonNode kustomization = CrdFiles.readYaml(CrdFiles.committedDir().resolve(KUSTOMIZATION));
    List<String> resources = new ArrayList<>();
    kustomization.path("resources").forEach(r -> resources.add(r.asText()));

    assertThat(resources).containsExactlyInAnyOrderElementsOf(fileNames(CrdFiles.generatedDir()));
  }

  @Test
  void theDifferenceReportPointsAtTheLine() {
    assertThat(firstDifference("a\nb\nc\n", "a\nx\nc\n"))
        .isEqualTo("line 2: expected 'b' but crds/ has 'x'");
    assertThat(firstDifference("a\n", "a\nb\n"))
        .isEqualTo("line 2: expected '<end of file>' but crds/ has 'b'");
  }

  static String firstDifference(String expected, String actual) {
    List<String> e = expected.lines().toList();
    List<String> a = actual.lines().toList();
    for (int i = 0; i < Math.max(e.size(), a.size()); i++) {
      String el = i < e.size() ? e.get(i) : "<end of file>";
      String al = i < a.size() ? a.get(i) : "<end of file>";
      if (!el.equals(al)) {
        return "line " + (i + 1) + ": expected '" + el + "' but crds/ has '" + al + "'";
      }
    }
    return "line endings only";
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file).replace("\r\n", "\n");
  }

  private static List<String> fileNames(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yml") || n.endsWith(".yaml"))
          .filter(n -> !n.equals(KUSTOMIZATION))
          .sorted()
          .toList();
    }
  }
}
