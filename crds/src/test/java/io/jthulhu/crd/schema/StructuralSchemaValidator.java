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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /** Validates {@code object} (mutated: defaults are filled in) and returns errors as "path: reason". */
  public List<String> validate(JsonNode schema, ObjectNode object) {
    List<String> errors = new ArrayList<>();
    validateNode(schema, object, "", errors, true);
    return errors;
  }

  private void validateNode(JsonNode schema, JsonNode value, String path, List<String> errors, boolean root) {
    String type = schema.path("type").asText("");
    if (value.isNull()) {
      if (!schema.path("nullable").asBoolean(false)) {
        errors.add(at(path) + "must not be null");
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
          errors.add(at(path) + "must be an integer");
        } else {
          validateBounds(schema, value.asDouble(), path, errors);
        }
      }
      case "number" -> {
        if (!value.isNumber()) {
          errors.add(at(path) + "must be a number");
        } else {
          validateBounds(schema, value.asDouble(), path, errors);
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          errors.add(at(path) + "must be a boolean");
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
        errors.add(at(path) + "unsupported value " + value + ", allowed: " + schema.get("enum"));
      }
    }
    if (errors.size() == before && schema.has("x-kubernetes-validations")) {
      for (JsonNode rule : schema.get("x-kubernetes-validations")) {
        if (!evaluate(rule.get("rule").asText(), value)) {
          errors.add(at(path + rule.path("fieldPath").asText("")) + rule.path("message").asText(rule.get("rule").asText()));
        }
      }
    }
  }

  private void validateObject(JsonNode schema, JsonNode value, String path, List<String> errors, boolean root) {
    if (!value.isObject()) {
      errors.add(at(path) + "must be an object");
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
        errors.add(at(join(path, required.asText())) + "Required value");
      }
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
        errors.add(at(fieldPath) + "unknown field");
      }
    }
  }

  private void validateArray(JsonNode schema, JsonNode value, String path, List<String> errors) {
    if (!value.isArray()) {
      errors.add(at(path) + "must be an array");
      return;
    }
    if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
      errors.add(at(path) + "must have at least " + schema.get("minItems").asInt() + " items");
    }
    if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
      errors.add(at(path) + "must have at most " + schema.get("maxItems").asInt() + " items");
    }
    for (int i = 0; i < value.size(); i++) {
      validateNode(schema.get("items"), value.get(i), path + "[" + i + "]", errors, false);
    }
  }

  private void validateString(JsonNode schema, JsonNode value, String path, List<String> errors) {
    if (!value.isTextual()) {
      errors.add(at(path) + "must be a string");
      return;
    }
    String text = value.asText();
    if (schema.has("minLength") && text.length() < schema.get("minLength").asInt()) {
      errors.add(at(path) + "must be at least " + schema.get("minLength").asInt() + " characters");
    }
    if (schema.has("maxLength") && text.length() > schema.get("maxLength").asInt()) {
      errors.add(at(path) + "must be at most " + schema.get("maxLength").asInt() + " characters");
    }
    if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(text).find()) {
      errors.add(at(path) + "must match " + schema.get("pattern").asText());
    }
  }

  private static void validateBounds(JsonNode schema, double number, String path, List<String> errors) {
    if (schema.has("minimum") && number < schema.get("minimum").asDouble()) {
      errors.add(at(path) + "must be >= " + (long) schema.get("minimum").asDouble());
    }
    if (schema.has("maximum") && number > schema.get("maximum").asDouble()) {
      errors.add(at(path) + "must be <= " + (long) schema.get("maximum").asDouble());
    }
  }

  private boolean evaluate(String rule, JsonNode self) {
    try {
      CelAbstractSyntaxTree ast = cel.compile(rule).getAst();
      Object result = cel.createProgram(ast).eval(Map.of("self", toCel(self)));
      if (!(result instanceof Boolean passed)) {
        throw new IllegalStateException("rule does not yield a boolean: " + rule);
      }
      return passed;
    } catch (CelValidationException | CelEvaluationException e) {
      throw new IllegalStateException("invalid CEL rule " + rule + ": " + e.getMessage(), e);
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

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private static String at(String path) {
    return (path.isEmpty() ? "<root>" : path) + ": ";
  }
}
