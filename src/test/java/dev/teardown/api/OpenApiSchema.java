package dev.teardown.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Structural-schema helpers that behave like the API server: the schema node for a field path,
 * pruning of nulls, defaulting, unknown-field detection, and the translation to a plain JSON Schema
 * (draft 4, which OpenAPI 3.0 is based on) for the validator.
 */
final class OpenApiSchema {
  /** Fields every object has at the root; the CRD schema does not declare them. */
  static final Set<String> ROOT_FIELDS = Set.of("apiVersion", "kind", "metadata");

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private OpenApiSchema() {}

  /**
   * OpenAPI v3 (as Kubernetes restricts it) to JSON Schema draft 4: {@code x-kubernetes-*} keys are
   * dropped (their behaviour is emulated elsewhere) except int-or-string, which becomes an anyOf;
   * {@code nullable: true} becomes a type union with null.
   */
  static JsonNode toJsonSchema(JsonNode openApi) {
    if (openApi.isArray()) {
      ArrayNode out = NODES.arrayNode();
      openApi.forEach(n -> out.add(toJsonSchema(n)));
      return out;
    }
    if (!openApi.isObject()) {
      return openApi.deepCopy();
    }
    ObjectNode out = NODES.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = openApi.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      JsonNode value = e.getValue();
      switch (key) {
        case "properties", "patternProperties", "definitions" -> {
          ObjectNode props = NODES.objectNode();
          value.fields().forEachRemaining(p -> props.set(p.getKey(), toJsonSchema(p.getValue())));
          out.set(key, props);
        }
        case "items", "additionalProperties", "not", "allOf", "anyOf", "oneOf" ->
            out.set(key, value.isBoolean() ? value : toJsonSchema(value));
        case "nullable", "default", "example", "externalDocs" -> {
          // nullable handled below; default is applied by defaulting, not by the validator
        }
        case "enum" -> out.set(key, value.deepCopy());
        default -> {
          if (!key.startsWith("x-kubernetes-")) {
            out.set(key, value.deepCopy());
          }
        }
      }
    }
    if (openApi.path("x-kubernetes-int-or-string").asBoolean(false)) {
      ArrayNode anyOf = NODES.arrayNode();
      anyOf.addObject().put("type", "integer");
      anyOf.addObject().put("type", "string");
      out.set("anyOf", anyOf);
    }
    if (openApi.path("nullable").asBoolean(false) && out.has("type")) {
      ArrayNode types = NODES.arrayNode().add(out.get("type").asText()).add("null");
      out.set("type", types);
      if (out.has("enum")) {
        ((ArrayNode) out.get("enum")).addNull();
      }
    }
    return out;
  }

  /**
   * Schema of one child (a property name, a map key or a list index), or null if the schema does
   * not declare it.
   */
  static JsonNode child(JsonNode schema, Object key) {
    if (schema == null) {
      return null;
    }
    if (key instanceof Integer) {
      JsonNode items = schema.get("items");
      return items == null || !items.isObject() ? null : items;
    }
    JsonNode prop = schema.path("properties").get((String) key);
    if (prop != null) {
      return prop;
    }
    JsonNode additional = schema.get("additionalProperties");
    return additional != null && additional.isObject() ? additional : null;
  }

  static JsonNode at(JsonNode root, List<Object> path) {
    JsonNode s = root;
    for (Object key : path) {
      s = child(s, key);
      if (s == null) {
        return null;
      }
    }
    return s;
  }

  static boolean preservesUnknownFields(JsonNode schema) {
    return schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
  }

  /** Field paths of values the schema does not declare (what strict field validation rejects). */
  static void unknownFields(JsonNode value, JsonNode schema, List<Object> path, List<String> out) {
    if (schema == null || preservesUnknownFields(schema)) {
      return;
    }
    if (value.isObject()) {
      boolean isRoot = path.isEmpty();
      JsonNode additional = schema.get("additionalProperties");
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        List<Object> childPath = append(path, e.getKey());
        if (isRoot && ROOT_FIELDS.contains(e.getKey())) {
          continue; // ObjectMeta has its own schema; not emulated beyond name checks
        }
        if (schema.path("properties").has(e.getKey())) {
          unknownFields(e.getValue(), schema.path("properties").get(e.getKey()), childPath, out);
        } else if (additional != null && additional.isObject()) {
          unknownFields(e.getValue(), additional, childPath, out);
        } else if (additional == null || !additional.asBoolean(false)) {
          out.add(FieldPaths.format(childPath));
        }
      }
    } else if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        unknownFields(value.get(i), schema.get("items"), append(path, i), out);
      }
    }
  }

  /**
   * What the API server does before validation: a null for a field that is not nullable is dropped,
   * then missing fields that have a default get it (inside objects that exist; also in every list
   * item and map value).
   */
  static void pruneNullsAndDefault(JsonNode value, JsonNode schema) {
    if (schema == null) {
      return;
    }
    if (value.isObject()) {
      ObjectNode obj = (ObjectNode) value;
      JsonNode props = schema.path("properties");
      List<String> nulls = new ArrayList<>();
      obj.fields()
          .forEachRemaining(
              e -> {
                JsonNode s = child(schema, e.getKey());
                if (e.getValue().isNull() && s != null && !s.path("nullable").asBoolean(false)) {
                  nulls.add(e.getKey());
                }
              });
      nulls.forEach(obj::remove);
      props
          .fields()
          .forEachRemaining(
              p -> {
                if (!obj.has(p.getKey()) && p.getValue().has("default")) {
                  obj.set(p.getKey(), p.getValue().get("default").deepCopy());
                }
              });
      obj.fields()
          .forEachRemaining(e -> pruneNullsAndDefault(e.getValue(), child(schema, e.getKey())));
    } else if (value.isArray()) {
      value.forEach(item -> pruneNullsAndDefault(item, schema.get("items")));
    }
  }

  static List<Object> append(List<Object> path, Object key) {
    List<Object> out = new ArrayList<>(path);
    out.add(key);
    return out;
  }

  /**
   * Field paths as the API server prints them: {@code spec.instanceIds[3]}, {@code
   * metadata.labels[app]}.
   */
  static final class FieldPaths {
    private FieldPaths() {}

    static String format(List<Object> path) {
      StringBuilder sb = new StringBuilder();
      for (Object key : path) {
        if (key instanceof Integer i) {
          sb.append('[').append(i).append(']');
        } else {
          if (sb.length() > 0) {
            sb.append('.');
          }
          sb.append(key);
        }
      }
      return sb.length() == 0 ? "<nil>" : sb.toString();
    }
  }
}
