package dev.teardown.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.Pattern;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.cel.runtime.CelEvaluationException;
import dev.teardown.api.OpenApiSchema.FieldPaths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the API server does with a custom resource on create, update and status update, for one CRD
 * version, so the CRD's schema and CEL rules are exercised without a real kube-apiserver:
 *
 * <ol>
 *   <li>apiVersion/kind must match; strict field validation (kubectl's default) rejects undeclared
 *       fields;
 *   <li>the status subresource: status is dropped on create and ignored on a main-resource update,
 *       and a status update changes nothing but status;
 *   <li>nulls in non-nullable fields are dropped, then defaults are applied;
 *   <li>metadata.name must be a DNS subdomain;
 *   <li>the OpenAPI schema is checked (networknt, JSON Schema draft 4, RE2 patterns);
 *   <li>unless step 5 found a type, enum, required, too-long or too-many error (the API server's
 *       "blocking" errors), every {@code x-kubernetes-validations} rule runs at its node with
 *       {@code self}/{@code oldSelf}.
 * </ol>
 *
 * <p>Messages follow the API server's wording ({@code spec.region: Required value}, {@code
 * spec.instanceIds: Invalid value: "array": instanceIds must be unique}), checked against a real
 * one by CrdOnRealServerIT. Not emulated: validation ratcheting of unchanged invalid fields, CEL
 * cost limits, list-type map/set semantics, ObjectMeta validation beyond the name.
 */
