package io.jthulhu.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** How many nodes a policy targets and what their daemons reported. */
@JsonIgnoreProperties(ignoreUnknown = true)
public class NodeCounts {
  @JsonPropertyDescription("Nodes with at least one pod this policy wins.")
  private int targeted;
  @JsonPropertyDescription("Targeted nodes whose daemon applied the current plan to all of this policy's pods.")
  private int applied;
  @JsonPropertyDescription("Targeted nodes whose daemon has not yet reported the current plan.")
  private int pending;
  @JsonPropertyDescription("Targeted nodes that reported at least one of this policy's pods as unresolved.")
  private int failed;
  @JsonPropertyDescription("Targeted nodes whose kernel has no sched_ext.")
  private int unsupported;

  public NodeCounts() {
  }

  public NodeCounts(int targeted, int applied, int pending, int failed, int unsupported) {
    this.targeted = targeted;
    this.applied = applied;
    this.pending = pending;
    this.failed = failed;
    this.unsupported = unsupported;
  }

  public int getTargeted() {
    return targeted;
  }

  public void setTargeted(int targeted) {
    this.targeted = targeted;
  }

  public int getApplied() {
    return applied;
  }

  public void setApplied(int applied) {
    this.applied = applied;
  }

  public int getPending() {
    return pending;
  }

  public void setPending(int pending) {
    this.pending = pending;
  }

  public int getFailed() {
    return failed;
  }

  public void setFailed(int failed) {
    this.failed = failed;
  }

  public int getUnsupported() {
    return unsupported;
  }

  public void setUnsupported(int unsupported) {
    this.unsupported = unsupported;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeCounts other
        && targeted == other.targeted
        && applied == other.applied
        && pending == other.pending
        && failed == other.failed
        && unsupported == other.unsupported;
  }

  @Override
  public int hashCode() {
    return Objects.hash(targeted, applied, pending, failed, unsupported);
  }

  @Override
  public String toString() {
    return targeted + " targeted, " + applied + " applied, " + pending + " pending, " + failed + " failed, "
        + unsupported + " unsupported";
  }
}
