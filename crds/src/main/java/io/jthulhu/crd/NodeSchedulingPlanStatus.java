package io.jthulhu.crd;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Written by the node daemon through the status subresource. Read leniently: a status written by a
 * newer daemon (unknown fields, unknown enum values) must not break an older reader, so unknown
 * fields are ignored and unknown enum values read as null.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class NodeSchedulingPlanStatus {
  /** Condition type: the scheduler is attached and the plan in force is applied. */
  public static final String CONDITION_READY = "Ready";
  /** Condition type: the node's kernel has sched_ext. */
  public static final String CONDITION_KERNEL_SUPPORTED = "KernelSupported";
  /** Condition type: every pod of the observed plan generation is applied. */
  public static final String CONDITION_PLAN_APPLIED = "PlanApplied";

  @JsonPropertyDescription("metadata.generation of the plan the daemon last acted on.")
  private Long observedGeneration;

  @JsonPropertyDescription("Number of pods of spec.pods whose tasks the scheduler is applying the plan to.")
  private Integer appliedPods;

  @JsonPropertyDescription("Pods of spec.pods the daemon could not apply, with the reason (e.g. no cgroup found yet).")
  private List<UnresolvedPod> unresolvedPods = new ArrayList<>();

  @JsonPropertyDescription("State of the sched_ext scheduler on the node.")
  @JsonFormat(with = JsonFormat.Feature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
  private SchedulerState schedulerState;

  @JsonPropertyDescription("Whether the node's kernel can run the scheduler (sched_ext present).")
  @JsonFormat(with = JsonFormat.Feature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
  private KernelSupport kernelSupport;

  @JsonPropertyDescription("Kernel release reported by the node.")
  private String kernelVersion;

  @JsonPropertyDescription("Name of the sched_ext scheduler the daemon attached (sched_ext_ops.name).")
  private String opsName;

  @JsonPropertyDescription("Times the daemon re-attached the scheduler after the kernel ejected it, since the daemon started.")
  private Integer restarts;

  @JsonPropertyDescription("Why the kernel last ejected the scheduler (the sched_ext exit reason), if it did.")
  private String lastExitReason;

  @JsonPropertyDescription("True when the plan in force is the node's stored copy because the plan source cannot be read.")
  private Boolean failStatic;

  @JsonPropertyDescription("Where the daemon reads its plan from: kubernetes, or file:<path> in standalone mode.")
  private String planSource;

  @JsonPropertyDescription("Conditions: Ready, KernelSupported and PlanApplied.")
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

  public String getOpsName() {
    return opsName;
  }

  public void setOpsName(String opsName) {
    this.opsName = opsName;
  }

  public Integer getRestarts() {
    return restarts;
  }

  public void setRestarts(Integer restarts) {
    this.restarts = restarts;
  }

  public String getLastExitReason() {
    return lastExitReason;
  }

  public void setLastExitReason(String lastExitReason) {
    this.lastExitReason = lastExitReason;
  }

  public Boolean getFailStatic() {
    return failStatic;
  }

  public void setFailStatic(Boolean failStatic) {
    this.failStatic = failStatic;
  }

  public String getPlanSource() {
    return planSource;
  }

  public void setPlanSource(String planSource) {
    this.planSource = planSource;
  }

  /** The condition of this type, if set. */
  public Optional<Condition> condition(String type) {
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /**
   * Sets the condition of this type, replacing an earlier one. lastTransitionTime is kept from the
   * condition it replaces (here or in {@code previous}) while the status value is unchanged, so that an
   * unchanged report serializes identically and compare-before-write sees it as equal.
   */
  public NodeSchedulingPlanStatus setCondition(String type, boolean status, String reason, String message,
      NodeSchedulingPlanStatus previous, String now) {
    String value = status ? "True" : "False";
    Condition before = condition(type)
        .or(() -> previous == null ? Optional.empty() : previous.condition(type))
        .orElse(null);
    String transition = before != null && Objects.equals(before.getStatus(), value) && before.getLastTransitionTime() != null
        ? before.getLastTransitionTime() : now;
    Condition condition = new ConditionBuilder().withType(type).withStatus(value).withReason(reason)
        .withMessage(message).withObservedGeneration(observedGeneration).withLastTransitionTime(transition).build();
    List<Condition> updated = new ArrayList<>(conditions);
    updated.removeIf(c -> type.equals(c.getType()));
    updated.add(condition);
    conditions = updated;
    return this;
  }
}
