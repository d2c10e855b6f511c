package dev.teardown.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.teardown.OperatorRuntime;
import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionStatus;
import dev.teardown.api.v1alpha1.DiskStatus;
import dev.teardown.api.v1alpha1.InstanceOutcome;
import dev.teardown.api.v1alpha1.InstanceStatus;
import dev.teardown.config.OperatorConfig;
import dev.teardown.sim.CloudSimulator;
import dev.teardown.sim.WorldSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * {@code sandbox}: embedded Kubernetes API + the cloud simulators of a world + the operator.
 * Applies the example deletions, prints a live table, and ends with a summary. Exit code 0 only if
 * every deletion reached its expected end phase (annotation {@value #EXPECT}, default Done) and no
 * disk is orphaned (a data disk of a deleted instance that was to be released but still exists and
 * is billed).
 */
public final class Sandbox {
  public static final String EXPECT = "teardown.dev/expected-phase";
  private static final String[] BUNDLED_EXAMPLES = {
    "examples/tencentcloud-postpaid.yaml", "examples/tencentcloud-prepaid.yaml",
        "examples/retain-disks.yaml",
    "examples/dry-run.yaml", "examples/ucloud-compshare.yaml", "examples/volcengine.yaml"
  };

  private Sandbox() {}

  /**
   * Parsed command line.
   *
   * @param empty with --serve: apply no deletions (the credential Secrets are still created)
   * @param table with --serve: print a row whenever a deletion's phase or disks change
   * @param outDir with --serve: where the kubeconfig and the env file are written
   * @param realApi true: a real kube-apiserver (--real-api), false: the in-process mock
   *     (--mock-api), null: the real one when its binaries are built, else the mock
   */
  public record Options(
      Path world,
      Path apply,
      Path json,
      Duration timeout,
      boolean serve,
      boolean operator,
      int kubePort,
      int simPortBase,
      boolean empty,
      boolean table,
      Path outDir,
      Boolean realApi) {
    public Options(
        Path world,
        Path apply,
        Path json,
        Duration timeout,
        boolean serve,
        boolean operator,
        int kubePort,
        int simPortBase) {
      this(
          world,
          apply,
          json,
          timeout,
          serve,
          operator,
          kubePort,
          simPortBase,
          false,
          true,
          Path.of("sandbox-out"));
    }

    Options(
        Path world,
        Path apply,
        Path json,
        Duration timeout,
        boolean serve,
        boolean operator,
        int kubePort,
        int simPortBase,
        boolean empty,
        boolean table,
        Path outDir) {
      this(
          world,
          apply,
          json,
          timeout,
          serve,
          operator,
          kubePort,
          simPortBase,
          empty,
          table,
          outDir,
          null);
    }

    Options withRealApi(Boolean real) {
      return new Options(
          world,
          apply,
          json,
          timeout,
          serve,
          operator,
          kubePort,
          simPortBase,
          empty,
          table,
          outDir,
          real);
    }
  }

  /** One deletion's result. */
  public record Row(
      String name,
      String provider,
      String expected,
      String phase,
      long durationMs,
      long apiCalls,
      List<String> orphanedDisks,
      String message) {
    boolean ok() {
      return expected.equals(phase) && orphanedDisks.isEmpty();
    }
  }

  /**
   * The mock API server logs every request through java.util.logging; the sandbox shows its own
   * table instead.
   */
  public static void quietEmbeddedApiLogs() {
    for (java.util.logging.Logger l : QUIET) {
      l.setLevel(java.util.logging.Level.WARNING);
    }
  }

  // strong references: java.util.logging forgets the level of a logger nobody holds
  private static final List<java.util.logging.Logger> QUIET =
      List.of(
          java.util.logging.Logger.getLogger("io.fabric8.mockwebserver"),
          java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer"));

  /** Checks what no single option can: --empty and --no-operator only make sense with --serve. */
  public static void validate(Options o) {
    if (!o.serve() && (o.empty() || !o.operator())) {
      throw new IllegalArgumentException(
          (o.empty() ? "--empty" : "--no-operator") + " only makes sense with --serve");
    }
  }

  /**
   * Starts the Kubernetes API the options ask for: a real kube-apiserver ({@code --real-api}, or by
   * default when build/kube-binaries has built it) or the in-process mock ({@code --mock-api}, or
   * by default without the binaries, saying so in one line).
   *
   * @param workDir the real server's directory (certificates the kubeconfig points at)
   * @throws IllegalStateException with --real-api when the binaries are missing
   */
  static KubeApi startKube(Options o, Path workDir, PrintStream out) {
    boolean real = o.realApi() != null ? o.realApi() : RealKube.available();
    if (o.realApi() == null && !real) {
      out.println(
          "sandbox: in-process mock Kubernetes API (no schema/CEL/RBAC checks): "
              + RealKube.unavailableReason()
              + "; --real-api to require the real one");
    }
    if (!real) {
      return EmbeddedKube.start(o.kubePort());
    }
    if (o.kubePort() != 0) {
      out.println(
          "sandbox: --kube-port applies to the mock API only; the real API server takes a free port");
    }
    return RealKube.start(workDir);
  }

  public static int run(Options o, PrintStream out) throws Exception {
    WorldSpec world;
    List<HasMetadata> manifests;
    try {
      world = o.world() == null ? WorldFiles.loadDefault() : WorldFiles.load(o.world());
      manifests = manifests(o.apply());
    } catch (WorldFiles.WorldFileException | IOException | RuntimeException e) {
      out.println("sandbox: " + e.getMessage());
      return 2;
    }
    if (o.serve()) {
      Serve serve;
      try {
        serve = Serve.start(o, world, manifests, out);
      } catch (IOException | RuntimeException e) {
        out.println(
            "sandbox: cannot start: "
                + (e instanceof java.io.UncheckedIOException u
                    ? u.getCause().getMessage()
                    : e.getMessage()));
        return 2;
      }
      return serve.awaitShutdown();
    }
    List<CloudInstanceDeletion> deletions = deletions(manifests);
    Map<String, CloudSimulator> sims;
    try {
      sims = Simulators.start(world, "127.0.0.1", o.simPortBase());
    } catch (IllegalArgumentException | IOException e) {
      out.println("sandbox: cannot start the simulators: " + e.getMessage());
      return 2;
    }
    Map<String, URI> endpoints = endpoints(sims);
    Path workDir = Files.createTempDirectory("teardown-kube");
    Thread cleanOnExit = new Thread(() -> deleteTree(workDir), "sandbox-clean"); // after Ctrl-C too
    Runtime.getRuntime().addShutdownHook(cleanOnExit);
    KubeApi started;
    try {
      started = startKube(o, workDir, out);
    } catch (RuntimeException e) {
      sims.values().forEach(CloudSimulator::close);
      deleteTree(workDir);
      out.println("sandbox: cannot start the Kubernetes API: " + e.getMessage());
      return 2;
    }
    try (KubeApi kube = started) {
      KubernetesClient client = kube.client();
      createSecrets(client, deletions, world);
      OperatorConfig config = sandboxConfig(endpoints);
      OperatorRuntime runtime = OperatorRuntime.start(client, config, Clock.systemUTC(), false);
      try {
        Instant start = Instant.now();
        for (CloudInstanceDeletion d : deletions) {
          ensureNamespace(client, d.getMetadata().getNamespace());
          client.resource(d).create();
        }
        out.printf(
            "sandbox: %s Kubernetes API %s, clouds %s, %d deletions applied%n",
            kube.real() ? "real (kube-apiserver " + RealKube.version() + ")" : "mock",
            kube.url(),
            endpoints,
            deletions.size());
        watch(client, deletions, start.plus(o.timeout()), out);
        List<Row> rows = summarize(client, deletions, sims);
        print(rows, out);
        if (o.json() != null) {
          writeJson(o.json(), rows);
        }
        boolean ok = rows.stream().allMatch(Row::ok) && !rows.isEmpty();
        out.println(
            ok
                ? "sandbox: OK: every deletion reached its expected phase; no orphaned disks"
                : "sandbox: FAILED: see the rows above");
        return ok ? 0 : 1;
      } finally {
        runtime.close();
      }
    } finally {
      sims.values().forEach(CloudSimulator::close);
      deleteTree(workDir);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanOnExit);
      } catch (IllegalStateException e) {
        // already shutting down: the hook deletes it (again)
      }
    }
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }

  static List<CloudInstanceDeletion> deletions(List<HasMetadata> manifests) {
    return manifests.stream()
        .filter(CloudInstanceDeletion.class::isInstance)
        .map(CloudInstanceDeletion.class::cast)
        .toList();
  }

  static Map<String, URI> endpoints(Map<String, CloudSimulator> sims) {
    Map<String, URI> endpoints = new LinkedHashMap<>();
    sims.forEach((p, s) -> endpoints.put(p, s.endpoint()));
    return endpoints;
  }

  /**
   * The operator settings of the sandbox: the simulators' endpoints and timings fit for their fast
   * clocks.
   */
  static OperatorConfig sandboxConfig(Map<String, URI> endpoints) {
    return OperatorConfig.defaults()
        .withEndpoints(endpoints)
        .withTimings(Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofSeconds(5))
        .withCloudTimeout(Duration.ofSeconds(5))
        .withMetricsPort(0);
  }

  /**
   * Reads the manifests to apply: a file, every *.yaml/*.yml under a directory, or the bundled
   * examples.
   */
  static List<HasMetadata> manifests(Path apply) throws IOException {
    List<HasMetadata> out = new ArrayList<>();
    if (apply == null && Files.isDirectory(Path.of("examples"))) {
      apply = Path.of("examples");
    }
    if (apply == null) {
      for (String r : BUNDLED_EXAMPLES) {
        try (InputStream in = Sandbox.class.getClassLoader().getResourceAsStream(r)) {
          if (in != null) {
            out.addAll(parseAll(in));
          }
        }
      }
      return out;
    }
    List<Path> files;
    if (Files.isDirectory(apply)) {
      try (Stream<Path> s = Files.walk(apply)) {
        files =
            s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                .filter(
                    p -> !p.toString().contains("/worlds/") && !p.toString().contains("/secrets/"))
                .sorted()
                .toList();
      }
    } else if (Files.isRegularFile(apply)) {
      files = List.of(apply);
    } else {
      throw new IOException(apply + " is neither a file nor a directory");
    }
    for (Path f : files) {
      try (InputStream in = Files.newInputStream(f)) {
        out.addAll(parseAll(in));
      } catch (RuntimeException e) {
        throw new IOException(f + ": not a Kubernetes manifest: " + e.getMessage());
      }
    }
    return out;
  }

  private static List<HasMetadata> parseAll(InputStream in) throws IOException {
    String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    List<HasMetadata> out = new ArrayList<>();
    for (String doc : text.split("(?m)^---\\s*$")) {
      if (doc.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
        continue;
      }
      io.fabric8.kubernetes.api.model.GenericKubernetesResource g =
          Serialization.unmarshal(
              doc, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
      if (g == null || !"CloudInstanceDeletion".equals(g.getKind())) {
        continue;
      }
      CloudInstanceDeletion d = Serialization.unmarshal(doc, CloudInstanceDeletion.class);
      if (d.getMetadata().getNamespace() == null) {
        d.getMetadata().setNamespace("default");
      }
      out.add(d);
    }
    return out;
  }

  /**
   * Creates each deletion's Secret with the world's first key pair for its cloud (example Secrets
   * are templates).
   */
  static void createSecrets(
      KubernetesClient client, List<CloudInstanceDeletion> deletions, WorldSpec world) {
    Set<String> done = new HashSet<>();
    for (CloudInstanceDeletion d : deletions) {
      createSecret(
          client,
          d.getMetadata().getNamespace(),
          d.getSpec().getCredentialsSecretRef().getName(),
          d.getSpec().getProvider().value(),
          world,
          done);
    }
  }

  /**
   * Creates one credentials Secret unless {@code done} already holds it or the world has no keys
   * for the cloud.
   */
  static void createSecret(
      KubernetesClient client,
      String ns,
      String name,
      String provider,
      WorldSpec world,
      Set<String> done) {
    WorldSpec.CloudWorld cw = world.clouds.get(provider);
    if (cw == null || cw.credentials.isEmpty() || !done.add(ns + "/" + name)) {
      return;
    }
    ensureNamespace(client, ns);
    WorldSpec.KeyPair kp = cw.credentials.get(0);
    Map<String, String> data =
        switch (provider) {
          case "tencentcloud" -> Map.of("secretId", kp.id, "secretKey", kp.secret);
          case "ucloud-compshare" -> Map.of("publicKey", kp.id, "privateKey", kp.secret);
          default -> Map.of("accessKeyId", kp.id, "secretAccessKey", kp.secret);
        };
    client
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build())
                .withStringData(data)
                .build())
        .create();
  }

  /**
   * Creates the namespace unless it exists (a real API server refuses objects in a missing
   * namespace).
   */
  static void ensureNamespace(KubernetesClient client, String ns) {
    if (client.namespaces().withName(ns).get() == null) {
      client
          .namespaces()
          .resource(
              new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                  .withNewMetadata()
                  .withName(ns)
                  .endMetadata()
                  .build())
          .create();
    }
  }

  /**
   * Prints a row whenever a deletion's phase or disk count changes, until all are terminal or time
   * is up.
   */
  static void watch(
      KubernetesClient client,
      List<CloudInstanceDeletion> deletions,
      Instant deadline,
      PrintStream out) {
    int[] widths =
        Tables.liveWidths(
            deletions.stream().map(d -> d.getMetadata().getName()).toList(),
            deletions.stream().map(d -> d.getSpec().getProvider().value()).toList());
    out.println(Tables.row(widths, Tables.LIVE_HEADER));
    Map<String, String> last = new LinkedHashMap<>();
    while (Instant.now().isBefore(deadline)) {
      boolean allDone = true;
      for (CloudInstanceDeletion d : deletions) {
        CloudInstanceDeletion cur =
            client
                .resources(CloudInstanceDeletion.class)
                .inNamespace(d.getMetadata().getNamespace())
                .withName(d.getMetadata().getName())
                .get();
        CloudInstanceDeletionStatus st = cur == null ? null : cur.getStatus();
        String phase = st == null || st.getPhase() == null ? "" : st.getPhase().name();
        String disks = st == null || st.getDisks() == null ? "" : st.getDisks();
        String key = phase + "|" + disks;
        if (!key.equals(last.get(d.getMetadata().getName()))) {
          last.put(d.getMetadata().getName(), key);
          out.println(liveRow(widths, cur == null ? d : cur, phase, disks, Instant.now()));
        }
        allDone &= st != null && st.getPhase() != null && st.getPhase().isTerminal();
      }
      if (allDone) {
        return;
      }
      LockSupport.parkNanos(
          Duration.ofMillis(200).toNanos()); // the sandbox's own display loop, not a reconcile path
    }
  }

  /** A row of the live table; AGE is the resource's own age (from its creationTimestamp). */
  static String liveRow(
      int[] widths, CloudInstanceDeletion d, String phase, String disks, Instant now) {
    return Tables.row(
        widths,
        List.of(
            d.getMetadata().getName(),
            d.getSpec() == null || d.getSpec().getProvider() == null
                ? ""
                : d.getSpec().getProvider().value(),
            String.valueOf(
                d.getSpec() == null || d.getSpec().getInstanceIds() == null
                    ? 0
                    : d.getSpec().getInstanceIds().size()),
            phase,
            disks,
            Tables.age(d.getMetadata().getCreationTimestamp(), now)));
  }

  static List<Row> summarize(
      KubernetesClient client,
      List<CloudInstanceDeletion> deletions,
      Map<String, CloudSimulator> sims) {
    List<Row> rows = new ArrayList<>();
    for (CloudInstanceDeletion d : deletions) {
      CloudInstanceDeletion cur =
          client
              .resources(CloudInstanceDeletion.class)
              .inNamespace(d.getMetadata().getNamespace())
              .withName(d.getMetadata().getName())
              .get();
      CloudInstanceDeletionStatus st = cur == null ? null : cur.getStatus();
      String expected =
          d.getMetadata().getAnnotations() == null
              ? null
              : d.getMetadata().getAnnotations().get(EXPECT);
      expected = expected == null ? "Done" : expected;
      String phase = st == null || st.getPhase() == null ? "(none)" : st.getPhase().name();
      if (st != null && st.getPhase() != null && !st.getPhase().isTerminal()) {
        phase = phase + " (timed out)";
      }
      long ms =
          st == null || st.getStartedAt() == null || st.getCompletedAt() == null
              ? -1
              : Duration.between(
                      Instant.parse(st.getStartedAt()), Instant.parse(st.getCompletedAt()))
                  .toMillis();
      CloudSimulator sim = sims.get(d.getSpec().getProvider().value());
      Set<String> ids = new HashSet<>(d.getSpec().getInstanceIds());
      List<String> deleted = new ArrayList<>();
      if (st != null) {
        for (InstanceStatus is : st.getInstances()) {
          is.getDataDisks().stream().map(DiskStatus::getId).forEach(ids::add);
          if (is.getOutcome() == InstanceOutcome.Gone
              || is.getOutcome() == InstanceOutcome.Recycled) {
            deleted.add(is.getId());
          }
        }
      }
      long calls =
          sim == null
              ? 0
              : sim.ledger().matching(c -> c.ids().stream().anyMatch(ids::contains)).size();
      List<String> orphans =
          sim == null
                  || d.getSpec().getDataDisks() == dev.teardown.api.v1alpha1.DataDiskPolicy.Retain
              ? List.of()
              : sim.orphanedDisks(deleted);
      rows.add(
          new Row(
              d.getMetadata().getName(),
              d.getSpec().getProvider().value(),
              expected,
              phase,
              ms,
              calls,
              orphans,
              st == null ? "" : Objects.toString(st.getMessage(), "")));
    }
    return rows;
  }

  static void print(List<Row> rows, PrintStream out) {
    out.println();
    List<String> header =
        List.of(
            "NAME", "PROVIDER", "EXPECTED", "PHASE", "DURATION", "API-CALLS", "ORPHANED", "RESULT");
    List<List<String>> cells =
        rows.stream()
            .map(
                r ->
                    List.of(
                        r.name(),
                        r.provider(),
                        r.expected(),
                        r.phase(),
                        r.durationMs() < 0
                            ? "-"
                            : String.format(
                                java.util.Locale.ROOT, "%.1fs", r.durationMs() / 1000.0),
                        String.valueOf(r.apiCalls()),
                        r.orphanedDisks().isEmpty() ? "0" : String.join(",", r.orphanedDisks()),
                        r.ok() ? "ok" : "UNEXPECTED: " + r.message()))
            .toList();
    int[] widths = new int[header.size()];
    for (int i = 0; i < header.size(); i++) {
      int col = i;
      widths[i] = Tables.width(header.get(i), cells.stream().map(c -> c.get(col)).toList());
    }
    out.println(Tables.row(widths, header));
    cells.forEach(c -> out.println(Tables.row(widths, c)));
  }

  static void writeJson(Path file, List<Row> rows) throws IOException {
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("ok", rows.stream().allMatch(Row::ok));
    doc.put(
        "deletions",
        rows.stream()
            .map(
                r -> {
                  Map<String, Object> x = new LinkedHashMap<>();
                  x.put("name", r.name());
                  x.put("provider", r.provider());
                  x.put("expectedPhase", r.expected());
                  x.put("phase", r.phase());
                  x.put("durationMs", r.durationMs());
                  x.put("apiCalls", r.apiCalls());
                  x.put("orphanedDisks", r.orphanedDisks());
                  x.put("ok", r.ok());
                  x.put("message", r.message());
                  return x;
                })
            .toList());
    Files.writeString(file, m.writeValueAsString(doc));
  }
}
