package io.jthulhu.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** One pod and the policy that won it. */
@JsonIgnoreProperties(ignoreUnknown = true)
public class PodAssignment {
  @Required
  private String podUid;
  @Required
  private String namespace;
  @Required
  private String name;
  @Required
  @JsonPropertyDescription("Name of the winning SchedulingPolicy.")
  private String policy;
  @Required
  @JsonPropertyDescription("metadata.generation of the winning policy this entry was resolved from.")
  private long policyGeneration;
  @Required
  private EffectiveScheduling scheduling;
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonPropertyDescription("Policies of equal priority that also select this pod and lost on name order.")
  private List<String> conflictsWith = new ArrayList<>();

  public PodAssignment() {
  }

  public PodAssignment(String podUid, String namespace, String name, String policy, long policyGeneration,
      EffectiveScheduling scheduling, List<String> conflictsWith) {
    this.podUid = podUid;
    this.namespace = namespace;
    this.name = name;
    this.policy = policy;
    this.policyGeneration = policyGeneration;
    this.scheduling = scheduling;
    this.conflictsWith = conflictsWith;
  }

  public String getPodUid() {
    return podUid;
  }

  public void setPodUid(String podUid) {
    this.podUid = podUid;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getPolicy() {
    return policy;
  }

  public void setPolicy(String policy) {
    this.policy = policy;
  }

  public long getPolicyGeneration() {
    return policyGeneration;
  }

  public void setPolicyGeneration(long policyGeneration) {
    this.policyGeneration = policyGeneration;
  }

  public EffectiveScheduling getScheduling() {
    return scheduling;
  }

  public void setScheduling(EffectiveScheduling scheduling) {
    this.scheduling = scheduling;
  }

  public List<String> getConflictsWith() {
    return conflictsWith;
  }

  public void setConflictsWith(List<String> conflictsWith) {
    this.conflictsWith = conflictsWith == null ? new ArrayList<>() : conflictsWith;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PodAssignment other
        && policyGeneration == other.policyGeneration
        && Objects.equals(podUid, other.podUid)
        && Objects.equals(namespace, other.namespace)
        && Objects.equals(name, other.name)
        && Objects.equals(policy, other.policy)
        && Objects.equals(scheduling, other.scheduling)
        && Objects.equals(conflictsWith, other.conflictsWith);
  }

  @Override
  public int hashCode() {
    return Objects.hash(podUid, namespace, name, policy, policyGeneration, scheduling, conflictsWith);
  }

  @Override
  public String toString() {
    return namespace + "/" + name + "(" + podUid + ")->" + policy + "@" + policyGeneration + " " + scheduling
        + (conflictsWith.isEmpty() ? "" : " conflicts" + conflictsWith);
  }
}
