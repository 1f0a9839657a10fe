package io.jthulhu.operator.resolve;

import io.jthulhu.crd.NodeSchedulingPlanSpec;
import io.jthulhu.crd.PodAssignment;
import io.jthulhu.crd.PolicyMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns policies, pods, namespaces and nodes into one plan per node. Pure and deterministic: the
 * result depends only on the inputs' contents, never on their order.
 *
 * <p>For each resolvable pod, the policies that select it (pod selector, namespace selector and node
 * selector all match) are ranked by {@link PolicyRule#PRECEDENCE}. The first Enforce policy wins the
 * pod for {@code pods}. If the first policy overall is an Audit policy, the pod is also listed in
 * {@code auditedPods} under it: Audit policies never displace what is enforced. Every other selecting
 * policy of the winner's priority is listed in {@code conflictsWith}.
 */
public final class Resolver {
  private static final Comparator<PodAssignment> POD_ORDER = Comparator.comparing(PodAssignment::getNamespace)
      .thenComparing(PodAssignment::getName)
      .thenComparing(PodAssignment::getPodUid);

  private Resolver() {
  }

  /** Plans for every node in {@code state}, keyed and sorted by node name. */
  public static SortedMap<String, NodeSchedulingPlanSpec> resolve(ClusterState state) {
    Map<String, List<PodInfo>> podsByNode = new HashMap<>();
    for (PodInfo pod : state.pods()) {
      if (pod.isResolvable() && state.nodeLabels().containsKey(pod.nodeName())) {
        podsByNode.computeIfAbsent(pod.nodeName(), n -> new ArrayList<>()).add(pod);
      }
    }
    PolicySet policies = new PolicySet(state.policies(), ns -> state.namespaceLabels().getOrDefault(ns, Map.of()));
    SortedMap<String, NodeSchedulingPlanSpec> plans = new TreeMap<>();
    state.nodeLabels().forEach((node, labels) ->
        plans.put(node, resolveNode(policies, node, labels, podsByNode.getOrDefault(node, List.of()))));
    return plans;
  }

  /**
   * The plan of one node from the pods on it. This is what the operator computes on each change of a
   * node, its pods, their namespaces or the policies; {@link #resolve} is this applied to every node.
   */
  public static NodeSchedulingPlanSpec resolveNode(
      PolicySet policies, String node, Map<String, String> nodeLabels, Collection<PodInfo> podsOnNode) {
    long[] nodeMatches = policies.matchNodes(nodeLabels);
    long[] candidates = policies.newBitset();
    List<PodAssignment> enforced = new ArrayList<>();
    List<PodAssignment> audited = new ArrayList<>();
    List<PolicyRule> selecting = new ArrayList<>();
    for (PodInfo pod : podsOnNode) {
      if (!pod.isResolvable() || !node.equals(pod.nodeName())) {
        continue;
      }
      selecting.clear();
      long[] namespaceMatches = policies.matchNamespace(pod.namespace());
      policies.podCandidates(pod.labels(), candidates);
      for (int w = 0; w < candidates.length; w++) {
        long bits = candidates[w] & nodeMatches[w] & namespaceMatches[w];
        while (bits != 0) {
          PolicyRule rule = policies.get((w << 6) + Long.numberOfTrailingZeros(bits));
          bits &= bits - 1;
          if (rule.pods().matches(pod.labels())) {
            selecting.add(rule);
          }
        }
      }
      if (selecting.isEmpty()) {
        continue;
      }
      PolicyRule first = selecting.get(0);
      if (first.mode() == PolicyMode.Audit) {
        audited.add(assignment(pod, first, selecting));
      }
      for (PolicyRule rule : selecting) {
        if (rule.mode() == PolicyMode.Enforce) {
          enforced.add(assignment(pod, rule, selecting));
          break;
        }
      }
    }
    enforced.sort(POD_ORDER);
    audited.sort(POD_ORDER);
    return new NodeSchedulingPlanSpec(node, enforced, audited);
  }

  private static PodAssignment assignment(PodInfo pod, PolicyRule winner, List<PolicyRule> selecting) {
    List<String> conflicts = new ArrayList<>();
    for (PolicyRule other : selecting) {
      if (other != winner && other.priority() == winner.priority()) {
        conflicts.add(other.name());
      }
    }
    return new PodAssignment(pod.uid(), pod.namespace(), pod.name(), winner.name(), winner.generation(),
        winner.scheduling(), conflicts);
  }
}
