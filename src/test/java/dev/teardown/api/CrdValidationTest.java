package dev.teardown.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Named.named;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated CRD's schema and CEL rules, exercised through {@link AdmissionEmulator} as the API
 * server would: bad resources are rejected with a message a person can act on, good ones and every
 * example are accepted.
 */
class CrdValidationTest {
  private static AdmissionEmulator apiServer;

  @BeforeAll
  static void loadCrd() {
    apiServer = AdmissionEmulator.forCrd(CrdFiles.generatedCrd());
  }

  // ---- resources
  // ---------------------------------------------------------------------------------------------

  static final String TENCENT =
      """
      provider: tencentcloud
      region: ap-beijing
      instanceIds: [ins-irmer45l]
      credentialsSecretRef: {name: tencentcloud-credentials}
      """;
  private static final String COMPSHARE =
      """
      provider: ucloud-compshare
      region: cn-wlcb
      zone: cn-wlcb-01
      instanceIds: [uhost-cs0001aa, uhost-cs0002bb]
      credentialsSecretRef: {name: ucloud-compshare-credentials}
      """;
  private static final String VOLCENGINE =
      """
      provider: volcengine
      region: cn-beijing
      instanceIds: [i-volc0001aaaa, i-volc0002bbbb]
      credentialsSecretRef: {name: volcengine-credentials}
      """;

  /** A whole resource around a spec given as YAML lines. */
  static String cr(String spec) {
    return """
        apiVersion: teardown.dev/v1alpha1
        kind: CloudInstanceDeletion
        metadata:
          name: retire-runner-7
          namespace: ci
        spec:
        """
        + spec.lines().map(l -> "  " + l).collect(Collectors.joining("\n", "", "\n"));
  }

  /** The spec with one top-level key replaced (or removed when value is null) or added. */
  private static String with(String spec, String key, String value) {
    List<String> out = new ArrayList<>();
    boolean replaced = false;
    for (String line : spec.lines().toList()) {
      if (line.startsWith(key + ":")) {
        replaced = true;
        if (value != null) {
          out.add(key + ": " + value);
        }
      } else {
        out.add(line);
      }
    }
    if (!replaced && value != null) {
      out.add(key + ": " + value);
    }
    return String.join("\n", out) + "\n";
  }

  private static String without(String spec, String key) {
    return with(spec, key, null);
  }

