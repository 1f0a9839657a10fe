package io.jthulhu.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Written by the node daemon through the status subresource. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeSchedulingPlanStatus {
  @JsonPropertyDescription("metadata.generation of the plan the daemon last acted on.")
  private Long observedGeneration;

  @JsonPropertyDescription("Number of pods of spec.pods whose tasks the scheduler is applying the plan to.")
  private Integer appliedPods;

  @JsonPropertyDescription("Pods of spec.pods the daemon could not apply, with the reason (e.g. no cgroup found yet).")
  private List<UnresolvedPod> unresolvedPods = new ArrayList<>();

  @JsonPropertyDescription("State of the sched_ext scheduler on the node.")
  private SchedulerState schedulerState;

  @JsonPropertyDescription("Whether the node's kernel can run the scheduler (sched_ext present).")
  private KernelSupport kernelSupport;

  @JsonPropertyDescription("Kernel release reported by the node.")
  private String kernelVersion;

  @JsonPropertyDescription("Conditions such as Ready and Degraded.")
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Integer getAppliedPods() {
    return appliedPods;
  }

  public void setAppliedPods(Integer appliedPods) {
    this.appliedPods = appliedPods;
  }

  public List<UnresolvedPod> getUnresolvedPods() {
    return unresolvedPods;
  }

  public void setUnresolvedPods(List<UnresolvedPod> unresolvedPods) {
    this.unresolvedPods = unresolvedPods == null ? new ArrayList<>() : unresolvedPods;
  }

  public SchedulerState getSchedulerState() {
    return schedulerState;
  }

  public void setSchedulerState(SchedulerState schedulerState) {
    this.schedulerState = schedulerState;
  }

  public KernelSupport getKernelSupport() {
    return kernelSupport;
  }

  public void setKernelSupport(KernelSupport kernelSupport) {
    this.kernelSupport = kernelSupport;
  }

  public String getKernelVersion() {
    return kernelVersion;
  }

  public void setKernelVersion(String kernelVersion) {
    this.kernelVersion = kernelVersion;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions == null ? new ArrayList<>() : conditions;
  }
}
