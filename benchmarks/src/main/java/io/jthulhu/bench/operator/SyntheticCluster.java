package io.jthulhu.bench.operator;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.jthulhu.crd.EffectiveScheduling;
import io.jthulhu.crd.PolicyMode;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.operator.resolve.ClusterState;
import io.jthulhu.operator.resolve.PodInfo;
import io.jthulhu.operator.resolve.PolicyRule;
import io.jthulhu.operator.selector.InvalidSelectorException;
import io.jthulhu.operator.selector.Selector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A deterministic, cluster-shaped input: teams own namespaces, pods carry app/tier labels, nodes sit in
 * pools and zones, and policies mix per-team, per-app, node-pool and Audit rules with overlaps.
 */
public final class SyntheticCluster {
  private static final String[] TIERS = {"web", "api", "worker", "batch", "cache"};
  private static final String[] POOLS = {"web", "compute", "batch"};
  private static final String[] ENVS = {"prod", "staging", "dev"};

  private SyntheticCluster() {
  }

  public static ClusterState generate(int nodes, int pods, int namespaces, int policies, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, Map<String, String>> namespaceLabels = new LinkedHashMap<>();
    for (int i = 0; i < namespaces; i++) {
      namespaceLabels.put("ns-" + i, Map.of("team", "team-" + (i % 50), "env", ENVS[i % ENVS.length]));
    }
    Map<String, Map<String, String>> nodeLabels = new LinkedHashMap<>();
    for (int i = 0; i < nodes; i++) {
      nodeLabels.put("node-" + i, Map.of("pool", POOLS[i % POOLS.length], "zone", "zone-" + (i % 3),
          "kubernetes.io/hostname", "node-" + i));
    }
    List<PodInfo> podList = new ArrayList<>(pods);
    for (int i = 0; i < pods; i++) {
      podList.add(pod(i, random.nextInt(namespaces), random.nextInt(nodes), random.nextInt(1_000), TIERS[random.nextInt(TIERS.length)]));
    }
    List<PolicyRule> rules = new ArrayList<>(policies);
    for (int i = 0; i < policies; i++) {
      rules.add(policy(i, random));
    }
    return new ClusterState(rules, namespaceLabels, nodeLabels, podList);
  }

  public static PodInfo pod(int index, int namespace, int node, int app, String tier) {
    Map<String, String> labels = new HashMap<>();
    labels.put("app", "app-" + app);
    labels.put("tier", tier);
    labels.put("pod-template-hash", Integer.toHexString(index * 31));
    return new PodInfo("uid-" + index, "ns-" + namespace, "pod-" + index, "node-" + node, "Running", labels);
  }

  private static PolicyRule policy(int i, SplittableRandom random) {
    String name = "policy-" + i;
    int kind = i % 10;
    if (kind < 5) {
      return rule(name, random.nextInt(20), PolicyMode.Enforce,
          selector(new LabelSelectorBuilder().addNewMatchExpression().withKey("tier").withOperator("In")
              .withValues("api", "web").endMatchExpression().build()),
          selector(new LabelSelectorBuilder().addToMatchLabels("team", "team-" + (i % 50)).build()),
          Selector.EVERYTHING, SchedulingClass.LatencyCritical);
    }
    if (kind < 8) {
      return rule(name, 100 + random.nextInt(10), PolicyMode.Enforce,
          selector(new LabelSelectorBuilder().addToMatchLabels("app", "app-" + random.nextInt(1_000)).build()),
          Selector.EVERYTHING, Selector.EVERYTHING, SchedulingClass.Normal);
    }
    if (kind < 9) {
      return rule(name, 50, PolicyMode.Enforce,
          selector(new LabelSelectorBuilder().addToMatchLabels("tier", "batch").build()),
          Selector.EVERYTHING, selector(new LabelSelectorBuilder().addToMatchLabels("pool", "compute").build()),
          SchedulingClass.Batch);
    }
    return rule(name, 200, PolicyMode.Audit,
        selector(new LabelSelectorBuilder().addNewMatchExpression().withKey("tier").withOperator("NotIn")
            .withValues("cache").endMatchExpression().build()),
        selector(new LabelSelectorBuilder().addToMatchLabels("env", "staging").build()),
        Selector.EVERYTHING, SchedulingClass.Idle);
  }

  private static PolicyRule rule(String name, int priority, PolicyMode mode, Selector pods, Selector namespaces,
      Selector nodes, SchedulingClass schedulingClass) {
    return new PolicyRule(name, 1, priority, mode, pods, namespaces, nodes, new EffectiveScheduling(
        schedulingClass, 100, schedulingClass.defaultSliceMicros(), schedulingClass.defaultPreempt()));
  }

  private static Selector selector(LabelSelector selector) {
    try {
      return Selector.compile(selector, "benchmark");
    } catch (InvalidSelectorException e) {
      throw new IllegalStateException(e);
    }
  }
}
