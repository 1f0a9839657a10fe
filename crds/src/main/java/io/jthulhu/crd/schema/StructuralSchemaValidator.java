package io.jthulhu.crd.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Validates an object against a CRD's openAPIV3Schema the way the API server does for the subset our
 * CRDs use: defaulting first, then types, required, enum, numeric and size bounds, patterns, and the
 * CEL rules of {@code x-kubernetes-validations}. Unknown fields are errors (as with
 * {@code kubectl apply --validate=strict}) so that typos in examples are caught instead of pruned.
 */
public final class StructuralSchemaValidator {
  private final Cel cel = CelFactory.standardCelBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("self", SimpleType.DYN)
      .build();

  private final Map<String, CelRuntime.Program> programs = new ConcurrentHashMap<>();

  /** A schema violation: the field (e.g. {@code spec.scheduling.weight}, empty for the root) and the reason. */
  public record Violation(String field, String reason) {
    @Override
    public String toString() {
      return (field.isEmpty() ? "<root>" : field) + ": " + reason;
    }
  }

  /** Validates {@code object} (mutated: defaults are filled in) and returns every violation found. */
  public List<Violation> validate(JsonNode schema, ObjectNode object) {
    List<Violation> errors = new ArrayList<>();
    validateNode(schema, object, "", errors, true);
    return errors;
  }

  private void validateNode(JsonNode schema, JsonNode value, String path, List<Violation> errors, boolean root) {
    String type = schema.path("type").asText("");
    if (value.isNull()) {
      if (!schema.path("nullable").asBoolean(false)) {
        errors.add(new Violation(path, "must not be null"));
      }
      return;
    }
    int before = errors.size();
    switch (type) {
      case "object" -> validateObject(schema, value, path, errors, root);
      case "array" -> validateArray(schema, value, path, errors);
      case "string" -> validateString(schema, value, path, errors);
      case "integer" -> {
        if (!value.isIntegralNumber()) {
          errors.add(new Violation(path, "must be an integer"));
        } else {
          validateBounds(schema, value.asDouble(), path, errors);
        }
      }
      case "number" -> {
        if (!value.isNumber()) {
          errors.add(new Violation(path, "must be a number"));
        } else {
          validateBounds(schema, value.asDouble(), path, errors);
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          errors.add(new Violation(path, "must be a boolean"));
        }
      }
      default -> {
        // untyped (x-kubernetes-preserve-unknown-fields or int-or-string): accepted as is
      }
    }
    if (errors.size() == before && schema.has("enum")) {
      boolean listed = false;
      for (JsonNode allowed : schema.get("enum")) {
        listed |= allowed.equals(value);
      }
      if (!listed) {
        errors.add(new Violation(path, "unsupported value " + brief(value) + ", allowed: " + schema.get("enum")));
      }
    }
    if (errors.size() == before && schema.has("x-kubernetes-validations")) {
      Object self = null;
      for (JsonNode rule : schema.get("x-kubernetes-validations")) {
        self = self == null ? toCel(value) : self;
        checkRule(rule, self, path, errors);
      }
    }
  }

  /** One x-kubernetes-validations entry; a rule that fails to evaluate is a violation, as on the API server. */
  private void checkRule(JsonNode rule, Object self, String path, List<Violation> errors) {
    String expression = rule.get("rule").asText();
    String field = path + rule.path("fieldPath").asText("");
    Object result;
    try {
      result = evaluate(expression, self);
    } catch (CelEvaluationException e) {
      errors.add(new Violation(field, "rule " + expression + " could not be evaluated: " + e.getMessage()));
      return;
    }
    if (!(result instanceof Boolean passed)) {
      throw new IllegalStateException("rule does not yield a boolean: " + expression);
    }
    if (passed) {
      return;
    }
    String message = rule.path("message").asText(expression);
    if (rule.has("messageExpression")) {
      try {
        message = String.valueOf(evaluate(rule.get("messageExpression").asText(), self));
      } catch (CelEvaluationException e) {
        // the API server falls back to message (or the rule) when messageExpression fails
      }
    }
    errors.add(new Violation(field, message));
  }

