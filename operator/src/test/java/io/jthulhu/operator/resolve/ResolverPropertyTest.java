package io.jthulhu.operator.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.jthulhu.crd.EffectiveScheduling;
import io.jthulhu.crd.NodeSchedulingPlanSpec;
import io.jthulhu.crd.PodAssignment;
import io.jthulhu.crd.PolicyMode;
import io.jthulhu.crd.SchedulingClass;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Properties of resolution over small random clusters where overlaps and ties are frequent. */
class ResolverPropertyTest {
  private static final List<String> KEYS = List.of("app", "tier", "team");
  private static final List<String> VALUES = List.of("a", "b", "c");
  private static final List<String> NAMESPACES = List.of("ns0", "ns1", "ns2");
  private static final List<String> NODES = List.of("n0", "n1", "n2");
  private static final List<String> OPERATORS = List.of("In", "NotIn", "Exists", "DoesNotExist");

  /** A generated cluster, with the policies' source selectors: compiled Selectors do not print. */
  private record Cluster(ClusterState state, List<String> policySources) {
    @Override
    public String toString() {
      return "Cluster[policies=" + policySources + ", namespaceLabels=" + state.namespaceLabels()
          + ", nodeLabels=" + state.nodeLabels() + ", pods=" + state.pods() + "]";
    }
  }

  @Test
  void sameInputInAnyOrderGivesTheSameOutput() {
    PropertyTrials.check(0x5EED_0001L, 300, ResolverPropertyTest::cluster, (cluster, random) -> {
      ClusterState state = cluster.state();
      assertThat(Resolver.resolve(shuffled(state, random))).isEqualTo(Resolver.resolve(state));
    });
  }

  @Test
  void aPodIsAssignedAtMostOncePerList() {
    PropertyTrials.check(0x5EED_0002L, 300, ResolverPropertyTest::cluster, (cluster, random) -> {
      var plans = Resolver.resolve(cluster.state());
      List<String> enforced = plans.values().stream().flatMap(p -> p.getPods().stream()).map(PodAssignment::getPodUid).toList();
      List<String> audited = plans.values().stream().flatMap(p -> p.getAuditedPods().stream()).map(PodAssignment::getPodUid).toList();
      assertThat(enforced).doesNotHaveDuplicates();
      assertThat(audited).doesNotHaveDuplicates();
    });
  }

  @Test
  void winnersAreTheHighestPrecedenceSelectingPolicies() {
    PropertyTrials.check(0x5EED_0003L, 300, ResolverPropertyTest::cluster, (cluster, random) -> {
      ClusterState state = cluster.state();
      var plans = Resolver.resolve(state);
      Map<String, PodAssignment> enforced = byUid(plans, false);
      Map<String, PodAssignment> audited = byUid(plans, true);
      for (PodInfo pod : state.pods()) {
        List<PolicyRule> selecting = naivelySelecting(state, pod);
        PolicyRule enforceWinner = selecting.stream().filter(r -> r.mode() == PolicyMode.Enforce).findFirst().orElse(null);
        PodAssignment assignment = enforced.get(pod.uid());
        if (enforceWinner == null) {
          assertThat(assignment).as("pod %s", pod).isNull();
        } else {
          assertThat(assignment).as("pod %s", pod).isNotNull();
          assertThat(assignment.getPolicy()).isEqualTo(enforceWinner.name());
          assertThat(assignment.getScheduling()).isEqualTo(enforceWinner.scheduling());
          assertThat(assignment.getConflictsWith()).containsExactlyElementsOf(selecting.stream()
              .filter(r -> r != enforceWinner && r.priority() == enforceWinner.priority()).map(PolicyRule::name).toList());
        }
        boolean auditWins = !selecting.isEmpty() && selecting.get(0).mode() == PolicyMode.Audit;
        assertThat(audited.containsKey(pod.uid())).as("pod %s audited", pod).isEqualTo(auditWins);
        if (auditWins) {
          assertThat(audited.get(pod.uid()).getPolicy()).isEqualTo(selecting.get(0).name());
        }
      }
    });
  }

