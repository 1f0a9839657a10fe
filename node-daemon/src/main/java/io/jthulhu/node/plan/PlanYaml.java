package io.jthulhu.node.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.NodeSchedulingPlanSpec;
import java.nio.file.Path;

/** Reads and writes NodeSchedulingPlan YAML for the file source and the store, with errors that name file and field. */
final class PlanYaml {
  /** jthulhu.io/v1alpha1 today: taken from the type so that a version bump cannot leave the file format behind. */
  static final String API_VERSION = HasMetadata.getApiVersion(NodeSchedulingPlan.class);
  static final String KIND = HasMetadata.getKind(NodeSchedulingPlan.class);
  /** Fabric8's mapper: the same reading (unknown fields ignored by the crds types) as plans from the API server. */
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private PlanYaml() {
  }

  /** A plan file that cannot be used, with a message that names the file. */
  static final class PlanFormatException extends Exception {
    PlanFormatException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Parses one plan. A plan without metadata.generation counts as generation 1: hand-written files
   * rarely carry one, and status.observedGeneration needs a number to compare against.
   */
  static NodeSchedulingPlan parse(String text, Path origin) throws PlanFormatException {
    JsonNode tree;
    try {
      tree = SERIALIZATION.unmarshal(text, JsonNode.class);
    } catch (RuntimeException e) {
      throw new PlanFormatException("plan file " + origin + " cannot be parsed: " + describe(e), e);
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      throw new PlanFormatException("plan file " + origin + " is empty", null);
    }
    // Checked on the tree: the typed object always reports its own kind and apiVersion, whatever the file says.
    String apiVersion = tree.path("apiVersion").asText(null);
    String kind = tree.path("kind").asText(null);
    if (!API_VERSION.equals(apiVersion) || !KIND.equals(kind)) {
      throw new PlanFormatException("plan file " + origin + " holds " + apiVersion + "/" + kind
          + ", not " + API_VERSION + "/" + KIND, null);
    }
    NodeSchedulingPlan plan;
    try {
      plan = SERIALIZATION.convertValue(tree, NodeSchedulingPlan.class);
    } catch (RuntimeException e) {
      throw new PlanFormatException("plan file " + origin + " cannot be parsed: " + describe(e), e);
    }
    NodeSchedulingPlanSpec spec = plan.getSpec();
    if (spec == null) {
      throw new PlanFormatException("plan file " + origin + " has no spec", null);
    }
    if (plan.getMetadata() == null) {
      plan.setMetadata(new ObjectMeta());
    }
    if (plan.getMetadata().getGeneration() == null) {
      plan.getMetadata().setGeneration(1L);
    }
    return plan;
  }

  static String toYaml(NodeSchedulingPlan plan) {
    return SERIALIZATION.asYaml(plan);
  }

  /** One line (reasons go into logs and status): Jackson names the field path ("spec.pods[0].weight") when it knows it. */
  private static String describe(Throwable e) {
    return describeMultiline(e).replaceAll("\\s*\\R\\s*", " ").strip();
  }

  private static String describeMultiline(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
        return "field " + fieldPath(mapping) + ": " + mapping.getOriginalMessage();
      }
      if (t instanceof JsonProcessingException processing) {
        return processing.getOriginalMessage()
            + (processing.getLocation() == null ? "" : " at line " + processing.getLocation().getLineNr());
      }
    }
    return String.valueOf(e.getMessage());
  }

  private static String fieldPath(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }
}