  private static String ids(String prefix, int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> prefix + String.format("%08d", i))
        .collect(Collectors.joining(", ", "[", "]"));
  }

  // ---- rejected on create
  // ------------------------------------------------------------------------------------

  static Stream<Arguments> badResources() {
    return Stream.of(
        bad("provider missing", cr(without(TENCENT, "provider")), "spec.provider: Required value"),
        bad("region missing", cr(without(TENCENT, "region")), "spec.region: Required value"),
        bad(
            "instanceIds missing",
            cr(without(TENCENT, "instanceIds")),
            "spec.instanceIds: Required value"),
        bad(
            "credentialsSecretRef missing",
            cr(without(TENCENT, "credentialsSecretRef")),
            "spec.credentialsSecretRef: Required value"),
        bad(
            "secret reference without a name",
            cr(with(TENCENT, "credentialsSecretRef", "{}")),
            "spec.credentialsSecretRef.name: Required value"),
        bad(
            "no spec at all",
            """
            apiVersion: teardown.dev/v1alpha1
            kind: CloudInstanceDeletion
            metadata: {name: empty, namespace: ci}
            """,
            "spec: Required value"),
        bad(
            "unknown provider",
            cr(with(TENCENT, "provider", "aws")),
            "spec.provider: Unsupported value: \"aws\": supported values: \"tencentcloud\", \"ucloud-compshare\","
                + " \"volcengine\""),
        bad(
            "provider names are lowercase",
            cr(with(TENCENT, "provider", "TencentCloud")),
            "spec.provider: Unsupported value: \"TencentCloud\""),
        bad(
            "empty instanceIds",
            cr(with(TENCENT, "instanceIds", "[]")),
            "spec.instanceIds: Invalid value: 0: spec.instanceIds in body should have at least 1 items"),
        bad(
            "101 instanceIds",
            cr(with(TENCENT, "instanceIds", ids("ins-", 101))),
            "spec.instanceIds: Too many: 101: must have at most 100 items"),
        bad(
            "instanceIds is a string, not a list",
            cr(with(TENCENT, "instanceIds", "ins-irmer45l")),
            "spec.instanceIds: Invalid value: \"string\": spec.instanceIds in body must be of type array"),
        bad(
            "an instance id longer than 64 characters",
            cr(with(TENCENT, "instanceIds", "[ins-" + "a".repeat(61) + "]")),
            "spec.instanceIds[0]: Too long: may not be more than 64 bytes"),
        bad(
            "duplicate instance ids",
            cr(with(TENCENT, "instanceIds", "[ins-irmer45l, ins-pst0001a, ins-irmer45l]")),
            "spec.instanceIds: Invalid value: \"array\": instanceIds must be unique"),
        bad(
            "tencentcloud id with uppercase letters",
            cr(with(TENCENT, "instanceIds", "[ins-IRMER45L]")),
            "spec.instanceIds: Invalid value: \"object\": tencentcloud instance ids look like ins-xxxxxxxx (8 lowercase letters or"
                + " digits), not: ins-IRMER45L"),
        bad(
            "tencentcloud id too short, only the bad one is named",
            cr(with(TENCENT, "instanceIds", "[ins-irmer45l, ins-abc]")),
            "ids look like ins-xxxxxxxx (8 lowercase letters or digits), not: ins-abc"),
        bad(
            "volcengine id given to tencentcloud",
            cr(with(TENCENT, "instanceIds", "[i-volc0001aaaa]")),
            "tencentcloud instance ids look like ins-xxxxxxxx"),
        bad(
            "ucloud-compshare id in tencent style",
            cr(with(COMPSHARE, "instanceIds", "[ins-pst0001a]")),
            "spec.instanceIds: Invalid value: \"object\": ucloud-compshare instance ids look like uhost-xxxxxxxx, not: ins-pst0001a"),
        bad(
            "ucloud-compshare id too short",
            cr(with(COMPSHARE, "instanceIds", "[uhost-ab]")),
            "ucloud-compshare instance ids look like uhost-xxxxxxxx, not: uhost-ab"),
        bad(
            "volcengine id in ucloud style",
            cr(with(VOLCENGINE, "instanceIds", "[uhost-cs0001aa]")),
            "spec.instanceIds: Invalid value: \"object\": volcengine instance ids look like i-xxxxxxxxxxxx, not: uhost-cs0001aa"),
        bad(
            "volcengine id too short",
            cr(with(VOLCENGINE, "instanceIds", "[i-abc]")),
            "volcengine instance ids look like i-xxxxxxxxxxxx, not: i-abc"),
        bad(
            "ucloud-compshare without zone",
            cr(without(COMPSHARE, "zone")),
            "spec.zone: Required value: zone is required for ucloud-compshare (for example cn-wlcb-01)"),
        bad(
            "zone of another region",
            cr(with(TENCENT, "zone", "ap-guangzhou-3")),
            "spec.zone: Invalid value: \"object\": zone must lie in the region"),
        bad(
            "zone of a region whose name only starts like ours",
            cr(with(with(COMPSHARE, "region", "cn-bj"), "zone", "cn-bj2-02")),
            "spec.zone: Invalid value: \"object\": zone must lie in the region"),
        bad(
            "region with uppercase letters",
            cr(with(TENCENT, "region", "Beijing")),
            "spec.region: Invalid value: \"Beijing\": spec.region in body should match '^[a-z]{2,}(-[a-z0-9]+)+$'"),
        bad(
            "region without a dash",
            cr(with(TENCENT, "region", "beijing")),
            "spec.region: Invalid value: \"beijing\": spec.region in body should match"),
        bad(
            "zone with an underscore",
            cr(with(COMPSHARE, "zone", "cn-wlcb_01")),
            "spec.zone: Invalid value: \"cn-wlcb_01\": spec.zone in body should match"),
        bad(
            "recycleBin Purge on ucloud-compshare",
            cr(with(COMPSHARE, "recycleBin", "Purge")),
            "spec.recycleBin: Forbidden: recycleBin: Purge is only supported for tencentcloud"),
        bad(
            "recycleBin Purge on volcengine",
            cr(with(VOLCENGINE, "recycleBin", "Purge")),
            "spec.recycleBin: Forbidden: recycleBin: Purge is only supported for tencentcloud"),
        bad(
            "dataDisks not in the enum",
            cr(with(TENCENT, "dataDisks", "Delete")),
            "spec.dataDisks: Unsupported value: \"Delete\": supported values: \"Release\", \"Retain\""),
        bad(
            "recycleBin not in the enum",
            cr(with(TENCENT, "recycleBin", "Empty")),
            "spec.recycleBin: Unsupported value: \"Empty\": supported values: \"Keep\", \"Purge\""),
        bad(
            "secret name with uppercase and underscore",
            cr(with(TENCENT, "credentialsSecretRef", "{name: Tencent_API}")),
            "spec.credentialsSecretRef.name: Invalid value: \"Tencent_API\""),
        bad(
            "secret in another namespace (no such field, on purpose)",
            cr(
                with(
                    TENCENT,
                    "credentialsSecretRef",
                    "{name: tencentcloud-credentials, namespace: kube-system}")),
            "strict decoding error: unknown field \"spec.credentialsSecretRef.namespace\""),
        bad(
            "dryRun as a quoted string",
            cr(with(TENCENT, "dryRun", "\"true\"")),
            "spec.dryRun: Invalid value: \"string\": spec.dryRun in body must be of type boolean: \"string\""),
        bad(
            "releaseAddress as a number",
            cr(with(TENCENT, "releaseAddress", "1")),
            "spec.releaseAddress: Invalid value: \"integer\": spec.releaseAddress in body must be of type boolean"),
        bad(
            "misspelt field",
            cr(TENCENT + "instanceID: ins-irmer45l\n"),
            "strict decoding error: unknown field \"spec.instanceID\""),
        bad(
            "resource name with uppercase letters",
            cr(TENCENT).replace("retire-runner-7", "Retire_Runner"),
            "metadata.name: Invalid value: \"Retire_Runner\": a lowercase RFC 1123 subdomain"),
        bad(
            "guard with neither namePattern nor tags",
            cr(TENCENT + "guard: {}\n"),
            "spec.guard: Invalid value: \"object\": guard needs namePattern, tags or both"),
        bad(
            "guard as a string",
            cr(TENCENT + "guard: ci-runner-.*\n"),
            "spec.guard: Invalid value: \"string\": spec.guard in body must be of type object"),
        bad(
            "guard namePattern empty",
            cr(TENCENT + "guard: {namePattern: \"\"}\n"),
            "spec.guard.namePattern: Invalid value: \"\": spec.guard.namePattern in body should be at least 1 chars"
                + " long"),
        bad(
            "guard namePattern longer than 256 characters",
            cr(TENCENT + "guard: {namePattern: \"" + "a".repeat(257) + "\"}\n"),
            "spec.guard.namePattern: Too long: may not be more than 256 bytes"),
        bad("guard tags empty", cr(TENCENT + "guard: {tags: {}}\n"), "have at least 1 properties"),
        bad(
            "guard tag value a number",
            cr(TENCENT + "guard: {tags: {team: 1}}\n"),
            "spec.guard.tags.team: Invalid value: \"integer\": spec.guard.tags.team in body must be of type string"),
        bad(
            "guard tag key longer than 128 characters",
            cr(TENCENT + "guard: {tags: {" + "k".repeat(129) + ": ci}}\n"),
            "guard tag keys are at most 128 characters and values at most 256"),
        bad(
            "guard with a misspelt field",
            cr(TENCENT + "guard: {namePatern: ci-.*}\n"),
            "strict decoding error: unknown field \"spec.guard.namePatern\""),
        bad(
            "rules are not run on a structurally invalid object",
            cr(with(COMPSHARE, "provider", "aws")),
            "some validation rules were not checked because the object was invalid"));
  }

  private static Arguments bad(String reason, String yaml, String expected) {
    return Arguments.of(named(reason, yaml), expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badResources")
  void badResourceIsRejectedWithAReadableMessage(String yaml, String expected) {
    AdmissionEmulator.Result result = apiServer.create(yaml);

    assertThat(result.allowed()).as("accepted, but should fail with: %s", expected).isFalse();
    assertThat(result.message()).contains(expected);
  }

  @Test
  void atLeastTwentyFiveBadResourcesAreCovered() {
    assertThat(badResources().count()).isGreaterThanOrEqualTo(25);
  }

  @Test
  void theMessageNamesTheResourceLikeTheApiServer() {
    AdmissionEmulator.Result result =
        apiServer.create(cr(without(without(TENCENT, "region"), "provider")));

    assertThat(result.message())
        .startsWith(
            "CloudInstanceDeletion.teardown.dev \"retire-runner-7\" is invalid: [spec.provider: Required value,"
                + " spec.region: Required value, <nil>: Invalid value: \"null\": some validation rules were not checked");
  }

  // ---- accepted on create
  // ------------------------------------------------------------------------------------

  static Stream<Arguments> goodResources() {
    return Stream.of(
        Arguments.of(named("tencentcloud, minimal", cr(TENCENT))),
        Arguments.of(
            named(
                "tencentcloud with a guard",
                cr(
                    TENCENT
                        + "guard: {namePattern: '^ci-runner-[0-9]+$', tags: {team: ci, retire: 'yes'}}\n"))),
        Arguments.of(
            named(
                "tencentcloud, every field",
                cr(
                    TENCENT
                        + """
            zone: ap-beijing-7
            dataDisks: Retain
            releaseAddress: true
            recycleBin: Purge
            dryRun: true
            """))),
        Arguments.of(
            named("tencentcloud, 100 ids", cr(with(TENCENT, "instanceIds", ids("ins-", 100))))),
        Arguments.of(named("ucloud-compshare with zone", cr(COMPSHARE))),
        Arguments.of(
            named(
                "ucloud-compshare, long uhost id",
                cr(with(COMPSHARE, "instanceIds", "[uhost-" + "a".repeat(32) + "]")))),
        Arguments.of(named("volcengine without zone", cr(VOLCENGINE))),
        Arguments.of(named("volcengine with zone", cr(VOLCENGINE + "zone: cn-beijing-a\n"))),
        Arguments.of(named("recycleBin Keep on volcengine", cr(VOLCENGINE + "recycleBin: Keep\n"))),
        Arguments.of(
            named("explicit nulls are dropped, then defaulted", cr(TENCENT + "dryRun: null\n"))),
        Arguments.of(
            named(
                "status on create is dropped, not validated",
                cr(TENCENT) + "status: {phase: Bogus}\n")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodResources")
  void goodResourceIsAccepted(String yaml) {
    AdmissionEmulator.Result result = apiServer.create(yaml);

    assertThat(result.allowed()).as(result.message()).isTrue();
  }

  @Test
  void defaultsAreAppliedLikeTheApiServer() {
    ObjectNode stored = apiServer.create(cr(TENCENT + "dryRun: null\n")).object();

    JsonNode spec = stored.path("spec");
    assertThat(spec.path("dataDisks").asText()).isEqualTo("Release");
    assertThat(spec.path("recycleBin").asText()).isEqualTo("Keep");
    assertThat(spec.path("dryRun").isBoolean()).isTrue();
    assertThat(spec.path("dryRun").asBoolean()).isFalse();
    assertThat(spec.path("releaseAddress").asBoolean(true)).isFalse();
    assertThat(stored.has("status"))
        .as("status is dropped on create (status subresource)")
        .isFalse();
  }

  // ---- update: the spec is immutable
  // -------------------------------------------------------------------------

  static Stream<Arguments> specChangesOnUpdate() {
    return Stream.of(
        Arguments.of(
            named(
                "another instance added",
                with(TENCENT, "instanceIds", "[ins-irmer45l, ins-pst0001a]"))),
        Arguments.of(named("dry run switched on", TENCENT + "dryRun: true\n")),
        Arguments.of(named("recycleBin switched to Purge", TENCENT + "recycleBin: Purge\n")),
        Arguments.of(named("data disks switched to Retain", TENCENT + "dataDisks: Retain\n")),
        Arguments.of(
            named("secret swapped", with(TENCENT, "credentialsSecretRef", "{name: other-keys}"))),
        Arguments.of(named("zone added", TENCENT + "zone: ap-beijing-7\n")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specChangesOnUpdate")
  void specChangeOnUpdateIsRejected(String changedSpec) {
    ObjectNode stored = apiServer.create(cr(TENCENT)).object();

    AdmissionEmulator.Result result = apiServer.update(stored, cr(changedSpec));

    assertThat(result.allowed()).isFalse();
    assertThat(result.message())
        .isEqualTo(
            "CloudInstanceDeletion.teardown.dev \"retire-runner-7\" is invalid: spec: Invalid value:"
                + " \"object\": spec is immutable: delete this resource and create a new one");
  }

  @Test
  void immutabilityRuleIsNotEvaluatedOnCreate() {
    // a rule that reads oldSelf only runs when there is an old object; create must not fail on it
    assertThat(apiServer.create(cr(TENCENT)).allowed()).isTrue();
  }

  @Test
  void metadataOnlyUpdatesAreAccepted() {
    ObjectNode stored = apiServer.create(cr(TENCENT)).object();
    String withFinalizerAndLabel =
        cr(TENCENT)
            .replace(
                "  namespace: ci\n",
                "  namespace: ci\n  labels: {team: ci}\n  finalizers: [cloudinstancedeletions.teardown.dev/finalizer]\n");

    AdmissionEmulator.Result result = apiServer.update(stored, withFinalizerAndLabel);

    assertThat(result.allowed()).as(result.message()).isTrue();
  }

  @Test
  void reapplyingTheSameManifestIsAcceptedBecauseDefaultsAreAppliedToTheRequestToo() {
    ObjectNode stored = apiServer.create(cr(TENCENT)).object();

    assertThat(apiServer.update(stored, cr(TENCENT)).allowed()).isTrue();
  }

  @Test
  void statusChangesThroughTheMainResourceAreIgnored() {
    ObjectNode stored = apiServer.create(cr(TENCENT)).object();

    AdmissionEmulator.Result result =
        apiServer.update(stored, cr(TENCENT) + "status: {phase: Done}\n");

    assertThat(result.allowed()).isTrue();
    assertThat(result.object().has("status")).isFalse();
  }

  // ---- status subresource
  // ------------------------------------------------------------------------------------

  @Test
  void statusWrittenByTheOperatorIsAcceptedAndSpecInTheStatusRequestIsIgnored() {
    ObjectNode stored = apiServer.create(cr(TENCENT)).object();
    String status =
        cr(with(TENCENT, "instanceIds", "[ins-pst0001a]"))
            + """
        status:
          phase: ReleasingDisks
          observedGeneration: 1
          instanceCount: 1
          disks: 1/2
          instances:
          - id: ins-irmer45l
            state: SHUTDOWN
            chargeType: PREPAID
            outcome: Recycled
            dataDisks:
            - {id: disk-1, state: TORECYCLE, action: ReleaseWithInstance, released: true}
            - {id: disk-2, state: UNATTACHED, action: Release, released: false}
          lastError: {code: RequestLimitExceeded, message: slow down, requestId: req-1, kind: Throttled}
        """;

    AdmissionEmulator.Result result = apiServer.updateStatus(stored, status);

    assertThat(result.allowed()).as(result.message()).isTrue();
    assertThat(result.object().path("status").path("phase").asText()).isEqualTo("ReleasingDisks");
    assertThat(result.object().path("spec").path("instanceIds").get(0).asText())
        .isEqualTo("ins-irmer45l");
  }

  @Test
  void statusWithAnUnknownPhaseIsRejected() {
    ObjectNode stored = apiServer.create(cr(TENCENT)).object();

    AdmissionEmulator.Result result =
        apiServer.updateStatus(stored, cr(TENCENT) + "status: {phase: Deleting}\n");

    assertThat(result.message()).contains("status.phase: Unsupported value: \"Deleting\"");
  }

  @Test
  void statusWithAnUnknownDiskActionIsRejected() {
    ObjectNode stored = apiServer.create(cr(TENCENT)).object();

    AdmissionEmulator.Result result =
        apiServer.updateStatus(
            stored,
            cr(TENCENT)
                + "status: {instances: [{id: ins-irmer45l, dataDisks: [{id: disk-1, action: Shred}]}]}\n");

    assertThat(result.message())
        .contains("status.instances[0].dataDisks[0].action: Unsupported value: \"Shred\"");
  }

  // ---- examples
  // ----------------------------------------------------------------------------------------------

  @Test
  void everyExampleResourceIsAccepted() {
    Path examples = CrdFiles.projectDir().resolve("examples");
    List<String> checked = new ArrayList<>();
    for (Path file : CrdFiles.yamlFilesUnder(examples)) {
      for (JsonNode doc : CrdFiles.readYamlDocuments(file)) {
        if (!"CloudInstanceDeletion".equals(doc.path("kind").asText())) {
          continue;
        }
        AdmissionEmulator.Result result = apiServer.create(doc.toString());
        assertThat(result.allowed())
            .as("%s: %s", examples.relativize(file), result.message())
            .isTrue();
        checked.add(examples.relativize(file).toString());
      }
    }
    assertThat(checked).as("CloudInstanceDeletion examples found").hasSizeGreaterThanOrEqualTo(6);
  }

  @Test
  void everyExampleNamesASecretTemplateWithTheProvidersKeys() {
    Path examples = CrdFiles.projectDir().resolve("examples");
    Map<String, List<String>> keysByProvider =
        Map.of(
            "tencentcloud", List.of("secretId", "secretKey"),
            "ucloud-compshare", List.of("publicKey", "privateKey"),
            "volcengine", List.of("accessKeyId", "secretAccessKey"));
    List<JsonNode> docs =
        CrdFiles.yamlFilesUnder(examples).stream()
            .flatMap(f -> CrdFiles.readYamlDocuments(f).stream())
            .toList();
    List<JsonNode> secrets =
        docs.stream().filter(d -> "Secret".equals(d.path("kind").asText())).toList();

    for (JsonNode cr : docs) {
      if (!"CloudInstanceDeletion".equals(cr.path("kind").asText())) {
        continue;
      }
      String secretName = cr.path("spec").path("credentialsSecretRef").path("name").asText();
      String namespace = cr.path("metadata").path("namespace").asText();
      JsonNode secret =
          secrets.stream()
              .filter(s -> s.path("metadata").path("name").asText().equals(secretName))
              .filter(s -> s.path("metadata").path("namespace").asText().equals(namespace))
              .findFirst()
              .orElse(null);
      assertThat(secret)
          .as("Secret %s/%s for %s", namespace, secretName, cr.path("metadata").path("name"))
          .isNotNull();
      JsonNode data = secret.has("stringData") ? secret.get("stringData") : secret.path("data");
      List<String> keys = new ArrayList<>();
      data.fieldNames().forEachRemaining(keys::add);
      assertThat(keys)
          .containsExactlyInAnyOrderElementsOf(
              keysByProvider.get(cr.path("spec").path("provider").asText()));
    }
  }

  // ---- the emulator itself can fail
  // --------------------------------------------------------------------------

  @Test
  void celEnvironmentHasTheFunctionsTheRulesUse() throws Exception {
    Map<String, Object> self = Map.of("zone", "cn-wlcb-01", "ids", List.of("a", "b"));

    assertThat(CelRules.evaluate("self.zone.matches('^cn-[a-z]+-[0-9]+$')", self)).isEqualTo(true);
    assertThat(CelRules.evaluate("'x-wlcb-y'.matches('wlcb')", self))
        .as("partial match, like cel-go")
        .isEqualTo(true);
    assertThat(CelRules.evaluate("self.zone.startsWith('cn-wlcb' + '-')", self)).isEqualTo(true);
    assertThat(CelRules.evaluate("size(self.ids) == 2 && self.ids.size() == 2", self))
        .isEqualTo(true);
    assertThat(CelRules.evaluate("self.ids.all(x, self.ids.exists_one(y, y == x))", self))
        .isEqualTo(true);
    assertThat(CelRules.evaluate("has(self.zone) && !has(self.region)", self)).isEqualTo(true);
    assertThat(CelRules.evaluate("self.ids.filter(i, i != 'a').join(', ')", self)).isEqualTo("b");
  }

  @Test
  void aRuleNamingAnUndeclaredFieldIsRejectedLikeOnCrdCreation() {
    ObjectNode crd = CrdFiles.generatedCrd();
    ObjectNode spec =
        (ObjectNode) crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
    spec.withArray("x-kubernetes-validations")
        .addObject()
        .put("rule", "self.provder == 'tencentcloud'");

    assertThatThrownBy(() -> AdmissionEmulator.forCrd(crd))
        .hasMessageContaining("undefined field 'provder'");
  }

  @Test
  void aRuleUsingAnUnknownFunctionOrABadFieldPathIsRejected() {
    ObjectNode crd = CrdFiles.generatedCrd();
    ObjectNode spec =
        (ObjectNode) crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
    spec.withArray("x-kubernetes-validations").addObject().put("rule", "self.region.isRegion()");
    spec.withArray("x-kubernetes-validations")
        .addObject()
        .put("rule", "true")
        .put("fieldPath", ".nope");

    assertThatThrownBy(() -> AdmissionEmulator.forCrd(crd))
        .hasMessageContaining("isRegion")
        .hasMessageContaining("fieldPath .nope does not refer to a field");
  }

  @Test
  void aDefaultOutsideItsEnumIsRejected() {
    ObjectNode crd = CrdFiles.generatedCrd();
    ((ObjectNode)
            crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/dataDisks"))
        .put("default", "Shred");

    assertThatThrownBy(() -> AdmissionEmulator.forCrd(crd))
        .hasMessageContaining("default \"Shred\"");
  }
}
