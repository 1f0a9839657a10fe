package io.jthulhu.validate;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.crd.schema.CrdSchemas;
import io.jthulhu.crd.schema.StructuralSchemaValidator;
import io.jthulhu.operator.validation.CompiledPolicy;
import io.jthulhu.operator.validation.FieldError;
import io.jthulhu.operator.validation.PolicyCompiler;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks one object as the cluster would, in the cluster's order: apiVersion and kind, metadata, the
 * CRD's structural schema with defaults and CEL rules, then (only for an object the schema accepts,
 * as the operator only ever sees those) the operator's own semantic rules.
 */
final class DocumentValidator {
  /** metadata.name of a custom resource: a DNS subdomain (RFC 1123), as the API server requires. */
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final int MAX_NAME_LENGTH = 253;

  private final CrdSchemas schemas;
  private final StructuralSchemaValidator schemaValidator = new StructuralSchemaValidator();
  private final ObjectMapper json = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  DocumentValidator(CrdSchemas schemas) {
    this.schemas = schemas;
  }

  List<Finding> validate(String source, int index, ObjectNode object) {
    List<Finding> findings = new ArrayList<>();
    CrdSchemas.Definition definition = definition(source, index, object, findings);
    if (definition == null) {
      return findings;
    }
    checkMetadata(source, index, object, definition, findings);
    if (object.has("status")) {
      findings.add(Finding.warning(source, index, "status",
          "ignored when applied: the status subresource is written by the operator and the node daemon only"));
    }
    List<StructuralSchemaValidator.Violation> violations = schemaValidator.validate(definition.schema(), object);
    violations.forEach(v -> findings.add(Finding.error(source, index, v.field().isEmpty() ? null : v.field(), v.reason())));
    if (violations.isEmpty() && definition.kind().equals("SchedulingPolicy")) {
      checkPolicySemantics(source, index, object, findings);
    }
    return findings;
  }

  private CrdSchemas.Definition definition(String source, int index, ObjectNode object, List<Finding> findings) {
    String apiVersion = text(object.get("apiVersion"));
    String kind = text(object.get("kind"));
    if (apiVersion == null) {
      findings.add(Finding.error(source, index, "apiVersion", object.has("apiVersion") ? "must be a string" : "Required value"));
    }
    if (kind == null) {
      findings.add(Finding.error(source, index, "kind", object.has("kind") ? "must be a string" : "Required value"));
      return null;
    }
    CrdSchemas.Definition definition = schemas.forKind(kind).orElse(null);
    if (definition == null) {
      findings.add(Finding.error(source, index, "kind", "unknown kind \"" + kind + "\", expected one of "
          + schemas.definitions().stream().map(CrdSchemas.Definition::kind).collect(Collectors.joining(", "))));
      return null;
    }
    if (apiVersion != null && !apiVersion.equals(definition.apiVersion())) {
      findings.add(Finding.error(source, index, "apiVersion", "unsupported apiVersion \"" + apiVersion
          + "\" for kind " + kind + ", expected " + definition.apiVersion()));
      return null;
    }
    return apiVersion == null ? null : definition;
  }

  private static void checkMetadata(String source, int index, ObjectNode object, CrdSchemas.Definition definition,
      List<Finding> findings) {
    JsonNode metadata = object.get("metadata");
    if (metadata == null || !metadata.isObject()) {
      findings.add(Finding.error(source, index, "metadata", metadata == null ? "Required value" : "must be an object"));
      return;
    }
    String name = text(metadata.get("name"));
    if (name == null && text(metadata.get("generateName")) == null) {
      findings.add(Finding.error(source, index, "metadata.name", "Required value"));
    } else if (name != null && (name.length() > MAX_NAME_LENGTH || !DNS_SUBDOMAIN.matcher(name).matches())) {
      findings.add(Finding.error(source, index, "metadata.name", "\"" + brief(name) + "\" must be a lowercase RFC 1123"
          + " subdomain: at most 253 characters, a-z, 0-9, '-' and '.', starting and ending alphanumeric"));
    }
    if (definition.clusterScoped() && metadata.has("namespace")) {
      findings.add(Finding.warning(source, index, "metadata.namespace", definition.kind()
          + " is cluster-scoped: the API server drops the namespace"));
    }
  }

  private void checkPolicySemantics(String source, int index, ObjectNode object, List<Finding> findings) {
    SchedulingPolicy policy;
    try {
      policy = json.treeToValue(object, SchedulingPolicy.class);
    } catch (Exception e) {
      // the schema accepted the object, so this means the Java types and the CRD disagree
      findings.add(Finding.error(source, index, null, "the operator cannot read this policy: " + e.getMessage()));
      return;
    }
    if (PolicyCompiler.compile(policy) instanceof CompiledPolicy.Invalid invalid) {
      for (FieldError error : invalid.errors()) {
        findings.add(Finding.error(source, index, error.field(), error.reason()));
      }
    }
  }

  private static String text(JsonNode node) {
    return node != null && node.isTextual() ? node.asText() : null;
  }

  private static String brief(String text) {
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }
}
