package io.jthulhu.crd;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.Objects;

/** The selectors' schema comes from {@link LabelSelectorSchema}, which adds the selector rules as CEL. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class SchedulingPolicySpec {
  public static final int MIN_PRIORITY = 0;
  public static final int MAX_PRIORITY = 1_000_000;

  @JsonPropertyDescription("Pods this policy selects. Empty or absent selects every pod.")
  @SchemaFrom(type = LabelSelectorSchema.class)
  private LabelSelector podSelector;

  @JsonPropertyDescription("Namespaces whose pods this policy may select, by namespace labels. Empty or absent selects every namespace.")
  @SchemaFrom(type = LabelSelectorSchema.class)
  private LabelSelector namespaceSelector;

  @JsonPropertyDescription("Nodes this policy applies on, by node labels. Absent applies on every node.")
  @SchemaFrom(type = LabelSelectorSchema.class)
  private LabelSelector nodeSelector;

  @JsonPropertyDescription("When several policies select the same pod the highest priority wins; on equal priority the name that sorts first wins and both report Conflicting.")
  @Min(MIN_PRIORITY)
  @Max(MAX_PRIORITY)
  @Default("0")
  private Integer priority;

  @JsonPropertyDescription("Enforce applies the policy; Audit only resolves and reports what would apply.")
  @Default("Enforce")
  private PolicyMode mode;

  @JsonPropertyDescription("Scheduling parameters given to the selected pods.")
  @Required
  private SchedulingParameters scheduling;

  /** Set instead of the fields when the stored spec could not be read (see {@link SchedulingPolicy.SpecReader}). */
  @JsonIgnore
  private UnreadableField unreadable;

  /**
   * A spec standing for a stored one these types cannot read; it selects nothing. It exists only in
   * memory: a copy made through JSON reads as an empty spec.
   */
  public static SchedulingPolicySpec unreadable(UnreadableField problem) {
    SchedulingPolicySpec spec = new SchedulingPolicySpec();
    spec.unreadable = problem;
    return spec;
  }

  /** Why the stored spec could not be read, or null when it was read. */
  public UnreadableField unreadable() {
    return unreadable;
  }

  public LabelSelector getPodSelector() {
    return podSelector;
  }

  public void setPodSelector(LabelSelector podSelector) {
    this.podSelector = podSelector;
  }

  public LabelSelector getNamespaceSelector() {
    return namespaceSelector;
  }

  public void setNamespaceSelector(LabelSelector namespaceSelector) {
    this.namespaceSelector = namespaceSelector;
  }

  public LabelSelector getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(LabelSelector nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public Integer getPriority() {
    return priority;
  }

  public void setPriority(Integer priority) {
    this.priority = priority;
  }

  public PolicyMode getMode() {
    return mode;
  }

  public void setMode(PolicyMode mode) {
    this.mode = mode;
  }

  public SchedulingParameters getScheduling() {
    return scheduling;
  }

  public void setScheduling(SchedulingParameters scheduling) {
    this.scheduling = scheduling;
  }

  /** The priority with the schema default applied (the API server fills it; clients that skip it get the same). */
  public int effectivePriority() {
    return priority == null ? 0 : priority;
  }

  public PolicyMode effectiveMode() {
    return mode == null ? PolicyMode.Enforce : mode;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SchedulingPolicySpec other
        && Objects.equals(podSelector, other.podSelector)
        && Objects.equals(namespaceSelector, other.namespaceSelector)
        && Objects.equals(nodeSelector, other.nodeSelector)
        && Objects.equals(priority, other.priority)
        && mode == other.mode
        && Objects.equals(scheduling, other.scheduling)
        && Objects.equals(unreadable, other.unreadable);
  }

  @Override
  public int hashCode() {
    return Objects.hash(podSelector, namespaceSelector, nodeSelector, priority, mode, scheduling, unreadable);
  }
}
