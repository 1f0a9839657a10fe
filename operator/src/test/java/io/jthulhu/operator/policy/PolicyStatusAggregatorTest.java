package io.jthulhu.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.jthulhu.crd.EffectiveScheduling;
import io.jthulhu.crd.KernelSupport;
import io.jthulhu.crd.NodeCounts;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.NodeSchedulingPlanSpec;
import io.jthulhu.crd.NodeSchedulingPlanStatus;
import io.jthulhu.crd.PodAssignment;
import io.jthulhu.crd.PolicyConditions;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.crd.SchedulingParameters;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.crd.SchedulingPolicySpec;
import io.jthulhu.crd.SchedulingPolicyStatus;
import io.jthulhu.crd.UnresolvedPod;
import io.jthulhu.operator.validation.PolicyCompiler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyStatusAggregatorTest {
  private static final EffectiveScheduling PARAMS = new EffectiveScheduling(SchedulingClass.Batch, 100, 20_000, false);

  private static SchedulingPolicy policy(String name, SchedulingParameters scheduling) {
    SchedulingPolicy policy = new SchedulingPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(name).withGeneration(3L).build());
    SchedulingPolicySpec spec = new SchedulingPolicySpec();
    spec.setScheduling(scheduling);
    policy.setSpec(spec);
    return policy;
  }

  private static NodeSchedulingPlan plan(String node, long generation, NodeSchedulingPlanStatus status, String... policies) {
    NodeSchedulingPlan plan = new NodeSchedulingPlan();
    plan.setMetadata(new ObjectMetaBuilder().withName(node).withGeneration(generation).build());
    List<PodAssignment> pods = new ArrayList<>();
    for (int i = 0; i < policies.length; i++) {
      pods.add(new PodAssignment(node + "-u" + i, "ns", node + "-pod" + i, policies[i], 3, PARAMS, List.of()));
    }
    plan.setSpec(new NodeSchedulingPlanSpec(node, pods, List.of()));
    plan.setStatus(status);
    return plan;
  }

  private static NodeSchedulingPlanStatus report(long observed, KernelSupport kernel, String... unresolvedUids) {
    NodeSchedulingPlanStatus status = new NodeSchedulingPlanStatus();
    status.setObservedGeneration(observed);
    status.setKernelSupport(kernel);
    status.setUnresolvedPods(java.util.Arrays.stream(unresolvedUids).map(u -> new UnresolvedPod(u, "CgroupNotFound", null)).toList());
    return status;
  }

  private static SchedulingPolicyStatus aggregate(SchedulingPolicy policy, List<NodeSchedulingPlan> plans) {
    return PolicyStatusAggregator.aggregate(policy, PolicyCompiler.compile(policy), plans, policy.getStatus(), "2026-01-01T00:00:00Z");
  }

  private static Condition condition(SchedulingPolicyStatus status, String type) {
    return status.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
  }

  @Test
  void nodeReportsAreClassifiedByGenerationKernelAndUnresolvedPods() {
    SchedulingPolicy policy = policy("p", new SchedulingParameters(SchedulingClass.Batch));
    SchedulingPolicyStatus status = aggregate(policy, List.of(
        plan("applied", 2, report(2, KernelSupport.Supported), "p", "p"),
        plan("stale", 3, report(2, KernelSupport.Supported), "p"),
        plan("silent", 1, null, "p"),
        plan("failed", 1, report(1, KernelSupport.Supported, "failed-u1"), "other", "p"),
        plan("old-kernel", 1, report(1, KernelSupport.Unsupported), "p"),
        plan("elsewhere", 1, report(1, KernelSupport.Supported), "other")));
    assertThat(status.getMatchedPods()).isEqualTo(6);
    assertThat(status.getNodes()).isEqualTo(new NodeCounts(5, 1, 2, 1, 1));
    assertThat(status.getObservedGeneration()).isEqualTo(3L);
    assertThat(condition(status, PolicyConditions.APPLIED).getMessage())
        .isEqualTo("1 of 5 nodes applied, 2 pending, 1 failed, 1 unsupported kernel");
    assertThat(condition(status, PolicyConditions.DEGRADED).getMessage())
        .isEqualTo("1 node(s) could not apply it: failed; 1 node(s) have a kernel without sched_ext: old-kernel");
  }

  @Test
  void aFailureOfAnotherPolicysPodDoesNotCount() {
    SchedulingPolicy policy = policy("p", new SchedulingParameters(SchedulingClass.Batch));
    SchedulingPolicyStatus status = aggregate(policy, List.of(plan("n", 1, report(1, KernelSupport.Supported, "n-u0"), "other", "p")));
    assertThat(status.getNodes()).isEqualTo(new NodeCounts(1, 1, 0, 0, 0));
    assertThat(condition(status, PolicyConditions.APPLIED).getStatus()).isEqualTo("True");
  }

  @Test
  void anInvalidPolicyNamesTheFieldAndCountsNothing() {
    SchedulingParameters scheduling = new SchedulingParameters(SchedulingClass.Normal);
    scheduling.setWeight(0);
    SchedulingPolicyStatus status = aggregate(policy("p", scheduling), List.of());
    assertThat(condition(status, PolicyConditions.VALID).getStatus()).isEqualTo("False");
    assertThat(condition(status, PolicyConditions.VALID).getMessage())
        .isEqualTo("spec.scheduling.weight: must be between 1 and 10000, got 0");
    assertThat(status.getNodes()).isEqualTo(new NodeCounts());
  }

  @Test
  void transitionTimesChangeOnlyWhenAConditionFlips() {
    SchedulingPolicy policy = policy("p", new SchedulingParameters(SchedulingClass.Batch));
    SchedulingPolicyStatus first = aggregate(policy, List.of(plan("n", 1, null, "p")));
    policy.setStatus(first);
    SchedulingPolicyStatus same = PolicyStatusAggregator.aggregate(policy, PolicyCompiler.compile(policy),
        List.of(plan("n", 1, null, "p")), first, "2026-02-02T00:00:00Z");
    assertThat(same).isEqualTo(first);
    SchedulingPolicyStatus flipped = PolicyStatusAggregator.aggregate(policy, PolicyCompiler.compile(policy),
        List.of(plan("n", 1, report(1, KernelSupport.Supported), "p")), first, "2026-02-02T00:00:00Z");
    assertThat(condition(flipped, PolicyConditions.APPLIED).getLastTransitionTime()).isEqualTo("2026-02-02T00:00:00Z");
    assertThat(condition(flipped, PolicyConditions.VALID).getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
  }
}
