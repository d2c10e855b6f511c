package dev.teardown.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.teardown.it.TestKube;
import dev.teardown.sandbox.RealKube;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real kube-apiserver is the judge of the CRD: it installs, every bad resource of {@link
 * CrdValidationTest} and every manifest of {@link BadResourcesTest} is refused by the server itself
 * with the schema/CEL message the emulator predicts, every example is accepted, and the spec of a
 * stored deletion cannot be changed. Requests use strict field validation, as kubectl does.
 */
class CrdOnRealServerIT {
  private static RealKube kube;
  private String ns;

  @BeforeAll
  static void server() {
    kube = TestKube.real();
  }

  @BeforeEach
  void namespace() {
    ns = TestKube.namespace(kube.client(), "crd");
  }

  private NonNamespaceOperation<GenericKubernetesResource, ?, Resource<GenericKubernetesResource>>
      deletions() {
    return kube.client()
        .genericKubernetesResources("teardown.dev/v1alpha1", "CloudInstanceDeletion")
        .inNamespace(ns);
  }

  private GenericKubernetesResource parse(String yaml) {
    GenericKubernetesResource g = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
    g.getMetadata().setNamespace(ns);
    return g;
  }

  private GenericKubernetesResource create(String yaml) {
    return deletions()
        .resource(parse(yaml))
        .fieldValidation(FieldValidateable.Validation.STRICT)
        .create();
  }

  /**
   * Sends the manifest where its own apiVersion and kind lead, as a REST client does: a wrong
   * version or kind reaches a path the server does not serve.
   */
  private GenericKubernetesResource createWhereItSays(String yaml) {
    GenericKubernetesResource g = parse(yaml);
    String apiVersion = g.getApiVersion() == null ? "" : g.getApiVersion();
    String kind = g.getKind() == null ? "" : g.getKind();
    if (apiVersion.equals("teardown.dev/v1alpha1") && kind.equals("CloudInstanceDeletion")) {
      return deletions().resource(g).fieldValidation(FieldValidateable.Validation.STRICT).create();
    }
    int slash = apiVersion.indexOf('/');
    ResourceDefinitionContext where =
        new ResourceDefinitionContext.Builder()
            .withGroup(slash < 0 ? "" : apiVersion.substring(0, slash))
            .withVersion(slash < 0 ? apiVersion : apiVersion.substring(slash + 1))
            .withKind(kind)
            .withPlural(kind.toLowerCase(java.util.Locale.ROOT) + "s")
            .withNamespaced(true)
            .build();
    return kube.client().genericKubernetesResources(where).inNamespace(ns).resource(g).create();
  }

