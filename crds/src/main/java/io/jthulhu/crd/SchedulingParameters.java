package io.jthulhu.crd;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * What a policy asks of the node scheduler. New optional fields (e.g. CPU confinement) can be added
 * here without breaking existing objects: every field but {@code class} is optional.
 *
 * <p>Slice bounds: below 100 µs a slice costs more in scheduler round-trips (kernel to the user-space
 * scheduler and back, tens of µs) than it runs; above 100 ms one task can hold a CPU for longer than
 * interactive work tolerates and than the kernel's own defaults (CFS latency ~24 ms, sched_ext 20 ms).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self['class'] != 'Idle' || !has(self.preempt) || !self.preempt",
    message = "preempt: the Idle class cannot preempt other tasks",
    reason = "FieldValueInvalid",
    fieldPath = ".preempt")
@ValidationRule(
    value = "self['class'] != 'LatencyCritical' || !has(self.sliceMicros) || self.sliceMicros <= 20000",
    message = "sliceMicros: LatencyCritical requires a slice of at most 20000 microseconds",
    reason = "FieldValueInvalid",
    fieldPath = ".sliceMicros")
public class SchedulingParameters {
  public static final int MIN_WEIGHT = 1;
  public static final int MAX_WEIGHT = 10_000;
  public static final int DEFAULT_WEIGHT = 100;
  public static final long MIN_SLICE_MICROS = 100;
  public static final long MAX_SLICE_MICROS = 100_000;
  public static final long MAX_LATENCY_CRITICAL_SLICE_MICROS = 20_000;

  @JsonProperty("class")
  @JsonPropertyDescription("Scheduling class of the selected pods.")
  @Required
  private SchedulingClass schedulingClass;

  @JsonPropertyDescription("Relative CPU share within the class (like cgroup cpu.weight).")
  @Min(MIN_WEIGHT)
  @Max(MAX_WEIGHT)
  @Default("100")
  private Integer weight;

  @JsonPropertyDescription("Time slice in microseconds (100-100000). Default by class: LatencyCritical 1000, Normal 5000, Batch and Idle 20000.")
  @Min(MIN_SLICE_MICROS)
  @Max(MAX_SLICE_MICROS)
  private Long sliceMicros;

  @JsonPropertyDescription("Whether a waking task of this class may preempt a running lower-class task. Default: true for LatencyCritical, false otherwise.")
  private Boolean preempt;

  public SchedulingParameters() {
  }

  public SchedulingParameters(SchedulingClass schedulingClass) {
    this.schedulingClass = schedulingClass;
  }

  public SchedulingClass getSchedulingClass() {
    return schedulingClass;
  }

  public void setSchedulingClass(SchedulingClass schedulingClass) {
    this.schedulingClass = schedulingClass;
  }

  public Integer getWeight() {
    return weight;
  }

  public void setWeight(Integer weight) {
    this.weight = weight;
  }

  public Long getSliceMicros() {
    return sliceMicros;
  }

  public void setSliceMicros(Long sliceMicros) {
    this.sliceMicros = sliceMicros;
  }

  public Boolean getPreempt() {
    return preempt;
  }

  public void setPreempt(Boolean preempt) {
    this.preempt = preempt;
  }

  /** The parameters with every default filled in, as the node scheduler applies them. */
  @JsonIgnore
  public EffectiveScheduling effective() {
    return new EffectiveScheduling(
        schedulingClass,
        weight == null ? DEFAULT_WEIGHT : weight,
        sliceMicros == null ? schedulingClass.defaultSliceMicros() : sliceMicros,
        preempt == null ? schedulingClass.defaultPreempt() : preempt);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SchedulingParameters other
        && schedulingClass == other.schedulingClass
        && Objects.equals(weight, other.weight)
        && Objects.equals(sliceMicros, other.sliceMicros)
        && Objects.equals(preempt, other.preempt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(schedulingClass, weight, sliceMicros, preempt);
  }
}