  @Test
  void removingAPolicyThatWinsNowhereChangesNoWinner() {
    PropertyTrials.check(0x5EED_0004L, 300, ResolverPropertyTest::cluster, (cluster, random) -> {
      ClusterState state = cluster.state();
      var plans = Resolver.resolve(state);
      Set<String> winners = plans.values().stream()
          .flatMap(p -> Stream.concat(p.getPods().stream(), p.getAuditedPods().stream()))
          .map(PodAssignment::getPolicy).collect(Collectors.toSet());
      List<PolicyRule> losers = state.policies().stream().filter(r -> !winners.contains(r.name())).toList();
      if (losers.isEmpty()) {
        return;
      }
      PolicyRule removed = losers.get(random.nextInt(losers.size()));
      List<PolicyRule> remaining = new ArrayList<>(state.policies());
      remaining.remove(removed);
      var after = Resolver.resolve(new ClusterState(remaining, state.namespaceLabels(), state.nodeLabels(), state.pods()));
      assertThat(winnersOf(after, false)).as("enforced winners without %s", removed.name()).isEqualTo(winnersOf(plans, false));
      assertThat(winnersOf(after, true)).as("audited winners without %s", removed.name()).isEqualTo(winnersOf(plans, true));
    });
  }

  @Test
  void fullResolutionIsTheUnionOfPerNodeResolutions() {
    PropertyTrials.check(0x5EED_0005L, 200, ResolverPropertyTest::cluster, (cluster, random) -> {
      ClusterState state = cluster.state();
      var plans = Resolver.resolve(state);
      PolicySet policies = new PolicySet(state.policies(), ns -> state.namespaceLabels().getOrDefault(ns, Map.of()));
      state.nodeLabels().forEach((node, labels) -> assertThat(
          Resolver.resolveNode(policies, node, labels, state.pods())).as("node %s", node).isEqualTo(plans.get(node)));
    });
  }

  @Test
  void onlyScheduledUnfinishedPodsOnKnownNodesAppear() {
    PropertyTrials.check(0x5EED_0006L, 200, ResolverPropertyTest::cluster, (cluster, random) -> {
      ClusterState state = cluster.state();
      Set<String> eligible = state.pods().stream()
          .filter(p -> p.isResolvable() && state.nodeLabels().containsKey(p.nodeName()))
          .map(PodInfo::uid).collect(Collectors.toSet());
      Resolver.resolve(state).forEach((node, plan) -> plan.getPods().forEach(a -> {
        assertThat(eligible).contains(a.getPodUid());
        assertThat(state.pods().stream().filter(p -> p.uid().equals(a.getPodUid())).findFirst().orElseThrow().nodeName())
            .isEqualTo(node);
      }));
    });
  }

  private static List<PolicyRule> naivelySelecting(ClusterState state, PodInfo pod) {
    if (!pod.isResolvable() || !state.nodeLabels().containsKey(pod.nodeName())) {
      return List.of();
    }
    return state.policies().stream()
        .filter(r -> r.pods().matches(pod.labels())
            && r.namespaces().matches(state.namespaceLabels().getOrDefault(pod.namespace(), Map.of()))
            && r.nodes().matches(state.nodeLabels().get(pod.nodeName())))
        .sorted(PolicyRule.PRECEDENCE).toList();
  }

  private static Map<String, PodAssignment> byUid(SortedMap<String, NodeSchedulingPlanSpec> plans, boolean audited) {
    Map<String, PodAssignment> byUid = new HashMap<>();
    plans.values().forEach(p -> (audited ? p.getAuditedPods() : p.getPods()).forEach(a -> byUid.put(a.getPodUid(), a)));
    return byUid;
  }

  private static Map<String, String> winnersOf(SortedMap<String, NodeSchedulingPlanSpec> plans, boolean audited) {
    Map<String, String> winners = new HashMap<>();
    byUid(plans, audited).forEach((uid, a) -> winners.put(uid, a.getPolicy() + "/" + a.getScheduling()));
    return winners;
  }

  private static ClusterState shuffled(ClusterState state, Random random) {
    List<PolicyRule> policies = new ArrayList<>(state.policies());
    Collections.shuffle(policies, random);
    List<PodInfo> pods = new ArrayList<>(state.pods());
    Collections.shuffle(pods, random);
    return new ClusterState(policies, reversed(state.namespaceLabels()), reversed(state.nodeLabels()), pods);
  }

  private static <V> Map<String, V> reversed(Map<String, V> map) {
    List<String> keys = new ArrayList<>(map.keySet());
    Collections.reverse(keys);
    Map<String, V> copy = new LinkedHashMap<>();
    keys.forEach(k -> copy.put(k, map.get(k)));
    return copy;
  }

