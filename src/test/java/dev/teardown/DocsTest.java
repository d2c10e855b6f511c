package dev.teardown;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repository explains itself: README.md and docs/ link only to files inside the repository (and
 * to headings that exist), the troubleshooting table names every reason a deletion can fail with
 * and every condition, and the README states the minimum Kubernetes version the chart declares.
 */
class DocsTest {
  private static final Path ROOT = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");

  static List<Path> documents() throws IOException {
    List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
      files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    return docs;
  }

  /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
  static String anchor(String heading) {
    return heading.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
  }

  static Set<String> anchors(Path doc) throws IOException {
    Set<String> out = new TreeSet<>();
    boolean fenced = false;
    for (String line : Files.readAllLines(doc)) {
      if (line.startsWith("```")) {
        fenced = !fenced;
      } else if (!fenced && line.startsWith("#")) {
        out.add(anchor(line.replaceFirst("^#+", "")));
      }
    }
    return out;
  }

  static List<String> brokenLinks(Path doc) throws IOException {
    List<String> broken = new ArrayList<>();
    String text = Files.readString(doc).replaceAll("(?s)```.*?```", "");
    Matcher m = LINK.matcher(text);
    while (m.find()) {
      String target = m.group(1);
      String where = ROOT.relativize(doc) + ": " + target;
      if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
        broken.add(where + " (outside the repository)");
        continue;
      }
      String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
      String fragment = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
      Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
      if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
        broken.add(where + " (no such file in the repository)");
      } else if (fragment != null
          && resolved.toString().endsWith(".md")
          && !anchors(resolved).contains(fragment)) {
        broken.add(where + " (no such heading)");
      }
    }
    return broken;
  }

  @Test
  void readmeAndDocsLinkOnlyToFilesAndHeadingsInsideTheRepository() throws IOException {
    List<String> broken = new ArrayList<>();
    for (Path doc : documents()) {
      broken.addAll(brokenLinks(doc));
    }
    assertThat(broken).isEmpty();
    assertThat(Files.readString(ROOT.resolve("README.md")))
        .contains("(docs/architecture.md)")
        .contains("(docs/troubleshooting.md)");
  }

  @Test
  void theLinkCheckCatchesOutsideAndMissingTargets() throws IOException {
    Path doc = ROOT.resolve("docs").resolve("README.md");
    assertThat(brokenLinks(doc)).isEmpty();
    Path bad = Files.createTempFile(ROOT.resolve("target"), "links", ".md");
    try {
      Files.writeString(
          bad, "# Top\n[a](https://example.com/x) [b](../nope.md) [c](#top) [d](#missing)\n");
      assertThat(brokenLinks(bad)).hasSize(3);
    } finally {
      Files.delete(bad);
    }
  }

  @Test
  void theTroubleshootingTableNamesEveryFailureReasonAndCondition() throws IOException {
    String table = Files.readString(ROOT.resolve("docs").resolve("troubleshooting.md"));
    Set<String> reasons = new TreeSet<>();
    Path main = ROOT.resolve("src/main/java/dev/teardown");
    try (Stream<Path> files = Files.walk(main.resolve("controller"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String src = Files.readString(f);
        collect(src, "StepResult\\.fail\\(\\s*\"(\\w+)\"", reasons);
        collect(src, "new (?:SetupProblem|Problem)\\(\\s*\"(\\w+)\"", reasons);
        collect(src, "static final String REASON_\\w+\\s*=\\s*\"(\\w+)\";", reasons);
        collect(src, "String reason = [^;]*\"(\\w+)\";", reasons);
        collect(src, "ErrorKind\\.TERMINAL,\\s*\"(\\w+)\"", reasons);
      }
    }
    collect(
        Files.readString(main.resolve("controller/Conditions.java")),
        "public static final String \\w+\\s*=\\s*\"(\\w+)\";",
        reasons);
    assertThat(reasons)
        .contains(
            "DeletionProtection",
            "NotDeletable",
            "PartiallyFailed",
            "SecretNotFound",
            "ProviderUnavailable",
            "Ready",
            "Failed",
            "CredentialsAvailable",
            "TargetMismatch",
            "InvalidGuard",
            "InstanceClaimed",
            "Paused");
    assertThat(reasons)
        .allSatisfy(
            r ->
                assertThat(table).as("docs/troubleshooting.md names " + r).contains("`" + r + "`"));
  }

  private static void collect(String src, String regex, Set<String> out) {
    Matcher m = Pattern.compile(regex).matcher(src);
    while (m.find()) {
      out.add(m.group(1));
    }
  }

  @Test
  void theReadmeStatesTheMinimumKubernetesVersionTheChartDeclares() throws IOException {
    Matcher m =
        Pattern.compile("kubeVersion: \">=(\\d+\\.\\d+)\\.0-0\"")
            .matcher(Files.readString(ROOT.resolve("charts/teardown/Chart.yaml")));
    assertThat(m.find()).isTrue();
    assertThat(Files.readString(ROOT.resolve("README.md")))
        .contains("Kubernetes " + m.group(1) + " or newer");
  }
}
