package io.jthulhu.crd;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/**
 * Scheduling parameters with every default resolved: what the node daemon applies to a pod. A class
 * this build does not know (written by a newer operator) reads as null, which the daemon reports as an
 * unresolved pod instead of failing to read the whole plan.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public class EffectiveScheduling {
  @JsonProperty("class")
  @Required
  @JsonFormat(with = JsonFormat.Feature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
  private SchedulingClass schedulingClass;

  @Required
  private int weight;

  @Required
  @JsonPropertyDescription("Time slice in microseconds.")
  private long sliceMicros;

  @Required
  private boolean preempt;

  public EffectiveScheduling() {
  }

  public EffectiveScheduling(SchedulingClass schedulingClass, int weight, long sliceMicros, boolean preempt) {
    this.schedulingClass = schedulingClass;
    this.weight = weight;
    this.sliceMicros = sliceMicros;
    this.preempt = preempt;
  }

  public SchedulingClass getSchedulingClass() {
    return schedulingClass;
  }

  public void setSchedulingClass(SchedulingClass schedulingClass) {
    this.schedulingClass = schedulingClass;
  }

  public int getWeight() {
    return weight;
  }

  public void setWeight(int weight) {
    this.weight = weight;
  }

  public long getSliceMicros() {
    return sliceMicros;
  }

  public void setSliceMicros(long sliceMicros) {
    this.sliceMicros = sliceMicros;
  }

  public boolean isPreempt() {
    return preempt;
  }

  public void setPreempt(boolean preempt) {
    this.preempt = preempt;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EffectiveScheduling other
        && schedulingClass == other.schedulingClass
        && weight == other.weight
        && sliceMicros == other.sliceMicros
        && preempt == other.preempt;
  }

  @Override
  public int hashCode() {
    return Objects.hash(schedulingClass, weight, sliceMicros, preempt);
  }

  @Override
  public String toString() {
    return schedulingClass + "/w" + weight + "/" + sliceMicros + "us" + (preempt ? "/preempt" : "");
  }
}
