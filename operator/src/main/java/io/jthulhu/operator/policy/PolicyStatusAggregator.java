package io.jthulhu.operator.policy;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.jthulhu.crd.KernelSupport;
import io.jthulhu.crd.NodeCounts;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.NodeSchedulingPlanStatus;
import io.jthulhu.crd.PodAssignment;
import io.jthulhu.crd.PolicyConditions;
import io.jthulhu.crd.PolicyMode;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.crd.SchedulingPolicyStatus;
import io.jthulhu.crd.UnresolvedPod;
import io.jthulhu.operator.validation.CompiledPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Computes a policy's status from its validity and the plans that mention it: matched pods, per-node
 * outcome from the daemons' reports, and the four conditions. Pure: times come from the caller.
 */
public final class PolicyStatusAggregator {
  private static final int NAMES_IN_MESSAGES = 5;

  private PolicyStatusAggregator() {
  }

  public static SchedulingPolicyStatus aggregate(SchedulingPolicy policy, CompiledPolicy compiled,
      Collection<NodeSchedulingPlan> plans, SchedulingPolicyStatus previous, String now) {
    String name = policy.getMetadata().getName();
    Long generation = policy.getMetadata().getGeneration();
    List<Condition> conditions = new ArrayList<>();
    SchedulingPolicyStatus status = new SchedulingPolicyStatus();
    status.setObservedGeneration(generation);

    if (compiled instanceof CompiledPolicy.Invalid invalid) {
      conditions.add(condition(PolicyConditions.VALID, false, PolicyConditions.REASON_INVALID, invalid.message(), generation));
      conditions.add(condition(PolicyConditions.CONFLICTING, false, PolicyConditions.REASON_NO_CONFLICT,
          "an invalid policy selects no pods", generation));
      conditions.add(condition(PolicyConditions.APPLIED, false, PolicyConditions.REASON_INVALID,
          "not applied anywhere: " + invalid.message(), generation));
      conditions.add(condition(PolicyConditions.DEGRADED, false, PolicyConditions.REASON_HEALTHY, "no node reports", generation));
      status.setMatchedPods(0);
      status.setNodes(new NodeCounts());
      status.setConditions(withTransitionTimes(conditions, previous, now));
      return status;
    }
    boolean audit = policy.getSpec().effectiveMode() == PolicyMode.Audit;
    conditions.add(condition(PolicyConditions.VALID, true, PolicyConditions.REASON_VALID, "spec is valid", generation));

    int matched = 0;
    int targeted = 0;
    int applied = 0;
    int pending = 0;
    SortedSet<String> failedNodes = new TreeSet<>();
    SortedSet<String> unsupportedNodes = new TreeSet<>();
    SortedSet<String> conflicts = new TreeSet<>();
    for (NodeSchedulingPlan plan : plans) {
      if (plan.getSpec() == null) {
        continue;
      }
      List<PodAssignment> mine = new ArrayList<>();
      for (List<PodAssignment> list : List.of(plan.getSpec().getPods(), plan.getSpec().getAuditedPods())) {
        for (PodAssignment entry : list) {
          if (entry.getPolicy().equals(name)) {
            conflicts.addAll(entry.getConflictsWith());
          } else if (entry.getConflictsWith().contains(name)) {
            conflicts.add(entry.getPolicy());
          }
        }
      }
      for (PodAssignment entry : audit ? plan.getSpec().getAuditedPods() : plan.getSpec().getPods()) {
        if (entry.getPolicy().equals(name)) {
          mine.add(entry);
        }
      }
      if (mine.isEmpty()) {
        continue;
      }
      matched += mine.size();
      targeted++;
      if (audit) {
        continue;
      }
      switch (outcome(plan, mine)) {
        case APPLIED -> applied++;
        case PENDING -> pending++;
        case FAILED -> failedNodes.add(plan.getMetadata().getName());
        case UNSUPPORTED -> unsupportedNodes.add(plan.getMetadata().getName());
      }
    }
    status.setMatchedPods(matched);
    status.setNodes(new NodeCounts(targeted, applied, pending, failedNodes.size(), unsupportedNodes.size()));

    if (conflicts.isEmpty()) {
      conditions.add(condition(PolicyConditions.CONFLICTING, false, PolicyConditions.REASON_NO_CONFLICT,
          "no policy of equal priority selects the same pods", generation));
    } else {
      String winnerNote = conflicts.first().compareTo(name) < 0
          ? "; " + conflicts.first() + " sorts first and wins the shared pods"
          : "; this policy sorts first and wins the shared pods";
      conditions.add(condition(PolicyConditions.CONFLICTING, true, PolicyConditions.REASON_EQUAL_PRIORITY,
          "selects the same pods as " + String.join(", ", conflicts) + " at equal priority "
              + policy.getSpec().effectivePriority() + winnerNote, generation));
    }
    conditions.add(appliedCondition(audit, matched, targeted, applied, pending, failedNodes.size(),
        unsupportedNodes.size(), generation));
    if (failedNodes.isEmpty() && unsupportedNodes.isEmpty()) {
      conditions.add(condition(PolicyConditions.DEGRADED, false, PolicyConditions.REASON_HEALTHY,
          "no node reported a failure", generation));
    } else {
      List<String> parts = new ArrayList<>();
      if (!failedNodes.isEmpty()) {
        parts.add(failedNodes.size() + " node(s) could not apply it: " + names(failedNodes));
      }
      if (!unsupportedNodes.isEmpty()) {
        parts.add(unsupportedNodes.size() + " node(s) have a kernel without sched_ext: " + names(unsupportedNodes));
      }
      conditions.add(condition(PolicyConditions.DEGRADED, true, PolicyConditions.REASON_NODE_FAILURES,
          String.join("; ", parts), generation));
    }
    status.setConditions(withTransitionTimes(conditions, previous, now));
    return status;
  }

