package io.jthulhu.operator.resolve;

import static io.jthulhu.operator.resolve.ResolverTestSupport.labels;
import static io.jthulhu.operator.resolve.ResolverTestSupport.pod;
import static io.jthulhu.operator.resolve.ResolverTestSupport.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jthulhu.crd.NodeSchedulingPlanSpec;
import io.jthulhu.crd.PodAssignment;
import io.jthulhu.crd.PolicyMode;
import io.jthulhu.operator.selector.Selector;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class ResolverTest {
  private static final Map<String, Map<String, String>> NAMESPACES = Map.of(
      "payments", Map.of("team", "payments"), "analytics", Map.of("team", "data"));
  private static final Map<String, Map<String, String>> NODES = Map.of(
      "node-a", Map.of("pool", "web"), "node-b", Map.of("pool", "compute"));

  private static SortedMap<String, NodeSchedulingPlanSpec> resolve(List<PolicyRule> policies, List<PodInfo> pods) {
    return Resolver.resolve(new ClusterState(policies, NAMESPACES, NODES, pods));
  }

  @Test
  void higherPriorityWinsAndEveryNodeGetsAPlan() {
    var plans = resolve(
        List.of(rule("low", 1, PolicyMode.Enforce, Selector.EVERYTHING), rule("high", 5, PolicyMode.Enforce, labels("app", "api"))),
        List.of(pod("u1", "payments", "node-a", Map.of("app", "api")), pod("u2", "payments", "node-a", Map.of("app", "db"))));
    assertThat(plans).containsOnlyKeys("node-a", "node-b");
    assertThat(plans.get("node-a").getPods()).extracting(PodAssignment::getPodUid, PodAssignment::getPolicy)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("u1", "high"), org.assertj.core.groups.Tuple.tuple("u2", "low"));
    assertThat(plans.get("node-b").getPods()).isEmpty();
  }

  @Test
  void equalPriorityGoesToTheFirstNameAndBothAreNamedAsConflicting() {
    var plans = resolve(
        List.of(rule("zeta", 3, PolicyMode.Enforce, Selector.EVERYTHING), rule("alpha", 3, PolicyMode.Enforce, Selector.EVERYTHING),
            rule("other", 2, PolicyMode.Enforce, Selector.EVERYTHING)),
        List.of(pod("u1", "payments", "node-a", Map.of())));
    PodAssignment assignment = plans.get("node-a").getPods().get(0);
    assertThat(assignment.getPolicy()).isEqualTo("alpha");
    assertThat(assignment.getConflictsWith()).containsExactly("zeta");
  }

  @Test
  void auditPoliciesReportWithoutDisplacingWhatIsEnforced() {
    var plans = resolve(
        List.of(rule("enforced", 1, PolicyMode.Enforce, Selector.EVERYTHING), rule("trial", 9, PolicyMode.Audit, Selector.EVERYTHING)),
        List.of(pod("u1", "payments", "node-a", Map.of())));
    assertThat(plans.get("node-a").getPods()).extracting(PodAssignment::getPolicy).containsExactly("enforced");
    assertThat(plans.get("node-a").getAuditedPods()).extracting(PodAssignment::getPolicy).containsExactly("trial");
  }

  @Test
  void anAuditPolicyThatWouldLoseIsNotListed() {
    var plans = resolve(
        List.of(rule("enforced", 9, PolicyMode.Enforce, Selector.EVERYTHING), rule("trial", 1, PolicyMode.Audit, Selector.EVERYTHING)),
        List.of(pod("u1", "payments", "node-a", Map.of())));
    assertThat(plans.get("node-a").getAuditedPods()).isEmpty();
  }

  @Test
  void namespaceAndNodeSelectorsRestrictThePolicy() {
    PolicyRule rule = rule("batch", 1, PolicyMode.Enforce, Selector.EVERYTHING, labels("team", "data"), labels("pool", "compute"));
    var plans = resolve(List.of(rule), List.of(
        pod("u1", "analytics", "node-b", Map.of()),
        pod("u2", "analytics", "node-a", Map.of()),
        pod("u3", "payments", "node-b", Map.of())));
    assertThat(plans.get("node-b").getPods()).extracting(PodAssignment::getPodUid).containsExactly("u1");
    assertThat(plans.get("node-a").getPods()).isEmpty();
  }

  @Test
  void unscheduledFinishedAndUnknownNodePodsAreLeftOut() {
    var plans = resolve(List.of(rule("all", 1, PolicyMode.Enforce, Selector.EVERYTHING)), List.of(
        new PodInfo("u1", "payments", "pending", null, "Pending", Map.of()),
        new PodInfo("u2", "payments", "done", "node-a", "Succeeded", Map.of()),
        new PodInfo("u3", "payments", "crashed", "node-a", "Failed", Map.of()),
        new PodInfo("u4", "payments", "ghost", "node-z", "Running", Map.of()),
        new PodInfo("u5", "payments", "static-kube-proxy", "node-a", "Running", Map.of("tier", "node"))));
    assertThat(plans.values()).flatExtracting(NodeSchedulingPlanSpec::getPods).extracting(PodAssignment::getPodUid)
        .containsExactly("u5");
  }

  @Test
  void duplicatePolicyNamesAreRejected() {
    assertThatThrownBy(() -> new PolicySet(List.of(rule("x", 1, PolicyMode.Enforce, Selector.EVERYTHING),
        rule("x", 2, PolicyMode.Enforce, Selector.EVERYTHING)), ns -> Map.of()))
        .hasMessageContaining("duplicate policy name x");
  }

  @Test
  void policiesBeyondTheFirst64AreFoundThroughTheLabelIndex() {
    // 150 policies: each selects app=app-<i>; every fifth has no indexable label (Exists on "tier").
    List<PolicyRule> policies = new java.util.ArrayList<>();
    for (int i = 0; i < 150; i++) {
      Selector pods = i % 5 == 0
          ? ResolverTestSupport.selector(new io.fabric8.kubernetes.api.model.LabelSelectorBuilder().addNewMatchExpression()
              .withKey("tier").withOperator("Exists").endMatchExpression().build())
          : labels("app", "app-" + i);
      policies.add(rule(String.format("p%03d", i), i, PolicyMode.Enforce, pods));
    }
    var plans = resolve(policies, List.of(pod("u1", "payments", "node-a", Map.of("app", "app-71")),
        pod("u2", "payments", "node-a", Map.of("app", "app-71", "tier", "web")),
        pod("u3", "payments", "node-a", Map.of("app", "app-149")),
        pod("u4", "payments", "node-a", Map.of("app", "none"))));
    assertThat(plans.get("node-a").getPods()).extracting(PodAssignment::getPodUid, PodAssignment::getPolicy).containsExactly(
        org.assertj.core.groups.Tuple.tuple("u1", "p071"), org.assertj.core.groups.Tuple.tuple("u2", "p145"),
        org.assertj.core.groups.Tuple.tuple("u3", "p149"));
  }

  @Test
  void aSharedPolicySetFollowsANamespaceRelabel() {
    Map<String, Map<String, String>> namespaces = new java.util.HashMap<>(Map.of("payments", Map.of("team", "payments")));
    PolicySet policies = new PolicySet(List.of(rule("payments-only", 1, PolicyMode.Enforce, Selector.EVERYTHING,
        labels("team", "payments"), Selector.EVERYTHING)), namespaces::get);
    List<PodInfo> pods = List.of(pod("u1", "payments", "node-a", Map.of()));
    assertThat(Resolver.resolveNode(policies, "node-a", Map.of(), pods).getPods()).hasSize(1);
    namespaces.put("payments", Map.of("team", "data"));
    assertThat(Resolver.resolveNode(policies, "node-a", Map.of(), pods).getPods()).isEmpty();
    namespaces.put("payments", Map.of("team", "payments"));
    assertThat(Resolver.resolveNode(policies, "node-a", Map.of(), pods).getPods()).hasSize(1);
  }
}
