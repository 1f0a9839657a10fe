package io.jthulhu.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.NodeSchedulingPlanSpec;
import io.jthulhu.crd.PolicyMode;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.operator.JthulhuOperator;
import io.jthulhu.operator.informer.ResolutionInputs;
import io.jthulhu.operator.resolve.ClusterState;
import io.jthulhu.operator.resolve.PolicyRule;
import io.jthulhu.operator.resolve.Resolver;
import io.jthulhu.operator.validation.CompiledPolicy;
import io.jthulhu.operator.validation.PolicyCompiler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pod informer keeps trimmed pods; the plans are what resolving the whole pods gives. */
class PodTrimmingTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private MockCluster cluster;
  private JthulhuOperator operator;

  @BeforeEach
  void startCluster() {
    cluster = new MockCluster();
    for (String node : List.of("n1", "n2", "n3")) {
      cluster.node(node, "pool", node.equals("n3") ? "batch" : "web");
    }
    cluster.namespace("shop", "team", "shop");
    cluster.namespace("data", "team", "data");
    String[] apps = {"checkout", "search", "etl", "cache"};
    for (int i = 0; i < 24; i++) {
      String app = apps[i % apps.length];
      Pod pod = RealisticPods.pod(i % 3 == 0 ? "data" : "shop", app + "-" + i, "n" + (1 + i % 3),
          Map.of("app", app, "tier", i % 2 == 0 ? "frontend" : "backend"));
      cluster.client().resource(pod).create();
    }
    cluster.policy("frontend", 10, SchedulingClass.LatencyCritical,
        new LabelSelectorBuilder().addToMatchLabels("tier", "frontend").build());
    cluster.policy("data-batch", 20, PolicyMode.Enforce, SchedulingClass.Batch, null,
        new LabelSelectorBuilder().addToMatchLabels("team", "data").build(),
        new LabelSelectorBuilder().addToMatchLabels("pool", "batch").build());
    cluster.policy("search-audit", 30, PolicyMode.Audit, SchedulingClass.Normal,
        new LabelSelectorBuilder().addToMatchLabels("app", "search").build(), null, null);
    operator = cluster.operator("trim", false, new SimpleMeterRegistry());
    operator.start();
  }

  @AfterEach
  void stop() {
    operator.close();
    cluster.close();
  }

  /** Plans computed from the whole objects as the API server returns them, without the operator's caches. */
  private SortedMap<String, NodeSchedulingPlanSpec> expectedPlans() {
    List<PolicyRule> rules = cluster.client().resources(SchedulingPolicy.class).list().getItems().stream()
        .map(PolicyCompiler::compile)
        .filter(CompiledPolicy.Valid.class::isInstance)
        .map(valid -> ((CompiledPolicy.Valid) valid).rule())
        .toList();
    return Resolver.resolve(new ClusterState(rules,
        labelsByName(cluster.client().namespaces().list().getItems()),
        labelsByName(cluster.client().nodes().list().getItems()),
        cluster.client().pods().inAnyNamespace().list().getItems().stream().map(ResolutionInputs::podInfo).toList()));
  }

  private static Map<String, Map<String, String>> labelsByName(List<? extends HasMetadata> objects) {
    return objects.stream().collect(Collectors.toMap(o -> o.getMetadata().getName(), ResolutionInputs::labels));
  }

  private SortedMap<String, NodeSchedulingPlanSpec> actualPlans() {
    SortedMap<String, NodeSchedulingPlanSpec> plans = new TreeMap<>();
    cluster.client().resources(NodeSchedulingPlan.class).list().getItems()
        .forEach(plan -> plans.put(plan.getMetadata().getName(), plan.getSpec()));
    return plans;
  }

  @Test
  void theCacheHoldsTrimmedPodsAndThePlansAreThoseOfTheWholePods() {
    await().atMost(TIMEOUT).untilAsserted(() -> {
      SortedMap<String, NodeSchedulingPlanSpec> expected = expectedPlans();
      assertThat(expected.values()).allSatisfy(plan -> assertThat(plan.getPods()).isNotEmpty());
      assertThat(actualPlans()).isEqualTo(expected);
    });

    Map<String, Pod> stored = cluster.client().pods().inAnyNamespace().list().getItems().stream()
        .collect(Collectors.toMap(p -> p.getMetadata().getUid(), p -> p));
    List<Pod> cached = operator.nodePlans().cachedPods();
    assertThat(cached).hasSize(24);
    for (Pod pod : cached) {
      Pod whole = stored.get(pod.getMetadata().getUid());
      assertThat(whole.getMetadata().getManagedFields()).isNotEmpty();
      assertThat(whole.getSpec().getContainers()).hasSize(3);
      assertThat(pod.getMetadata().getManagedFields()).isEmpty();
      assertThat(pod.getMetadata().getAnnotations()).isEmpty();
      assertThat(pod.getSpec().getContainers()).isEmpty();
      assertThat(pod.getSpec().getVolumes()).isEmpty();
      assertThat(pod.getStatus().getContainerStatuses()).isEmpty();
      assertThat(pod.getStatus().getConditions()).isEmpty();
      assertThat(ResolutionInputs.podInfo(pod)).isEqualTo(ResolutionInputs.podInfo(whole));
      assertThat(pod.getMetadata().getResourceVersion()).isEqualTo(whole.getMetadata().getResourceVersion());
      assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
          .satisfies(owner -> assertThat(owner.getUid()).isEqualTo(whole.getMetadata().getOwnerReferences().get(0).getUid()));
    }
    int wholeBytes = cluster.client().getKubernetesSerialization().asJson(stored.values().iterator().next()).length();
    int trimmedBytes = cluster.client().getKubernetesSerialization().asJson(cached.get(0)).length();
    assertThat(trimmedBytes).isLessThan(wholeBytes / 10);
  }

  @Test
  void changesReachThePlansThroughTheTrimmedCache() {
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(actualPlans()).isEqualTo(expectedPlans()));

    Pod relabelled = cluster.client().pods().inNamespace("shop").withName("search-1").get();
    relabelled.getMetadata().getLabels().put("tier", "frontend");
    cluster.client().resource(relabelled).update();
    Pod finished = cluster.client().pods().inNamespace("data").withName("checkout-0").get();
    finished.getStatus().setPhase("Succeeded");
    cluster.client().resource(finished).updateStatus();
    Pod moved = cluster.client().pods().inNamespace("shop").withName("etl-2").get();
    moved.getSpec().setNodeName("n1");
    cluster.client().resource(moved).update();
    cluster.client().pods().inNamespace("shop").withName("cache-7").delete();

    await().atMost(TIMEOUT).untilAsserted(() -> {
      SortedMap<String, NodeSchedulingPlanSpec> expected = expectedPlans();
      assertThat(expected.get("n1").getPods()).extracting(entry -> entry.getName()).contains("etl-2");
      assertThat(actualPlans()).isEqualTo(expected);
    });
  }
}