  private void validateObject(JsonNode schema, JsonNode value, String path, List<Violation> errors, boolean root) {
    if (!value.isObject()) {
      errors.add(new Violation(path, "must be an object"));
      return;
    }
    ObjectNode object = (ObjectNode) value;
    JsonNode properties = schema.path("properties");
    properties.fields().forEachRemaining(p -> {
      if (!object.has(p.getKey()) && p.getValue().has("default")) {
        object.set(p.getKey(), p.getValue().get("default").deepCopy());
      }
    });
    for (JsonNode required : schema.path("required")) {
      if (!object.has(required.asText())) {
        errors.add(new Violation(join(path, required.asText()), "Required value"));
      }
    }
    if (schema.has("maxProperties") && object.size() > schema.get("maxProperties").asInt()) {
      errors.add(new Violation(path, "must have at most " + schema.get("maxProperties").asInt() + " entries"));
    }
    boolean preserveUnknown = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String fieldPath = join(path, field.getKey());
      if (root && (field.getKey().equals("apiVersion") || field.getKey().equals("kind")
          || field.getKey().equals("metadata"))) {
        continue;
      }
      if (properties.has(field.getKey())) {
        validateNode(properties.get(field.getKey()), field.getValue(), fieldPath, errors, false);
      } else if (schema.has("additionalProperties")) {
        validateNode(schema.get("additionalProperties"), field.getValue(), fieldPath, errors, false);
      } else if (!preserveUnknown) {
        errors.add(new Violation(fieldPath, "unknown field"));
      }
    }
  }

  private void validateArray(JsonNode schema, JsonNode value, String path, List<Violation> errors) {
    if (!value.isArray()) {
      errors.add(new Violation(path, "must be an array"));
      return;
    }
    if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
      errors.add(new Violation(path, "must have at least " + schema.get("minItems").asInt() + " items"));
    }
    if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
      errors.add(new Violation(path, "must have at most " + schema.get("maxItems").asInt() + " items"));
    }
    for (int i = 0; i < value.size(); i++) {
      validateNode(schema.get("items"), value.get(i), path + "[" + i + "]", errors, false);
    }
  }

  private void validateString(JsonNode schema, JsonNode value, String path, List<Violation> errors) {
    if (!value.isTextual()) {
      errors.add(new Violation(path, "must be a string"));
      return;
    }
    String text = value.asText();
    if (schema.has("minLength") && text.length() < schema.get("minLength").asInt()) {
      errors.add(new Violation(path, "must be at least " + schema.get("minLength").asInt() + " characters"));
    }
    if (schema.has("maxLength") && text.length() > schema.get("maxLength").asInt()) {
      errors.add(new Violation(path, "must be at most " + schema.get("maxLength").asInt() + " characters"));
    }
    if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(text).find()) {
      errors.add(new Violation(path, "must match " + schema.get("pattern").asText()));
    }
  }

  private static void validateBounds(JsonNode schema, double number, String path, List<Violation> errors) {
    if (schema.has("minimum") && number < schema.get("minimum").asDouble()) {
      errors.add(new Violation(path, "must be >= " + (long) schema.get("minimum").asDouble()));
    }
    if (schema.has("maximum") && number > schema.get("maximum").asDouble()) {
      errors.add(new Violation(path, "must be <= " + (long) schema.get("maximum").asDouble()));
    }
  }

  private Object evaluate(String expression, Object self) throws CelEvaluationException {
    return programs.computeIfAbsent(expression, this::compile).eval(Map.of("self", self));
  }

  private CelRuntime.Program compile(String expression) {
    try {
      CelAbstractSyntaxTree ast = cel.compile(expression).getAst();
      return cel.createProgram(ast);
    } catch (CelValidationException | CelEvaluationException e) {
      // the rules come from our own CRD, so a rule that does not compile is a bug in the CRD, not in the input
      throw new IllegalStateException("invalid CEL rule " + expression + ": " + e.getMessage(), e);
    }
  }

  /** JSON to the values CEL expects: maps, lists, int64, double, string, bool. */
  private static Object toCel(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> map.put(e.getKey(), toCel(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(item -> list.add(toCel(item)));
      return list;
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

  /** A value for a message, cut short so that a huge bad value does not make a huge message. */
  private static String brief(JsonNode value) {
    String text = value.toString();
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }
}
