package io.jthulhu.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SchedulingPolicyStatus {
  @JsonPropertyDescription("metadata.generation this status was computed for.")
  private Long observedGeneration;

  @JsonPropertyDescription("Conditions: Valid, Conflicting, Applied, Degraded.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Pods this policy wins (for an Audit policy: pods it would win if enforced).")
  private Integer matchedPods;

  @JsonPropertyDescription("Per-node outcome, aggregated from the NodeSchedulingPlan reports.")
  private NodeCounts nodes;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions == null ? new ArrayList<>() : conditions;
  }

  public Integer getMatchedPods() {
    return matchedPods;
  }

  public void setMatchedPods(Integer matchedPods) {
    this.matchedPods = matchedPods;
  }

  public NodeCounts getNodes() {
    return nodes;
  }

  public void setNodes(NodeCounts nodes) {
    this.nodes = nodes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SchedulingPolicyStatus other
        && Objects.equals(observedGeneration, other.observedGeneration)
        && Objects.equals(conditions, other.conditions)
        && Objects.equals(matchedPods, other.matchedPods)
        && Objects.equals(nodes, other.nodes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, conditions, matchedPods, nodes);
  }
}
