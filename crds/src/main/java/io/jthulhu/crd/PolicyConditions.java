package io.jthulhu.crd;

/** Condition types and reasons of SchedulingPolicy status, shared by the operator and clients. */
public final class PolicyConditions {
  public static final String VALID = "Valid";
  public static final String CONFLICTING = "Conflicting";
  public static final String APPLIED = "Applied";
  public static final String DEGRADED = "Degraded";

  public static final String REASON_VALID = "SpecValid";
  public static final String REASON_INVALID = "InvalidSpec";
  public static final String REASON_NO_CONFLICT = "NoOverlap";
  public static final String REASON_EQUAL_PRIORITY = "EqualPriorityOverlap";
  public static final String REASON_ALL_APPLIED = "AllNodesApplied";
  public static final String REASON_PARTIALLY_APPLIED = "PartiallyApplied";
  public static final String REASON_NO_PODS = "NoMatchingPods";
  public static final String REASON_AUDIT = "AuditMode";
  public static final String REASON_NODE_FAILURES = "NodeFailures";
  public static final String REASON_HEALTHY = "NoFailures";

  private PolicyConditions() {
  }
}
