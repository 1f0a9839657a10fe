package io.jthulhu.node.plan;

import io.jthulhu.crd.NodeSchedulingPlan;

/**
 * Receives this node's plan from a {@link PlanSource}. A source calls its listener from one of its own
 * threads, one call at a time; implementations should hand the work off rather than block for long.
 */
public interface PlanListener {
  /** A new or changed plan (spec or metadata.generation changed). Deleting the plan delivers one with no pods. */
  void planReceived(NodeSchedulingPlan plan);

  /** The source cannot be read now; the daemon keeps the plan it has (fail-static). Repeated reasons are not re-sent. */
  void planSourceUnavailable(String reason);

  /**
   * The source can be read again after {@link #planSourceUnavailable}. Called before any plan the
   * recovered source delivers; if the plan did not change meanwhile, this is the only call.
   */
  default void planSourceAvailable() {
  }
}
