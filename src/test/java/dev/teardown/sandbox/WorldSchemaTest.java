package dev.teardown.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.teardown.sim.FaultRule;
import dev.teardown.sim.WorldSpec;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The published JSON Schema of world files agrees with the loader, and every shipped world
 * satisfies it.
 */
class WorldSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static JsonNode schemaNode() throws Exception {
    try (InputStream in =
        WorldSchemaTest.class.getClassLoader().getResourceAsStream("world.schema.json")) {
      return JSON.readTree(in);
    }
  }

  private static JsonSchema schema() throws Exception {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(schemaNode());
  }

  private static Set<String> javaFields(Class<?> type) {
    return JSON
        .getSerializationConfig()
        .introspect(JSON.constructType(type))
        .findProperties()
        .stream()
        .map(BeanPropertyDefinition::getName)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> schemaFields(JsonNode node) {
    Set<String> out = new TreeSet<>();
    node.get("properties").fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  void schemaAndLoaderKnowTheSameFields() throws Exception {
    JsonNode defs = schemaNode().get("definitions");
    assertThat(schemaFields(schemaNode())).isEqualTo(javaFields(WorldSpec.class));
    assertThat(schemaFields(defs.get("cloud"))).isEqualTo(javaFields(WorldSpec.CloudWorld.class));
    assertThat(schemaFields(defs.get("instance"))).isEqualTo(javaFields(WorldSpec.Instance.class));
    assertThat(schemaFields(defs.get("disk"))).isEqualTo(javaFields(WorldSpec.Disk.class));
    assertThat(schemaFields(defs.get("fault"))).isEqualTo(javaFields(FaultRule.class));
    assertThat(schemaFields(schemaNode().get("properties").get("clouds")))
        .isEqualTo(WorldFiles.PROVIDERS);
  }

  @Test
  void everyShippedWorldSatisfiesTheSchemaAndLoads() throws Exception {
    List<Path> worlds = new ArrayList<>();
    worlds.add(Path.of("src/main/resources/worlds/default.yaml"));
    if (Files.isDirectory(Path.of("examples/worlds"))) {
      try (Stream<Path> s = Files.list(Path.of("examples/worlds"))) {
        s.filter(p -> p.toString().endsWith(".world.yaml")).forEach(worlds::add);
      }
    }
    for (Path w : worlds) {
      Set<ValidationMessage> errors = schema().validate(YAML.readTree(w.toFile()));
      assertThat(errors).as(w.toString()).isEmpty();
      WorldFiles.load(w);
    }
  }

  @Test
  void theSchemaRejectsWhatTheLoaderRejects() throws Exception {
    JsonNode bad =
        YAML.readTree(
            "clouds: {volcengine: {region: r, credentials: [{id: a, secret: b}], instances: [{id: i-1, colour: red}]}}");
    assertThat(schema().validate(bad)).isNotEmpty();
    JsonNode noCreds = YAML.readTree("clouds: {tencentcloud: {region: ap-beijing}}");
    assertThat(schema().validate(noCreds)).isNotEmpty();
  }
}