  private enum Outcome { APPLIED, PENDING, FAILED, UNSUPPORTED }

  private static Outcome outcome(NodeSchedulingPlan plan, List<PodAssignment> mine) {
    NodeSchedulingPlanStatus report = plan.getStatus();
    Long generation = plan.getMetadata().getGeneration();
    if (report == null) {
      return Outcome.PENDING;
    }
    if (report.getKernelSupport() == KernelSupport.Unsupported) {
      return Outcome.UNSUPPORTED;
    }
    if (report.getObservedGeneration() == null || generation == null || report.getObservedGeneration() < generation) {
      return Outcome.PENDING;
    }
    Set<String> unresolved = report.getUnresolvedPods().stream().map(UnresolvedPod::getPodUid).collect(Collectors.toSet());
    return mine.stream().anyMatch(entry -> unresolved.contains(entry.getPodUid())) ? Outcome.FAILED : Outcome.APPLIED;
  }

  private static Condition appliedCondition(boolean audit, int matched, int targeted, int applied, int pending,
      int failed, int unsupported, Long generation) {
    if (audit) {
      return condition(PolicyConditions.APPLIED, false, PolicyConditions.REASON_AUDIT,
          "Audit mode: would apply to " + matched + " pod(s) on " + targeted + " node(s); nothing is applied", generation);
    }
    if (targeted == 0) {
      return condition(PolicyConditions.APPLIED, false, PolicyConditions.REASON_NO_PODS,
          "no running pod is won by this policy", generation);
    }
    String summary = applied + " of " + targeted + " nodes applied";
    if (applied == targeted) {
      return condition(PolicyConditions.APPLIED, true, PolicyConditions.REASON_ALL_APPLIED, summary, generation);
    }
    return condition(PolicyConditions.APPLIED, false, PolicyConditions.REASON_PARTIALLY_APPLIED,
        summary + ", " + pending + " pending, " + failed + " failed, " + unsupported + " unsupported kernel", generation);
  }

  private static String names(SortedSet<String> nodes) {
    String shown = nodes.stream().limit(NAMES_IN_MESSAGES).collect(Collectors.joining(", "));
    return nodes.size() > NAMES_IN_MESSAGES ? shown + ", ..." : shown;
  }

  private static Condition condition(String type, boolean status, String reason, String message, Long generation) {
    return new ConditionBuilder().withType(type).withStatus(status ? "True" : "False")
        .withReason(reason).withMessage(message).withObservedGeneration(generation).build();
  }

  /** Keeps a condition's lastTransitionTime while its status stays the same, as Kubernetes conventions ask. */
  private static List<Condition> withTransitionTimes(List<Condition> conditions, SchedulingPolicyStatus previous, String now) {
    for (Condition condition : conditions) {
      Condition before = previous == null ? null : previous.getConditions().stream()
          .filter(c -> c.getType().equals(condition.getType())).findFirst().orElse(null);
      condition.setLastTransitionTime(before != null && Objects.equals(before.getStatus(), condition.getStatus())
          ? before.getLastTransitionTime() : now);
    }
    return conditions;
  }
}
