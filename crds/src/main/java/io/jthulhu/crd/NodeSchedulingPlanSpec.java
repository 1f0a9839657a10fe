package io.jthulhu.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonIgnoreProperties(ignoreUnknown = true)
public class NodeSchedulingPlanSpec {
  @Required
  @JsonPropertyDescription("The node this plan is for (equal to metadata.name).")
  private String nodeName;

  @JsonPropertyDescription("Pods on this node selected by an Enforce policy, sorted by namespace and name: the daemon applies these.")
  private List<PodAssignment> pods = new ArrayList<>();

  @JsonPropertyDescription("Pods on this node an Audit policy would win if it were enforced: reported only, never applied.")
  private List<PodAssignment> auditedPods = new ArrayList<>();

  public NodeSchedulingPlanSpec() {
  }

  public NodeSchedulingPlanSpec(String nodeName, List<PodAssignment> pods, List<PodAssignment> auditedPods) {
    this.nodeName = nodeName;
    this.pods = pods;
    this.auditedPods = auditedPods;
  }

  public String getNodeName() {
    return nodeName;
  }

  public void setNodeName(String nodeName) {
    this.nodeName = nodeName;
  }

  public List<PodAssignment> getPods() {
    return pods;
  }

  public void setPods(List<PodAssignment> pods) {
    this.pods = pods == null ? new ArrayList<>() : pods;
  }

  public List<PodAssignment> getAuditedPods() {
    return auditedPods;
  }

  public void setAuditedPods(List<PodAssignment> auditedPods) {
    this.auditedPods = auditedPods == null ? new ArrayList<>() : auditedPods;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeSchedulingPlanSpec other
        && Objects.equals(nodeName, other.nodeName)
        && Objects.equals(pods, other.pods)
        && Objects.equals(auditedPods, other.auditedPods);
  }

  @Override
  public int hashCode() {
    return Objects.hash(nodeName, pods, auditedPods);
  }
}