  @Test
  void theGeneratedCrdIsInstalledAndEstablished() {
    KubernetesClient c = kube.client();
    CustomResourceDefinition crd =
        c.apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName("cloudinstancedeletions.teardown.dev")
            .get();
    assertThat(crd.getStatus().getConditions())
        .anySatisfy(
            x -> {
              assertThat(x.getType()).isEqualTo("Established");
              assertThat(x.getStatus()).isEqualTo("True");
            })
        .noneSatisfy(
            x -> {
              assertThat(x.getType()).isEqualTo("NonStructuralSchema");
              assertThat(x.getStatus()).isEqualTo("True");
            });
    assertThat(crd.getStatus().getAcceptedNames().getShortNames()).contains("cid");
    // every x-kubernetes-validations rule of the generated file survived the server's cost and
    // syntax checks
    assertThat(Serialization.asJson(crd.getSpec()))
        .contains("self == oldSelf", "messageExpression", "fieldPath");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.teardown.api.CrdValidationTest#badResources")
  void badResourceIsRefusedByTheServerWithTheExpectedMessage(String yaml, String expected) {
    assertThatThrownBy(() -> create(yaml))
        .as("the server accepted it, but it should fail with: %s", expected)
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isIn(400, 422);
              assertThat(e.getStatus().getMessage()).contains(expected);
            });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.teardown.api.BadResourcesTest#badResources")
  void badManifestIsRefusedByTheServerWithTheExpectedMessage(String yaml, String expected) {
    assertThatThrownBy(() -> createWhereItSays(yaml))
        .as("the server accepted it, but it should fail with: %s", expected)
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isIn(400, 404, 422);
              if (e.getCode()
                  == 404) { // a version or kind the server does not serve: kubectl words it so
                assertThat(expected).isEqualTo("the server could not find the requested resource");
              } else {
                assertThat(e.getStatus().getMessage())
                    .contains(expected)
                    .doesNotContain("Exception");
              }
            });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.teardown.api.CrdValidationTest#goodResources")
  void goodResourceIsAccepted(String yaml) {
    GenericKubernetesResource stored = create(yaml);
    assertThat(stored.getMetadata().getUid()).isNotBlank();
    assertThat(stored.getAdditionalProperties()).doesNotContainKey("status");
  }

  @Test
  void defaultsAreAppliedByTheServer() {
    GenericKubernetesResource stored =
        create(CrdValidationTest.cr(CrdValidationTest.TENCENT + "dryRun: null\n"));
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) stored.getAdditionalProperties().get("spec");
    assertThat(spec)
        .containsEntry("dataDisks", "Release")
        .containsEntry("recycleBin", "Keep")
        .containsEntry("dryRun", false);
  }

  @Test
  void everyExampleIsAcceptedByTheServer() {
    Path examples = CrdFiles.projectDir().resolve("examples");
    List<String> accepted = new ArrayList<>();
    for (Path file : CrdFiles.yamlFilesUnder(examples)) {
      for (JsonNode doc : CrdFiles.readYamlDocuments(file)) {
        if (!"CloudInstanceDeletion".equals(doc.path("kind").asText())) {
          continue;
        }
        GenericKubernetesResource stored = create(doc.toString());
        assertThat(stored.getMetadata().getUid()).as(file.toString()).isNotBlank();
        accepted.add(examples.relativize(file).toString());
      }
    }
    assertThat(accepted).as("CloudInstanceDeletion examples").hasSizeGreaterThanOrEqualTo(6);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.teardown.api.CrdValidationTest#specChangesOnUpdate")
  void anUpdateOfTheSpecIsRefusedByTheServer(String changedSpec) {
    GenericKubernetesResource stored = create(CrdValidationTest.cr(CrdValidationTest.TENCENT));
    GenericKubernetesResource changed = parse(CrdValidationTest.cr(changedSpec));
    changed.getMetadata().setResourceVersion(stored.getMetadata().getResourceVersion());

    assertThatThrownBy(() -> deletions().resource(changed).update())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getStatus().getMessage())
                  .isEqualTo(
                      "CloudInstanceDeletion.teardown.dev \"retire-runner-7\""
                          + " is invalid: spec: Invalid value: \"object\": spec is immutable: delete this resource and create a"
                          + " new one");
            });
    // a merge patch of one field is refused the same way
    assertThatThrownBy(
            () ->
                deletions()
                    .withName("retire-runner-7")
                    .edit(
                        r -> {
                          @SuppressWarnings("unchecked")
                          Map<String, Object> spec =
                              (Map<String, Object>) r.getAdditionalProperties().get("spec");
                          spec.put("dryRun", true);
                          return r;
                        }))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> assertThat(e.getStatus().getMessage()).contains("spec is immutable"));
  }

  @Test
  void metadataAndStatusChangesOfAStoredDeletionAreAccepted() {
    create(CrdValidationTest.cr(CrdValidationTest.TENCENT));
    GenericKubernetesResource labelled =
        deletions()
            .withName("retire-runner-7")
            .edit(
                r -> {
                  r.getMetadata().setLabels(Map.of("team", "ci"));
                  return r;
                });
    assertThat(labelled.getMetadata().getLabels()).containsEntry("team", "ci");
    GenericKubernetesResource withStatus =
        deletions()
            .withName("retire-runner-7")
            .editStatus(
                r -> {
                  r.getAdditionalProperties().put("status", Map.of("phase", "Pending"));
                  return r;
                });
    assertThat(withStatus.getAdditionalProperties().get("status"))
        .isEqualTo(Map.of("phase", "Pending"));
  }
}
