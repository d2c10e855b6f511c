package dev.teardown.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.CloudInstanceDeletionSpec;
import dev.teardown.api.v1alpha1.Provider;
import dev.teardown.api.v1alpha1.SecretReference;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The discovery documents on the embedded API: what kubectl reads to resolve cid, apply and get.
 */
class DiscoveryTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static EmbeddedKube kube;

  @BeforeAll
  static void start() {
    Sandbox.quietEmbeddedApiLogs();
    kube = EmbeddedKube.start(0);
    Discovery.install(kube.server(), EmbeddedKube.crd());
  }

  @AfterAll
  static void stop() {
    kube.close();
  }

  private static JsonNode get(String pathAndQuery) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(kube.url() + pathAndQuery))
                .timeout(Duration.ofSeconds(5))
                .header("Accept", "application/json")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s: %s", pathAndQuery, r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static JsonNode resource(JsonNode list, String name) {
    for (JsonNode r : list.get("resources")) {
      if (r.get("name").asText().equals(name)) {
        return r;
      }
    }
    throw new AssertionError("no resource " + name + " in " + list);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void groupVersionListsCloudInstanceDeletionsWithShortNamesVerbsAndStatusSubresource()
      throws Exception {
    for (String q : List.of("", "?timeout=32s")) {
      JsonNode list = get("/apis/teardown.dev/v1alpha1" + q);
      assertThat(list.get("kind").asText()).as(q).isEqualTo("APIResourceList");
      assertThat(list.get("groupVersion").asText()).isEqualTo("teardown.dev/v1alpha1");
      JsonNode cid = resource(list, "cloudinstancedeletions");
      assertThat(cid.get("kind").asText()).isEqualTo("CloudInstanceDeletion");
      assertThat(cid.get("singularName").asText()).isEqualTo("cloudinstancedeletion");
      assertThat(cid.get("namespaced").asBoolean()).isTrue();
      assertThat(texts(cid.get("shortNames"))).containsExactly("cid", "cidel");
      assertThat(texts(cid.get("verbs")))
          .contains("create", "get", "list", "watch", "patch", "update", "delete");
      JsonNode status = resource(list, "cloudinstancedeletions/status");
      assertThat(texts(status.get("verbs"))).containsExactlyInAnyOrder("get", "patch", "update");
    }
  }

  @Test
  void fabric8ParsesTheSameDocuments() {
    APIResourceList list = kube.client().getApiResources("teardown.dev/v1alpha1");
    assertThat(list.getResources())
        .extracting(APIResource::getName)
        .containsExactlyInAnyOrder("cloudinstancedeletions", "cloudinstancedeletions/status");
    APIGroup group = kube.client().getApiGroup("teardown.dev");
    assertThat(group.getPreferredVersion().getVersion()).isEqualTo("v1alpha1");
    assertThat(kube.client().getKubernetesVersion().getMajor()).isEqualTo("1");
  }

  @Test
  void rootDocumentsNameTheCoreResourcesAndTheGroups() throws Exception {
    for (String q : List.of("", "?timeout=32s")) {
      assertThat(get("/version" + q).get("gitVersion").asText()).startsWith("v1.");
      JsonNode api = get("/api" + q);
      assertThat(api.get("kind").asText()).isEqualTo("APIVersions");
      assertThat(texts(api.get("versions"))).containsExactly("v1");
      JsonNode core = get("/api/v1" + q);
      assertThat(core.get("resources").findValuesAsText("name"))
          .contains("namespaces", "secrets", "events");
      assertThat(texts(resource(core, "secrets").get("verbs"))).contains("create", "get", "list");
      JsonNode groups = get("/apis" + q);
      assertThat(groups.get("kind").asText()).isEqualTo("APIGroupList");
      assertThat(groups.get("groups").findValuesAsText("name"))
          .contains("teardown.dev", "apiextensions.k8s.io");
      JsonNode teardown = get("/apis/teardown.dev" + q);
      assertThat(teardown.get("kind").asText()).isEqualTo("APIGroup");
      assertThat(teardown.get("preferredVersion").get("groupVersion").asText())
          .isEqualTo("teardown.dev/v1alpha1");
      assertThat(
              resource(get("/apis/apiextensions.k8s.io/v1" + q), "customresourcedefinitions")
                  .get("namespaced")
                  .asBoolean())
          .isFalse();
    }
  }

  @Test
  void theStubsLeaveTheObjectPathsToTheStore() {
    CloudInstanceDeletion d = new CloudInstanceDeletion();
    d.setMetadata(new ObjectMetaBuilder().withName("disc-probe").withNamespace("default").build());
    CloudInstanceDeletionSpec spec = new CloudInstanceDeletionSpec();
    spec.setProvider(Provider.VOLCENGINE);
    spec.setRegion("cn-beijing");
    spec.setInstanceIds(List.of("i-probe"));
    spec.setCredentialsSecretRef(new SecretReference("volc"));
    d.setSpec(spec);
    kube.client().resource(d).create();
    assertThat(
            kube.client()
                .resources(CloudInstanceDeletion.class)
                .inNamespace("default")
                .list()
                .getItems())
        .extracting(x -> x.getMetadata().getName())
        .contains("disc-probe");
    assertThat(
            kube.client()
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("cloudinstancedeletions.teardown.dev")
                .get())
        .isNotNull();
  }
}
