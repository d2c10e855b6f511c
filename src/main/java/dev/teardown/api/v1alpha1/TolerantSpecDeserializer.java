package dev.teardown.api.v1alpha1;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads {@code spec} so that no stored resource can stop the operator. The informer deserializes
 * every resource it lists or watches; one that fails to deserialize makes the informer, and with it
 * the operator, stop. So: fields this build does not know (a CRD upgraded ahead of the operator)
 * are ignored and listed in {@link CloudInstanceDeletionSpec#unknownFields()}; a spec that cannot
 * be read at all (a value of the wrong type, stored before the schema refused it) becomes an empty
 * spec whose {@link CloudInstanceDeletionSpec#readProblem()} says why, and the reconciler acts on
 * nothing for it.
 */
public final class TolerantSpecDeserializer extends StdDeserializer<CloudInstanceDeletionSpec> {
  static final ObjectMapper LENIENT =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final Set<String> KNOWN =
      LENIENT
          .getSerializationConfig()
          .introspect(LENIENT.constructType(CloudInstanceDeletionSpec.class))
          .findProperties()
          .stream()
          .map(BeanPropertyDefinition::getName)
          .collect(Collectors.toUnmodifiableSet());
  private static final int MAX_PROBLEM = 300;

  public TolerantSpecDeserializer() {
    super(CloudInstanceDeletionSpec.class);
  }

  @Override
  public CloudInstanceDeletionSpec deserialize(JsonParser p, DeserializationContext ctxt)
      throws IOException {
    JsonNode node = p.readValueAsTree();
    return read(node);
  }

  /** The spec of a JSON tree, never throwing. */
  public static CloudInstanceDeletionSpec read(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    CloudInstanceDeletionSpec spec;
    String problem = null;
    try {
      spec = node.isObject() ? LENIENT.treeToValue(node, CloudInstanceDeletionSpec.class) : null;
      if (spec == null) {
        problem = "spec is a " + node.getNodeType().name().toLowerCase() + ", not an object";
      }
    } catch (IOException | IllegalArgumentException e) {
      spec = null;
      problem = describe(e);
    }
    if (spec == null) {
      spec = new CloudInstanceDeletionSpec();
      spec.setInstanceIds(List.of());
      spec.readProblem(problem);
    }
    List<String> unknown = new ArrayList<>();
    if (node.isObject()) {
      node.fieldNames()
          .forEachRemaining(
              f -> {
                if (!KNOWN.contains(f)) {
                  unknown.add("spec." + f);
                }
              });
    }
    spec.unknownFields(unknown);
    if (problem != null || !unknown.isEmpty()) {
      spec.stored(node.deepCopy());
    }
    return spec;
  }

  private static String describe(Exception e) {
    return describe("spec", e);
  }

  /** Where and what, without the offending value (it could be anything, a pasted key included). */
  static String describe(String root, Exception e) {
    String where = "";
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      where =
          root
              + m.getPath().stream()
                  .map(
                      r ->
                          r.getFieldName() != null
                              ? "." + r.getFieldName()
                              : "[" + r.getIndex() + "]")
                  .collect(Collectors.joining());
    }
    String what =
        e instanceof MismatchedInputException m && m.getTargetType() != null
            ? "expected "
                + m.getTargetType()
                    .getSimpleName()
                    .replace("CloudInstanceDeletionSpec", "an object")
                    .replace("List", "a list")
                    .replace("String", "a string")
                    .replace("Boolean", "true or false")
            : "a value of the wrong type";
    String text = (where.isEmpty() ? root : where) + " cannot be read: " + what;
    return text.length() > MAX_PROBLEM ? text.substring(0, MAX_PROBLEM) : text;
  }
}