final class AdmissionEmulator {
  private static final Set<String> BLOCKING =
      Set.of("NotSupported", "Required", "TooLong", "TooMany", "TypeInvalid");
  private static final java.util.regex.Pattern DNS_SUBDOMAIN =
      java.util.regex.Pattern.compile(
          "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private final String group;
  private final String kind;
  private final String version;
  private final JsonNode openApi;
  private final boolean statusSubresource;
  private final JsonSchema jsonSchema;
  private final Map<JsonNode, List<CelRules.Rule>> rules = new IdentityHashMap<>();

  /**
   * One field error, typed like the API server's field.Error so blocking errors can be told apart.
   */
  record FieldError(String path, String type, String text) {
    @Override
    public String toString() {
      return path + ": " + text;
    }
  }

  /** The outcome of one request: the object as it would be stored, or the errors. */
  record Result(
      String kind,
      String group,
      String name,
      List<FieldError> errors,
      String decodeError,
      ObjectNode object) {
    boolean allowed() {
      return decodeError == null && errors.isEmpty();
    }

    /** The API server's response message. */
    String message() {
      if (decodeError != null) {
        return decodeError;
      }
      if (errors.isEmpty()) {
        return "";
      }
      String list =
          errors.size() == 1
              ? errors.get(0).toString()
              : errors.stream()
                  .map(FieldError::toString)
                  .collect(Collectors.joining(", ", "[", "]"));
      return kind + "." + group + " \"" + name + "\" is invalid: " + list;
    }
  }

  private enum Operation {
    CREATE,
    UPDATE,
    UPDATE_STATUS
  }

  private AdmissionEmulator(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    this.group = spec.path("group").asText();
    this.kind = spec.path("names").path("kind").asText();
    JsonNode storage = null;
    for (JsonNode v : spec.path("versions")) {
      if (v.path("storage").asBoolean(false)) {
        storage = v;
      }
    }
    if (storage == null) {
      throw new IllegalArgumentException("CRD has no storage version");
    }
    this.version = storage.path("name").asText();
    this.openApi = storage.path("schema").path("openAPIV3Schema");
    this.statusSubresource = storage.path("subresources").has("status");
    List<String> problems = new ArrayList<>();
    compileRules(openApi, "openAPIV3Schema", true, problems);
    checkDefaults(openApi, "openAPIV3Schema", problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "the API server would reject this CRD:\n  " + String.join("\n  ", problems));
    }
    SchemaValidatorsConfig config =
        SchemaValidatorsConfig.builder()
            .pathType(PathType.JSON_POINTER)
            .regularExpressionFactory(
                regex -> {
                  Pattern p = Pattern.compile(regex); // RE2, like Go's regexp in the API server
                  return value -> p.matcher(value).find();
                })
            .build();
    this.jsonSchema =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4)
            .getSchema(OpenApiSchema.toJsonSchema(openApi), config);
  }

  /**
   * An emulator for a CRD (its storage version); fails like CRD creation would on a rule that does
   * not compile.
   */
  static AdmissionEmulator forCrd(JsonNode crd) {
    return new AdmissionEmulator(crd);
  }

  JsonNode openApiSchema() {
    return openApi;
  }

  Result create(String yaml) {
    return admit(Operation.CREATE, parse(yaml), null);
  }

  /** A main-resource update of a stored object (for example {@code create(...).object()}). */
  Result update(ObjectNode stored, String yaml) {
    return admit(Operation.UPDATE, parse(yaml), stored);
  }

  /** A write to the status subresource of a stored object. */
  Result updateStatus(ObjectNode stored, String yaml) {
    return admit(Operation.UPDATE_STATUS, parse(yaml), stored);
  }

  private static ObjectNode parse(String yaml) {
    try {
      JsonNode n = CrdFiles.YAML.readTree(yaml);
      if (n == null || !n.isObject()) {
        throw new IllegalArgumentException("not a YAML mapping: " + yaml);
      }
      return (ObjectNode) n;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not YAML: " + e.getOriginalMessage(), e);
    }
  }

  private Result admit(Operation op, ObjectNode request, ObjectNode stored) {
    String name = request.path("metadata").path("name").asText("");
    String expectedApiVersion = group + "/" + version;
    if (!expectedApiVersion.equals(request.path("apiVersion").asText())
        || !kind.equals(request.path("kind").asText())) {
      return rejected(
          name,
          "the server could not find the requested resource: expected apiVersion "
              + expectedApiVersion
              + " and kind "
              + kind
              + ", got "
              + request.path("apiVersion").asText()
              + " "
              + request.path("kind").asText());
    }
    List<String> unknown = new ArrayList<>();
    OpenApiSchema.unknownFields(request, openApi, List.of(), unknown);
    if (!unknown.isEmpty()) {
      return rejected(
          name,
          kind
              + " in version \""
              + version
              + "\" cannot be handled as a "
              + kind
              + ": strict decoding error: "
              + unknown.stream()
                  .map(f -> "unknown field \"" + f + "\"")
                  .collect(Collectors.joining(", ")));
    }

    ObjectNode obj;
    switch (op) {
      case CREATE -> {
        obj = request.deepCopy();
        if (statusSubresource) {
          obj.remove("status");
        }
      }
      case UPDATE -> {
        obj = request.deepCopy();
        if (statusSubresource) {
          obj.remove("status");
          if (stored.has("status")) {
            obj.set("status", stored.get("status").deepCopy());
          }
        }
      }
      case UPDATE_STATUS -> {
        obj = stored.deepCopy();
        obj.remove("status");
        if (request.has("status")) {
          obj.set("status", request.get("status").deepCopy());
        }
      }
      default -> throw new IllegalStateException();
    }
    OpenApiSchema.pruneNullsAndDefault(obj, openApi);

    List<FieldError> errors = new ArrayList<>();
    validateName(obj, errors);
    errors.addAll(schemaErrors(obj));
    if (errors.stream().anyMatch(e -> BLOCKING.contains(e.type()))) {
      errors.add(
          new FieldError(
              "<nil>",
              "Invalid",
              "Invalid value: \"null\": some validation rules were not checked"
                  + " because the object was invalid; correct the existing errors to complete validation"));
    } else {
      celErrors(openApi, obj, stored, List.of(), true, errors);
    }
    return new Result(kind, group, name, errors, null, obj);
  }

  private Result rejected(String name, String decodeError) {
    return new Result(kind, group, name, List.of(), decodeError, null);
  }

  private static void validateName(ObjectNode obj, List<FieldError> errors) {
    JsonNode meta = obj.path("metadata");
    String name = meta.path("name").asText("");
    if (name.isEmpty() && meta.path("generateName").asText("").isEmpty()) {
      errors.add(
          new FieldError(
              "metadata.name", "Required", "Required value: name or generateName is required"));
    } else if (!name.isEmpty() && (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches())) {
      errors.add(
          new FieldError(
              "metadata.name",
              "Invalid",
              "Invalid value: "
                  + display(meta.get("name"))
                  + ": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and"
                  + " must start and end with an alphanumeric character"));
    }
  }

  // ---- OpenAPI schema
  // -------------------------------------------------------------------------------------------

  private List<FieldError> schemaErrors(ObjectNode obj) {
    List<FieldError> out = new ArrayList<>();
    List<ValidationMessage> messages = new ArrayList<>(jsonSchema.validate(obj));
    messages.sort(
        Comparator.comparing((ValidationMessage m) -> m.getInstanceLocation().toString())
            .thenComparing(m -> String.valueOf(m.getProperty())));
    for (ValidationMessage m : messages) {
      List<Object> path = new ArrayList<>();
      for (int i = 0; i < m.getInstanceLocation().getNameCount(); i++) {
        Object element = m.getInstanceLocation().getElement(i);
        path.add(element instanceof Number n ? (Object) n.intValue() : element.toString());
      }
      if ("required".equals(m.getType())) {
        path.add(m.getProperty());
      }
      String p = FieldPaths.format(path);
      JsonNode value = m.getInstanceNode();
      JsonNode schema = OpenApiSchema.at(openApi, path);
      FieldError e =
          switch (m.getType()) {
            case "required" -> new FieldError(p, "Required", "Required value");
            case "enum" ->
                new FieldError(
                    p,
                    "NotSupported",
                    "Unsupported value: "
                        + display(value)
                        + ": supported values: "
                        + enumValues(schema));
            case "type" ->
                new FieldError(
                    p,
                    "TypeInvalid",
                    "Invalid value: \""
                        + jsonType(value)
                        + "\": "
                        + p
                        + " in body must be of type "
                        + schema.path("type").asText()
                        + ": \""
                        + jsonType(value)
                        + "\"");
            case "pattern" ->
                new FieldError(
                    p,
                    "Invalid",
                    "Invalid value: "
                        + display(value)
                        + ": "
                        + p
                        + " in body should match '"
                        + schema.path("pattern").asText()
                        + "'");
            case "minItems" ->
                new FieldError(
                    p,
                    "Invalid",
                    "Invalid value: "
                        + value.size()
                        + ": "
                        + p
                        + " in body should have at least "
                        + schema.path("minItems").asInt()
                        + " items");
            case "maxItems" ->
                new FieldError(
                    p,
                    "TooMany",
                    "Too many: "
                        + value.size()
                        + ": must have at most "
                        + schema.path("maxItems").asInt()
                        + " items");
            case "minLength" ->
                new FieldError(
                    p,
                    "Invalid",
                    "Invalid value: "
                        + display(value)
                        + ": "
                        + p
                        + " in body should be at least "
                        + schema.path("minLength").asInt()
                        + " chars long");
            case "maxLength" ->
                new FieldError(
                    p,
                    "TooLong",
                    "Too long: may not be more than "
                        + schema.path("maxLength").asInt()
                        + " bytes");
            default ->
                new FieldError(
                    p, "Invalid", "Invalid value: " + display(value) + ": " + m.getMessage());
          };
      out.add(e);
    }
    return out;
  }

  private static String enumValues(JsonNode schema) {
    List<String> values = new ArrayList<>();
    schema.path("enum").forEach(v -> values.add(display(v)));
    return String.join(", ", values);
  }

  private static String jsonType(JsonNode v) {
    if (v == null || v.isNull()) {
      return "null";
    }
    if (v.isIntegralNumber()) {
      return "integer";
    }
    return v.getNodeType().name().toLowerCase();
  }

  /** A value as Go's field errors print it: strings quoted, numbers and booleans bare. */
  private static String display(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "null";
    }
    if (v.isTextual()) {
      return v.toString(); // JSON string literal, like %q for plain text
    }
    if (v.isValueNode()) {
      return v.asText();
    }
    return "\"" + jsonType(v) + "\"";
  }

  // ---- CEL
  // ------------------------------------------------------------------------------------------------------

  private void compileRules(JsonNode schema, String where, boolean isRoot, List<String> problems) {
    if (schema.has("x-kubernetes-validations")) {
      rules.put(schema, CelRules.compile(schema, where, isRoot, problems));
    }
    schema
        .path("properties")
        .fields()
        .forEachRemaining(
            p -> compileRules(p.getValue(), where + "." + p.getKey(), false, problems));
    if (schema.path("items").isObject()) {
      compileRules(schema.get("items"), where + "[*]", false, problems);
    }
    if (schema.path("additionalProperties").isObject()) {
      compileRules(schema.get("additionalProperties"), where + "[*]", false, problems);
    }
  }

  /** The API server rejects a CRD whose defaults do not validate against their own schema. */
  private static void checkDefaults(JsonNode schema, String where, List<String> problems) {
    if (schema.has("default")) {
      JsonNode d = schema.get("default");
      String type = schema.path("type").asText();
      boolean typeOk =
          switch (type) {
            case "string" -> d.isTextual();
            case "boolean" -> d.isBoolean();
            case "integer" -> d.isIntegralNumber();
            case "number" -> d.isNumber();
            case "array" -> d.isArray();
            case "object" -> d.isObject();
            default -> true;
          };
      boolean enumOk = !schema.has("enum") || containsValue(schema.get("enum"), d);
      if (!typeOk || !enumOk) {
        problems.add(where + ": default " + d + " is not a valid value of the field");
      }
    }
    schema
        .path("properties")
        .fields()
        .forEachRemaining(p -> checkDefaults(p.getValue(), where + "." + p.getKey(), problems));
    if (schema.path("items").isObject()) {
      checkDefaults(schema.get("items"), where + "[*]", problems);
    }
  }

  private static boolean containsValue(JsonNode array, JsonNode value) {
    for (JsonNode v : array) {
      if (v.equals(value)) {
        return true;
      }
    }
    return false;
  }

  private void celErrors(
      JsonNode schema,
      JsonNode value,
      JsonNode old,
      List<Object> path,
      boolean isRoot,
      List<FieldError> out) {
    if (schema == null || value == null || value.isNull() || value.isMissingNode()) {
      return; // like the API server, rules only validate non-null values
    }
    JsonNode oldValue = old == null || old.isNull() || old.isMissingNode() ? null : old;
    List<CelRules.Rule> nodeRules = rules.getOrDefault(schema, List.of());
    if (!nodeRules.isEmpty()) {
      Object self = CelRules.toCel(isRoot ? rootView(value) : value);
      Object oldSelf =
          oldValue == null ? null : CelRules.toCel(isRoot ? rootView(oldValue) : oldValue);
      String type = schema.path("type").asText();
      String p = FieldPaths.format(path);
      for (CelRules.Rule rule : nodeRules) {
        if (rule.usesOldSelf() && oldSelf == null) {
          continue; // transition rules need an existing value
        }
        Object result;
        try {
          result = CelRules.eval(rule.program(), self, oldSelf);
        } catch (CelEvaluationException e) {
          out.add(
              new FieldError(
                  p,
                  "Invalid",
                  "Invalid value: \""
                      + type
                      + "\": "
                      + e.getMessage()
                      + " evaluating rule: "
                      + rule.rule()));
          continue;
        }
        if (Boolean.TRUE.equals(result)) {
          continue;
        }
        String detail = rule.messageOrDefault();
        if (rule.messageProgram() != null) {
          try {
            Object m = CelRules.eval(rule.messageProgram(), self, oldSelf);
            if (m instanceof String s && !s.isBlank()) {
              detail = s;
            }
          } catch (CelEvaluationException e) {
            // the API server logs and falls back to message
          }
        }
        String errPath =
            rule.fieldPath().isEmpty()
                ? p
                : (path.isEmpty() ? rule.fieldPath().substring(1) : p + rule.fieldPath());
        // like the API server (checked on a real one): the value shown is the schema type of the
        // rule's own node
        out.add(
            switch (rule.reason()) {
              case "FieldValueForbidden" ->
                  new FieldError(errPath, "Forbidden", "Forbidden: " + detail);
              case "FieldValueRequired" ->
                  new FieldError(errPath, "Required", "Required value: " + detail);
              case "FieldValueDuplicate" ->
                  new FieldError(errPath, "Duplicate", "Duplicate value: \"" + type + "\"");
              default ->
                  new FieldError(errPath, "Invalid", "Invalid value: \"" + type + "\": " + detail);
            });
      }
    }
    if (value.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (isRoot && OpenApiSchema.ROOT_FIELDS.contains(e.getKey())) {
          continue;
        }
        JsonNode oldChild = oldValue == null ? null : oldValue.get(e.getKey());
        celErrors(
            OpenApiSchema.child(schema, e.getKey()),
            e.getValue(),
            oldChild,
            OpenApiSchema.append(path, e.getKey()),
            false,
            out);
      }
    } else if (value.isArray()) {
      // list items are correlated with old items only for list-type map, which this CRD does not
      // use
      for (int i = 0; i < value.size(); i++) {
        celErrors(
            schema.get("items"), value.get(i), null, OpenApiSchema.append(path, i), false, out);
      }
    }
  }

  /** At the root, rules see apiVersion, kind and only metadata.name/generateName. */
  private static JsonNode rootView(JsonNode obj) {
    ObjectNode copy = (ObjectNode) obj.deepCopy();
    JsonNode meta = obj.path("metadata");
    ObjectNode m = copy.putObject("metadata");
    if (meta.has("name")) {
      m.set("name", meta.get("name"));
    }
    if (meta.has("generateName")) {
      m.set("generateName", meta.get("generateName"));
    }
    return copy;
  }
}
