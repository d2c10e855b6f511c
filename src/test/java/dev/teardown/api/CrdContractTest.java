package dev.teardown.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What users and kubectl see of the CRD: names, the status subresource, printer columns, field
 * documentation.
 */
class CrdContractTest {
  private static JsonNode crd;
  private static JsonNode version;
  private static JsonNode schema;

  @BeforeAll
  static void load() {
    crd = CrdFiles.generatedCrd();
    version = crd.path("spec").path("versions").get(0);
    schema = version.path("schema").path("openAPIV3Schema");
  }

  @Test
  void namesScopeAndTheOnlyVersion() {
    JsonNode spec = crd.path("spec");
    assertThat(spec.path("group").asText()).isEqualTo("teardown.dev");
    assertThat(spec.path("scope").asText()).isEqualTo("Namespaced");
    assertThat(spec.path("names").path("kind").asText()).isEqualTo("CloudInstanceDeletion");
    assertThat(spec.path("names").path("plural").asText()).isEqualTo("cloudinstancedeletions");
    assertThat(texts(spec.path("names").path("shortNames")))
        .containsExactlyInAnyOrder("cid", "cidel");
    assertThat(spec.path("versions")).hasSize(1);
    assertThat(version.path("name").asText()).isEqualTo("v1alpha1");
    assertThat(version.path("served").asBoolean()).isTrue();
    assertThat(version.path("storage").asBoolean()).isTrue();
  }

  @Test
  void statusIsASubresource() {
    assertThat(version.path("subresources").has("status")).isTrue();
    assertThat(version.path("subresources").has("scale")).isFalse();
  }

  @Test
  void printerColumnsShowProviderInstancesPhaseDisksAndAgeInThatOrderThenReasonAndMessageInWide() {
    JsonNode columns = version.path("additionalPrinterColumns");
    List<org.assertj.core.groups.Tuple> actual = new ArrayList<>();
    columns.forEach(
        c ->
            actual.add(
                tuple(
                    c.path("name").asText(),
                    c.path("jsonPath").asText(),
                    c.path("type").asText(),
                    c.path("priority").asInt())));

    assertThat(actual)
        .containsExactly(
            tuple("Provider", ".spec.provider", "string", 0),
            tuple("Instances", ".status.instanceCount", "integer", 0),
            tuple("Phase", ".status.phase", "string", 0),
            tuple("Disks", ".status.disks", "string", 0),
            tuple("Age", ".metadata.creationTimestamp", "date", 0),
            tuple("Reason", ".status.conditions[?(@.type==\"Ready\")].reason", "string", 1),
            tuple("Message", ".status.message", "string", 1));
  }

  @Test
  void theKindIsInTheTeardownCategory() {
    assertThat(texts(crd.path("spec").path("names").path("categories")))
        .containsExactly("teardown");
  }

  @Test
  void theKindSpecStatusAndConditionsAreDescribedForKubectlExplain() {
    assertThat(schema.path("description").asText()).contains("data disk");
    assertThat(schema.path("properties").path("spec").path("description").asText())
        .contains("Immutable");
    assertThat(schema.path("properties").path("status").path("description").asText()).isNotBlank();
    JsonNode conditions =
        schema.path("properties").path("status").path("properties").path("conditions");
    assertThat(conditions.path("description").asText()).isNotBlank();
    assertThat(conditions.path("items").path("description").asText()).isNotBlank();
    conditions
        .path("items")
        .path("properties")
        .fields()
        .forEachRemaining(
            f ->
                assertThat(f.getValue().path("description").asText())
                    .as("conditions[]." + f.getKey())
                    .isNotBlank());
  }

  @Test
  void conditionsAreAListMapKeyedByType() {
    JsonNode conditions =
        schema.path("properties").path("status").path("properties").path("conditions");

    assertThat(conditions.path("x-kubernetes-list-type").asText()).isEqualTo("map");
    assertThat(texts(conditions.path("x-kubernetes-list-map-keys"))).containsExactly("type");
    // the API server refuses a list-map whose key is neither required nor defaulted
    assertThat(texts(conditions.path("items").path("required"))).contains("type", "status");
  }