  /** Up to 8 policies with unique two-letter names, labels for every namespace and node, up to 25 pods. */
  private static Cluster cluster(Random random) {
    Set<String> names = new LinkedHashSet<>();
    int policyCount = random.nextInt(9);
    while (names.size() < policyCount) {
      names.add("" + letter(random) + letter(random));
    }
    List<PolicyRule> policies = new ArrayList<>();
    List<String> sources = new ArrayList<>();
    for (String name : names) {
      int priority = random.nextInt(4);
      PolicyMode mode = random.nextInt(5) < 4 ? PolicyMode.Enforce : PolicyMode.Audit;
      LabelSelector pods = selector(random);
      LabelSelector namespaces = selector(random);
      LabelSelector nodes = random.nextInt(10) < 6 ? null : selector(random);
      SchedulingClass schedulingClass = pick(random, List.of(SchedulingClass.values()));
      EffectiveScheduling scheduling = new EffectiveScheduling(schedulingClass, 1 + random.nextInt(10_000),
          schedulingClass.defaultSliceMicros(), schedulingClass.defaultPreempt());
      policies.add(new PolicyRule(name, 1, priority, mode, ResolverTestSupport.selector(pods),
          ResolverTestSupport.selector(namespaces), ResolverTestSupport.selector(nodes), scheduling));
      sources.add("%s(priority=%d, %s, pods=%s, namespaces=%s, nodes=%s, %s)".formatted(name, priority, mode,
          describe(pods), describe(namespaces), describe(nodes), scheduling));
    }
    Map<String, Map<String, String>> namespaceLabels = labelsFor(NAMESPACES, random);
    Map<String, Map<String, String>> nodeLabels = labelsFor(NODES, random);
    List<PodInfo> pods = new ArrayList<>();
    int podCount = random.nextInt(26);
    for (int i = 0; i < podCount; i++) {
      pods.add(pod(i, random));
    }
    return new Cluster(new ClusterState(policies, namespaceLabels, nodeLabels, pods), sources);
  }

  private static char letter(Random random) {
    return (char) ('a' + random.nextInt(6));
  }

  /** Mostly running pods; some pending, finished, unscheduled (null node) or on a node that is gone. */
  private static PodInfo pod(int index, Random random) {
    String namespace = pick(random, NAMESPACES);
    String node = random.nextInt(10) == 0 ? null : pick(random, List.of("n0", "n1", "n2", "gone"));
    int phase = random.nextInt(9);
    String phaseName = phase < 6 ? "Running" : List.of("Pending", "Succeeded", "Failed").get(phase - 6);
    return new PodInfo("u" + index, namespace, "pod-" + index, node, phaseName, labels(3, random));
  }

  private static Map<String, Map<String, String>> labelsFor(List<String> names, Random random) {
    Map<String, Map<String, String>> byName = new LinkedHashMap<>();
    names.forEach(name -> byName.put(name, labels(3, random)));
    return byName;
  }

  /** Up to {@code maxSize} labels over the small key and value sets, so that selectors often match. */
  private static Map<String, String> labels(int maxSize, Random random) {
    List<String> keys = new ArrayList<>(KEYS);
    Collections.shuffle(keys, random);
    Map<String, String> labels = new HashMap<>();
    keys.subList(0, random.nextInt(maxSize + 1)).forEach(key -> labels.put(key, pick(random, VALUES)));
    return labels;
  }

  /** At most one matchLabels entry and two expressions of any operator. */
  private static LabelSelector selector(Random random) {
    LabelSelectorBuilder builder = new LabelSelectorBuilder().withMatchLabels(labels(1, random));
    int expressions = random.nextInt(3);
    for (int i = 0; i < expressions; i++) {
      String operator = pick(random, OPERATORS);
      Set<String> values = new TreeSet<>();
      if (operator.equals("In") || operator.equals("NotIn")) {
        int count = 1 + random.nextInt(2);
        while (values.size() < count) {
          values.add(pick(random, VALUES));
        }
      }
      builder.addNewMatchExpression().withKey(pick(random, KEYS)).withOperator(operator)
          .withValues(List.copyOf(values)).endMatchExpression();
    }
    return builder.build();
  }

  private static String describe(LabelSelector selector) {
    if (selector == null) {
      return "null";
    }
    List<String> parts = new ArrayList<>();
    if (selector.getMatchLabels() != null) {
      selector.getMatchLabels().forEach((key, value) -> parts.add(key + "=" + value));
    }
    if (selector.getMatchExpressions() != null) {
      selector.getMatchExpressions().forEach(e -> parts.add(e.getKey() + " " + e.getOperator() + " " + e.getValues()));
    }
    return "{" + String.join(", ", parts) + "}";
  }

  private static <T> T pick(Random random, List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }
}
