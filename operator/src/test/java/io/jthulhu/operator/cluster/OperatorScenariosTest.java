package io.jthulhu.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.jthulhu.crd.KernelSupport;
import io.jthulhu.crd.NodeCounts;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.NodeSchedulingPlanStatus;
import io.jthulhu.crd.PodAssignment;
import io.jthulhu.crd.PolicyConditions;
import io.jthulhu.crd.PolicyMode;
import io.jthulhu.crd.SchedulerState;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.crd.UnresolvedPod;
import io.jthulhu.operator.JthulhuOperator;
import io.jthulhu.operator.plan.NodePlanReconciler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scenarios, end to end: the real JOSDK operator against the mock API server. */
class OperatorScenariosTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private MockCluster cluster;
  private JthulhuOperator operator;
  private SimpleMeterRegistry registry;

  @BeforeEach
  void startCluster() {
    cluster = new MockCluster();
    cluster.node("n1", "pool", "web");
    cluster.node("n2", "pool", "web");
    cluster.namespace("payments", "team", "payments");
    cluster.namespace("analytics", "team", "data");
    registry = new SimpleMeterRegistry();
    operator = cluster.operator("test", false, registry);
    operator.start();
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    cluster.close();
  }

  private static LabelSelector labels(String... keyValues) {
    LabelSelectorBuilder builder = new LabelSelectorBuilder();
    for (int i = 0; i < keyValues.length; i += 2) {
      builder.addToMatchLabels(keyValues[i], keyValues[i + 1]);
    }
    return builder.build();
  }

  /** pod name -> winning policy on that node's plan. */
  private Map<String, String> winners(String node) {
    NodeSchedulingPlan plan = cluster.plan(node);
    return plan == null ? Map.of() : plan.getSpec().getPods().stream()
        .collect(Collectors.toMap(PodAssignment::getName, PodAssignment::getPolicy));
  }

  private Condition condition(String policy, String type) {
    SchedulingPolicy p = cluster.policy(policy);
    if (p == null || p.getStatus() == null) {
      return null;
    }
    return p.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElse(null);
  }

  private void awaitCondition(String policy, String type, String status, String messagePart) {
    await().atMost(TIMEOUT).untilAsserted(() -> {
      Condition c = condition(policy, type);
      assertThat(c).as("%s condition of %s", type, policy).isNotNull();
      assertThat(c.getStatus()).isEqualTo(status);
      assertThat(c.getMessage()).contains(messagePart);
    });
  }

  @Test
  void everyNodeGetsAPlanOwnedByItsNode() {
    await().atMost(TIMEOUT).untilAsserted(() -> {
      NodeSchedulingPlan plan = cluster.plan("n1");
      assertThat(plan).isNotNull();
      assertThat(plan.getSpec().getNodeName()).isEqualTo("n1");
      assertThat(plan.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
        assertThat(owner.getKind()).isEqualTo("Node");
        assertThat(owner.getName()).isEqualTo("n1");
        assertThat(owner.getUid()).isEqualTo(cluster.client().nodes().withName("n1").get().getMetadata().getUid());
      });
      assertThat(plan.getMetadata().getLabels()).containsEntry(NodePlanReconciler.MANAGED_BY_LABEL, NodePlanReconciler.MANAGED_BY);
      assertThat(cluster.plan("n2")).isNotNull();
    });
  }

  @Test
  void policyCreateUpdateAndDeleteReachEveryPlan() {
    cluster.pod("payments", "api-0", "n1", "app", "api");
    cluster.pod("payments", "api-1", "n2", "app", "api");
    cluster.pod("payments", "db-0", "n1", "app", "db");
    cluster.policy("api", 10, SchedulingClass.LatencyCritical, labels("app", "api"));
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(winners("n1")).isEqualTo(Map.of("api-0", "api"));
      assertThat(winners("n2")).isEqualTo(Map.of("api-1", "api"));
    });
    assertThat(cluster.plan("n1").getSpec().getPods().get(0).getScheduling().getSchedulingClass())
        .isEqualTo(SchedulingClass.LatencyCritical);
    await().atMost(TIMEOUT).untilAsserted(() -> {
      SchedulingPolicy policy = cluster.policy("api");
      assertThat(policy.getStatus().getObservedGeneration()).isEqualTo(1L);
      assertThat(policy.getStatus().getMatchedPods()).isEqualTo(2);
      assertThat(policy.getStatus().getNodes()).isEqualTo(new NodeCounts(2, 0, 2, 0, 0));
    });

    SchedulingPolicy policy = cluster.policy("api");
    policy.getSpec().getScheduling().setSchedulingClass(SchedulingClass.Batch);
    cluster.client().resource(policy).update();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      PodAssignment entry = cluster.plan("n2").getSpec().getPods().get(0);
      assertThat(entry.getScheduling().getSchedulingClass()).isEqualTo(SchedulingClass.Batch);
      assertThat(entry.getPolicyGeneration()).isEqualTo(2L);
      assertThat(cluster.policy("api").getStatus().getObservedGeneration()).isEqualTo(2L);
    });

    cluster.client().resource(cluster.policy("api")).delete();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(winners("n1")).isEmpty();
      assertThat(winners("n2")).isEmpty();
    });
  }

  @Test
  void aPodLabelChangeMovesThePodBetweenPolicies() {
    cluster.policy("api", 10, SchedulingClass.LatencyCritical, labels("app", "api"));
    cluster.policy("batch", 10, SchedulingClass.Batch, labels("app", "batch"));
    Pod pod = cluster.pod("payments", "worker", "n1", "app", "api");
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(winners("n1")).isEqualTo(Map.of("worker", "api")));

    pod = cluster.client().pods().inNamespace("payments").withName("worker").get();
    pod.getMetadata().getLabels().put("app", "batch");
    cluster.client().resource(pod).update();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(winners("n1")).isEqualTo(Map.of("worker", "batch"));
      assertThat(cluster.policy("api").getStatus().getMatchedPods()).isZero();
      assertThat(cluster.policy("batch").getStatus().getMatchedPods()).isEqualTo(1);
    });
  }

  @Test
  void aPodMovingNodesFinishingOrBeingDeletedLeavesItsOldPlan() {
    cluster.policy("all", 1, SchedulingClass.Normal, null);
    cluster.pod("payments", "mover", "n1", "app", "api");
    cluster.pod("payments", "job", "n2", "app", "job");
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(winners("n1")).containsOnlyKeys("mover"));

    Pod mover = cluster.client().pods().inNamespace("payments").withName("mover").get();
    mover.getSpec().setNodeName("n2");
    cluster.client().resource(mover).update();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(winners("n1")).isEmpty();
      assertThat(winners("n2")).containsOnlyKeys("mover", "job");
    });

    Pod job = cluster.client().pods().inNamespace("payments").withName("job").get();
    job.getStatus().setPhase("Succeeded");
    cluster.client().resource(job).updateStatus();
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(winners("n2")).containsOnlyKeys("mover"));

    cluster.client().pods().inNamespace("payments").withName("mover").delete();
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(winners("n2")).isEmpty());
  }

  @Test
  void aNamespaceLabelChangeAddsOrRemovesItsPods() {
    cluster.policy("payments-only", 5, PolicyMode.Enforce, SchedulingClass.LatencyCritical, null,
        labels("team", "payments"), null);
    cluster.pod("payments", "api", "n1");
    cluster.pod("analytics", "spark", "n1");
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(winners("n1")).isEqualTo(Map.of("api", "payments-only")));

    var analytics = cluster.client().namespaces().withName("analytics").get();
    analytics.getMetadata().getLabels().put("team", "payments");
    cluster.client().resource(analytics).update();
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(winners("n1")).containsOnlyKeys("api", "spark"));

    var payments = cluster.client().namespaces().withName("payments").get();
    payments.getMetadata().getLabels().remove("team");
    cluster.client().resource(payments).update();
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(winners("n1")).containsOnlyKeys("spark"));
  }

  @Test
  void aNodeLabelChangeMattersOnlyToPoliciesWithANodeSelector() {
    cluster.policy("compute-batch", 5, PolicyMode.Enforce, SchedulingClass.Batch, null, null, labels("pool", "compute"));
    cluster.pod("analytics", "etl-1", "n1");
    cluster.pod("analytics", "etl-2", "n2");
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cluster.plan("n1")).isNotNull());
    await().during(Duration.ofMillis(500)).atMost(TIMEOUT).untilAsserted(() -> assertThat(winners("n1")).isEmpty());

    var n1 = cluster.client().nodes().withName("n1").get();
    n1.getMetadata().getLabels().put("pool", "compute");
    cluster.client().resource(n1).update();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(winners("n1")).isEqualTo(Map.of("etl-1", "compute-batch"));
      assertThat(winners("n2")).isEmpty();
    });
  }

  @Test
  void overlappingPoliciesOfEqualPriorityConflictAndTheFirstNameWins() {
    cluster.pod("payments", "api", "n1", "app", "api");
    cluster.policy("beta", 7, SchedulingClass.Batch, labels("app", "api"));
    cluster.policy("alpha", 7, SchedulingClass.LatencyCritical, null);
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(winners("n1")).isEqualTo(Map.of("api", "alpha")));
    awaitCondition("alpha", PolicyConditions.CONFLICTING, "True", "beta");
    awaitCondition("beta", PolicyConditions.CONFLICTING, "True", "alpha");
    assertThat(condition("beta", PolicyConditions.CONFLICTING).getReason()).isEqualTo(PolicyConditions.REASON_EQUAL_PRIORITY);

    SchedulingPolicy beta = cluster.policy("beta");
    beta.getSpec().setPriority(8);
    cluster.client().resource(beta).update();
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(winners("n1")).isEqualTo(Map.of("api", "beta")));
    awaitCondition("alpha", PolicyConditions.CONFLICTING, "False", "no policy of equal priority");
    awaitCondition("beta", PolicyConditions.CONFLICTING, "False", "no policy of equal priority");
  }

  @Test
  void auditPoliciesReportWhatTheyWouldApplyAndApplyNothing() {
    cluster.pod("payments", "api", "n1", "app", "api");
    cluster.policy("enforced", 1, SchedulingClass.Normal, null);
    cluster.policy("trial", 50, PolicyMode.Audit, SchedulingClass.LatencyCritical, labels("app", "api"), null, null);
    await().atMost(TIMEOUT).untilAsserted(() -> {
      NodeSchedulingPlan plan = cluster.plan("n1");
      assertThat(plan.getSpec().getPods()).extracting(PodAssignment::getPolicy).containsExactly("enforced");
      assertThat(plan.getSpec().getAuditedPods()).extracting(PodAssignment::getPolicy).containsExactly("trial");
    });
    awaitCondition("trial", PolicyConditions.APPLIED, "False", "would apply to 1 pod(s) on 1 node(s)");
    assertThat(condition("trial", PolicyConditions.APPLIED).getReason()).isEqualTo(PolicyConditions.REASON_AUDIT);
    assertThat(cluster.policy("trial").getStatus().getMatchedPods()).isEqualTo(1);
  }

  @Test
  void anInvalidPolicyIsReportedByFieldContributesNothingAndAppliesOnceFixed() {
    cluster.pod("payments", "api", "n1", "app", "api");
    cluster.policy("fallback", 1, SchedulingClass.Normal, null);
    LabelSelector broken = new LabelSelectorBuilder().addNewMatchExpression()
        .withKey("app").withOperator("In").endMatchExpression().build();
    cluster.policy("broken", 100, SchedulingClass.LatencyCritical, broken);
    awaitCondition("broken", PolicyConditions.VALID, "False", "spec.podSelector.matchExpressions[0].values: must be non-empty");
    await().during(Duration.ofMillis(500)).atMost(TIMEOUT)
        .untilAsserted(() -> assertThat(winners("n1")).isEqualTo(Map.of("api", "fallback")));
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(
        cluster.client().v1().events().inNamespace(MockCluster.OPERATOR_NAMESPACE).list().getItems())
        .anySatisfy(event -> {
          assertThat(event.getType()).isEqualTo("Warning");
          assertThat(event.getReason()).isEqualTo(PolicyConditions.REASON_INVALID);
          assertThat(event.getInvolvedObject().getName()).isEqualTo("broken");
          assertThat(event.getMessage()).contains("spec.podSelector.matchExpressions[0].values");
        }));

    SchedulingPolicy fixed = cluster.policy("broken");
    fixed.getSpec().getPodSelector().getMatchExpressions().get(0).setValues(List.of("api"));
    cluster.client().resource(fixed).update();
    awaitCondition("broken", PolicyConditions.VALID, "True", "spec is valid");
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(winners("n1")).isEqualTo(Map.of("api", "broken")));
  }

  @Test
  void nodeReportsFlowIntoThePolicyStatus() {
    cluster.node("n3", "pool", "web");
    cluster.node("n4", "pool", "web");
    for (String node : List.of("n1", "n2", "n3", "n4")) {
      cluster.pod("payments", "api-" + node, node, "app", "api");
    }
    cluster.policy("api", 10, SchedulingClass.LatencyCritical, labels("app", "api"));
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cluster.policy("api").getStatus().getNodes())
        .isEqualTo(new NodeCounts(4, 0, 4, 0, 0)));

    report("n1", KernelSupport.Supported, List.of());
    report("n2", KernelSupport.Supported, List.of());
    report("n3", KernelSupport.Supported, List.of());
    report("n4", KernelSupport.Unsupported, List.of());
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cluster.policy("api").getStatus().getNodes())
        .isEqualTo(new NodeCounts(4, 3, 0, 0, 1)));
    awaitCondition("api", PolicyConditions.APPLIED, "False", "3 of 4 nodes applied");
    awaitCondition("api", PolicyConditions.DEGRADED, "True", "1 node(s) have a kernel without sched_ext: n4");

    String uid = cluster.plan("n3").getSpec().getPods().get(0).getPodUid();
    report("n3", KernelSupport.Supported, List.of(new UnresolvedPod(uid, "CgroupNotFound", "no cgroup for pod")));
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cluster.policy("api").getStatus().getNodes())
        .isEqualTo(new NodeCounts(4, 2, 0, 1, 1)));
    awaitCondition("api", PolicyConditions.DEGRADED, "True", "1 node(s) could not apply it: n3");
  }

  /** What a node daemon does: report on the plan generation it acted on, through the status subresource. */
  private void report(String node, KernelSupport kernel, List<UnresolvedPod> unresolved) {
    NodeSchedulingPlan plan = cluster.plan(node);
    NodeSchedulingPlanStatus status = new NodeSchedulingPlanStatus();
    status.setObservedGeneration(plan.getMetadata().getGeneration());
    status.setKernelSupport(kernel);
    status.setSchedulerState(kernel == KernelSupport.Supported ? SchedulerState.Enabled : SchedulerState.Disabled);
    status.setAppliedPods(kernel == KernelSupport.Supported ? plan.getSpec().getPods().size() - unresolved.size() : 0);
    status.setUnresolvedPods(unresolved);
    plan.setStatus(status);
    cluster.client().resource(plan).patchStatus();
  }
}