  @Test
  void everyPrinterColumnPointsAtADeclaredFieldOfTheRightType() {
    for (JsonNode c : version.path("additionalPrinterColumns")) {
      String path = c.path("jsonPath").asText();
      if (path.startsWith(".metadata.") || path.contains("[")) {
        continue; // metadata is Kubernetes'; a filter over conditions has no single schema node
      }
      JsonNode s = schema;
      for (String part : path.substring(1).split("\\.")) {
        s = s.path("properties").path(part);
      }
      assertThat(s.isMissingNode()).as("%s is declared in the schema", path).isFalse();
      assertThat(s.path("type").asText()).as(path).isEqualTo(c.path("type").asText());
    }
  }

  @Test
  void everySpecFieldHasADescription() {
    List<String> undocumented = new ArrayList<>();
    collectUndocumented(schema.path("properties").path("spec"), "spec", undocumented);

    assertThat(undocumented).isEmpty();
  }

  @Test
  void everyStatusFieldOfOurOwnTypesHasADescription() {
    List<String> undocumented = new ArrayList<>();
    collectUndocumented(schema.path("properties").path("status"), "status", undocumented);

    assertThat(undocumented).isEmpty();
  }

  @Test
  void theDescriptionCheckCanFail() {
    List<String> undocumented = new ArrayList<>();
    JsonNode bare =
        CrdFiles.YAML
            .createObjectNode()
            .set(
                "properties",
                CrdFiles.YAML
                    .createObjectNode()
                    .set("x", CrdFiles.YAML.createObjectNode().put("type", "string")));
    collectUndocumented(bare, "spec", undocumented);

    assertThat(undocumented).containsExactly("spec.x");
  }

  /**
   * Properties without a description, depth first. The items of status.conditions are fabric8's
   * Condition (the standard Kubernetes shape, documented upstream), not one of our types, so only
   * the field itself is checked.
   */
  private static void collectUndocumented(JsonNode node, String path, List<String> out) {
    node.path("properties")
        .fields()
        .forEachRemaining(
            p -> {
              String childPath = path + "." + p.getKey();
              JsonNode child = p.getValue();
              if (child.path("description").asText("").isBlank()) {
                out.add(childPath);
              }
              if (childPath.equals("status.conditions")) {
                return;
              }
              collectUndocumented(child, childPath, out);
              if (child.path("items").isObject()) {
                collectUndocumented(child.get("items"), childPath + "[]", out);
              }
            });
  }

  @Test
  void specIsRequiredAndItsRequiredFieldsAreTheFourWithoutADefault() {
    assertThat(texts(schema.path("required"))).containsExactly("spec");
    assertThat(texts(schema.path("properties").path("spec").path("required")))
        .containsExactlyInAnyOrder("provider", "region", "instanceIds", "credentialsSecretRef");
  }

  @Test
  void theSecretReferenceHasNoNamespaceField() {
    // Invariant: a Secret is read only from the resource's own namespace, so there is nothing to
    // point elsewhere.
    assertThat(
            texts(
                fieldNames(
                    schema.at("/properties/spec/properties/credentialsSecretRef/properties"))))
        .containsExactly("name");
  }

  @Test
  void theSpecIsImmutableThroughATransitionRule() {
    List<String> rules = new ArrayList<>();
    schema
        .at("/properties/spec/x-kubernetes-validations")
        .forEach(r -> rules.add(r.path("rule").asText()));

    assertThat(rules).contains("self == oldSelf");
  }

  @Test
  void stringsUsedByRulesAreBoundedSoTheApiServerCostEstimateStaysLow() {
    JsonNode spec = schema.path("properties").path("spec");
    assertThat(spec.at("/properties/region/maxLength").asInt()).isPositive();
    assertThat(spec.at("/properties/zone/maxLength").asInt()).isPositive();
    assertThat(spec.at("/properties/instanceIds/maxItems").asInt()).isEqualTo(100);
    assertThat(spec.at("/properties/instanceIds/items/maxLength").asInt()).isPositive();
  }

  private static JsonNode fieldNames(JsonNode object) {
    var arr = CrdFiles.YAML.createArrayNode();
    object.fieldNames().forEachRemaining(arr::add);
    return arr;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
