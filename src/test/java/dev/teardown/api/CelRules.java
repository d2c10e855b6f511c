package dev.teardown.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code x-kubernetes-validations} rules compiled with dev.cel the way the API server compiles them
 * with cel-go.
 *
 * <p>Same as the API server: standard macros (has, all, exists, exists_one, map, filter), the
 * strings extension (join, split, lowerAscii...), RE2 regular expressions with partial-match {@code
 * matches()}, {@code self} bound to the value at the rule's schema node and {@code oldSelf} to the
 * old value on update; a rule that reads {@code oldSelf} is skipped when there is no old value
 * (create). A field selected on {@code self}/{@code oldSelf} must be declared in the schema, which
 * is what the API server's type check enforces when the CRD is created.
 *
 * <p>Not the same: values are dynamically typed maps and lists, so type mismatches surface when a
 * rule runs, not when the CRD is loaded; the Kubernetes-only libraries (quantity, url, ip, cidr,
 * format, authz, lists) and the cost limits are not emulated.
 */
final class CelRules {
  private static final Cel CEL =
      CelFactory.standardCelBuilder()
          .setOptions(CelOptions.current().enableRegexPartialMatch(true).build())
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addCompilerLibraries(CelExtensions.strings())
          .addRuntimeLibraries(CelExtensions.strings())
          .addVar("self", SimpleType.DYN)
          .addVar("oldSelf", SimpleType.DYN)
          .build();

  private CelRules() {}

  /** One rule of a schema node, compiled. */
  record Rule(
      String rule,
      String message,
      String fieldPath,
      String reason,
      boolean usesOldSelf,
      CelRuntime.Program program,
      CelRuntime.Program messageProgram) {

    String messageOrDefault() {
      return message == null || message.isBlank() ? "failed rule: " + rule : message;
    }
  }

  /**
   * Compiles the rules of one schema node; problems are collected, like the API server does on CRD
   * create.
   */
  static List<Rule> compile(
      JsonNode schema, String schemaPath, boolean isRoot, List<String> problems) {
    List<Rule> out = new ArrayList<>();
    for (JsonNode r : schema.path("x-kubernetes-validations")) {
      String text = r.path("rule").asText();
      String where = schemaPath + " rule '" + text + "'";
      try {
        CelAbstractSyntaxTree ast = compileChecked(text);
        checkFieldReferences(ast, schema, isRoot, where, problems);
        CelRuntime.Program msgProgram = null;
        if (r.hasNonNull("messageExpression")) {
          CelAbstractSyntaxTree msgAst = compileChecked(r.get("messageExpression").asText());
          checkFieldReferences(msgAst, schema, isRoot, where + " messageExpression", problems);
          msgProgram = CEL.createProgram(msgAst);
        }
        String fieldPath = r.path("fieldPath").asText("");
        if (!fieldPath.isEmpty() && resolveFieldPath(schema, fieldPath) == null) {
          problems.add(
              where + ": fieldPath " + fieldPath + " does not refer to a field of the schema");
        }
        String reason = r.path("reason").asText("");
        if (!reason.isEmpty()
            && !List.of(
                    "FieldValueInvalid",
                    "FieldValueForbidden",
                    "FieldValueRequired",
                    "FieldValueDuplicate")
                .contains(reason)) {
          problems.add(where + ": unsupported reason " + reason);
        }
        out.add(
            new Rule(
                text,
                r.path("message").asText(null),
                fieldPath,
                reason,
                usesOldSelf(ast),
                CEL.createProgram(ast),
                msgProgram));
      } catch (CelValidationException | CelEvaluationException e) {
        problems.add(where + ": " + e.getMessage());
      }
    }
    return out;
  }

  private static CelAbstractSyntaxTree compileChecked(String expression)
      throws CelValidationException {
    CelValidationResult result = CEL.compile(expression);
    return result
        .getAst(); // throws with the compiler's message on a syntax, macro or undeclared-function
    // error
  }

  private static boolean usesOldSelf(CelAbstractSyntaxTree ast) {
    return CelNavigableAst.fromAst(ast)
        .getRoot()
        .allNodes()
        .map(n -> n.expr())
        .anyMatch(
            e -> e.getKind() == CelExpr.ExprKind.Kind.IDENT && e.ident().name().equals("oldSelf"));
  }

  /**
   * {@code self.a.b} must name declared properties, as the API server's typed environment requires.
   */
  private static void checkFieldReferences(
      CelAbstractSyntaxTree ast,
      JsonNode schema,
      boolean isRoot,
      String where,
      List<String> problems) {
    CelNavigableAst.fromAst(ast)
        .getRoot()
        .allNodes()
        .map(n -> n.expr())
        .filter(e -> e.getKind() == CelExpr.ExprKind.Kind.SELECT)
        .forEach(
            e -> {
              List<String> chain = new ArrayList<>();
              CelExpr cur = e;
              while (cur.getKind() == CelExpr.ExprKind.Kind.SELECT) {
                chain.add(0, cur.select().field());
                cur = cur.select().operand();
              }
              if (cur.getKind() != CelExpr.ExprKind.Kind.IDENT
                  || !List.of("self", "oldSelf").contains(cur.ident().name())) {
                return;
              }
              JsonNode s = schema;
              for (int i = 0; i < chain.size(); i++) {
                String field = chain.get(i);
                if (i == 0 && isRoot && OpenApiSchema.ROOT_FIELDS.contains(field)) {
                  return; // apiVersion, kind, metadata.name/generateName are bound at the root
                }
                if (OpenApiSchema.preservesUnknownFields(s)
                    || !s.path("type").asText().equals("object")) {
                  return;
                }
                JsonNode next = OpenApiSchema.child(s, field);
                if (next == null) {
                  problems.add(where + ": undefined field '" + field + "'");
                  return;
                }
                s = next;
              }
            });
  }

  /** Schema node a rule's fieldPath (".a.b") points to, or null. */
  static JsonNode resolveFieldPath(JsonNode schema, String fieldPath) {
    JsonNode s = schema;
    for (String part : fieldPath.substring(1).split("\\.")) {
      s = s.path("properties").get(part);
      if (s == null) {
        return null;
      }
    }
    return s;
  }

  /** Evaluates a compiled rule; returns Boolean TRUE/FALSE, or throws with the evaluation error. */
  static Object eval(CelRuntime.Program program, Object self, Object oldSelf)
      throws CelEvaluationException {
    Map<String, Object> vars = new HashMap<>();
    vars.put("self", self);
    if (oldSelf != null) {
      vars.put("oldSelf", oldSelf);
    }
    return program.eval(vars);
  }

  /**
   * Compiles and runs one expression with {@code self} bound; for checking what the CEL environment
   * offers.
   */
  static Object evaluate(String expression, Object self)
      throws CelValidationException, CelEvaluationException {
    return eval(CEL.createProgram(compileChecked(expression)), self, null);
  }

  /** A JSON value as CEL sees it: maps, lists, strings, int64, double, bool. */
  static Object toCel(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return dev.cel.common.values.NullValue.NULL_VALUE;
    }
    if (node.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> m.put(e.getKey(), toCel(e.getValue())));
      return m;
    }
    if (node.isArray()) {
      List<Object> l = new ArrayList<>();
      node.forEach(n -> l.add(toCel(n)));
      return l;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }
}
