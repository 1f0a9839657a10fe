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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** Properties of resolution over small random clusters where overlaps and ties are frequent. */
class ResolverPropertyTest {
  private static final List<String> KEYS = List.of("app", "tier", "team");
  private static final List<String> VALUES = List.of("a", "b", "c");
  private static final List<String> NAMESPACES = List.of("ns0", "ns1", "ns2");
  private static final List<String> NODES = List.of("n0", "n1", "n2");

  @Property(tries = 300)
  void sameInputInAnyOrderGivesTheSameOutput(@ForAll("clusters") ClusterState state, @ForAll Random random) {
    assertThat(Resolver.resolve(shuffled(state, random))).isEqualTo(Resolver.resolve(state));
  }

  @Property(tries = 300)
  void aPodIsAssignedAtMostOncePerList(@ForAll("clusters") ClusterState state) {
    var plans = Resolver.resolve(state);
    List<String> enforced = plans.values().stream().flatMap(p -> p.getPods().stream()).map(PodAssignment::getPodUid).toList();
    List<String> audited = plans.values().stream().flatMap(p -> p.getAuditedPods().stream()).map(PodAssignment::getPodUid).toList();
    assertThat(enforced).doesNotHaveDuplicates();
    assertThat(audited).doesNotHaveDuplicates();
  }

  @Property(tries = 300)
  void winnersAreTheHighestPrecedenceSelectingPolicies(@ForAll("clusters") ClusterState state) {
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
        assertThat(assignment.getPolicy()).isEqualTo(enforceWinner.name());
        assertThat(assignment.getScheduling()).isEqualTo(enforceWinner.scheduling());
        assertThat(assignment.getConflictsWith()).containsExactlyElementsOf(selecting.stream()
            .filter(r -> r != enforceWinner && r.priority() == enforceWinner.priority()).map(PolicyRule::name).toList());
      }
      boolean auditWins = !selecting.isEmpty() && selecting.get(0).mode() == PolicyMode.Audit;
      assertThat(audited.containsKey(pod.uid())).isEqualTo(auditWins);
      if (auditWins) {
        assertThat(audited.get(pod.uid()).getPolicy()).isEqualTo(selecting.get(0).name());
      }
    }
  }

  @Property(tries = 300)
  void removingAPolicyThatWinsNowhereChangesNoWinner(@ForAll("clusters") ClusterState state, @ForAll Random random) {
    var plans = Resolver.resolve(state);
    Set<String> winners = plans.values().stream()
        .flatMap(p -> java.util.stream.Stream.concat(p.getPods().stream(), p.getAuditedPods().stream()))
        .map(PodAssignment::getPolicy).collect(Collectors.toSet());
    List<PolicyRule> losers = state.policies().stream().filter(r -> !winners.contains(r.name())).toList();
    if (losers.isEmpty()) {
      return;
    }
    PolicyRule removed = losers.get(random.nextInt(losers.size()));
    List<PolicyRule> remaining = new ArrayList<>(state.policies());
    remaining.remove(removed);
    var after = Resolver.resolve(new ClusterState(remaining, state.namespaceLabels(), state.nodeLabels(), state.pods()));
    assertThat(winnersOf(after, false)).isEqualTo(winnersOf(plans, false));
    assertThat(winnersOf(after, true)).isEqualTo(winnersOf(plans, true));
  }

  @Property(tries = 200)
  void fullResolutionIsTheUnionOfPerNodeResolutions(@ForAll("clusters") ClusterState state) {
    var plans = Resolver.resolve(state);
    PolicySet policies = new PolicySet(state.policies(), ns -> state.namespaceLabels().getOrDefault(ns, Map.of()));
    state.nodeLabels().forEach((node, labels) -> assertThat(
        Resolver.resolveNode(policies, node, labels, state.pods())).isEqualTo(plans.get(node)));
  }

  @Property(tries = 200)
  void onlyScheduledUnfinishedPodsOnKnownNodesAppear(@ForAll("clusters") ClusterState state) {
    Set<String> eligible = state.pods().stream()
        .filter(p -> p.isResolvable() && state.nodeLabels().containsKey(p.nodeName()))
        .map(PodInfo::uid).collect(Collectors.toSet());
    Resolver.resolve(state).forEach((node, plan) -> plan.getPods().forEach(a -> {
      assertThat(eligible).contains(a.getPodUid());
      assertThat(state.pods().stream().filter(p -> p.uid().equals(a.getPodUid())).findFirst().orElseThrow().nodeName())
          .isEqualTo(node);
    }));
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

  @Provide
  Arbitrary<ClusterState> clusters() {
    Arbitrary<List<PolicyRule>> policies = Arbitraries.strings().withCharRange('a', 'f').ofLength(2)
        .list().ofMaxSize(8).uniqueElements()
        .flatMap(names -> Combinators.combine(names.stream().map(this::policy).toList()).as(list -> list));
    Arbitrary<Map<String, Map<String, String>>> namespaces = labelsFor(NAMESPACES);
    Arbitrary<Map<String, Map<String, String>>> nodes = labelsFor(NODES);
    Arbitrary<List<PodInfo>> pods = Arbitraries.integers().between(0, 25).flatMap(count ->
        Combinators.combine(IntStream.range(0, count).mapToObj(this::pod).toList()).as(list -> list));
    return Combinators.combine(policies, namespaces, nodes, pods).as(ClusterState::new);
  }

  private Arbitrary<PolicyRule> policy(String name) {
    return Combinators.combine(
        Arbitraries.integers().between(0, 3),
        Arbitraries.frequency(Tuple.of(4, PolicyMode.Enforce), Tuple.of(1, PolicyMode.Audit)),
        selectors(), selectors(), selectors().injectNull(0.6),
        Arbitraries.of(SchedulingClass.class),
        Arbitraries.integers().between(1, 10_000))
        .as((priority, mode, pods, namespaces, nodes, schedulingClass, weight) -> new PolicyRule(
            name, 1, priority, mode, ResolverTestSupport.selector(pods), ResolverTestSupport.selector(namespaces),
            ResolverTestSupport.selector(nodes), new EffectiveScheduling(schedulingClass, weight,
                schedulingClass.defaultSliceMicros(), schedulingClass.defaultPreempt())));
  }

  private Arbitrary<PodInfo> pod(int index) {
    return Combinators.combine(
        Arbitraries.of(NAMESPACES),
        Arbitraries.of("n0", "n1", "n2", "gone").injectNull(0.1),
        Arbitraries.frequency(Tuple.of(6, "Running"), Tuple.of(1, "Pending"), Tuple.of(1, "Succeeded"), Tuple.of(1, "Failed")),
        labels())
        .as((namespace, node, phase, labels) -> new PodInfo("u" + index, namespace, "pod-" + index, node, phase, labels));
  }

  private static Arbitrary<Map<String, Map<String, String>>> labelsFor(List<String> names) {
    return labels().list().ofSize(names.size()).map(all -> {
      Map<String, Map<String, String>> byName = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        byName.put(names.get(i), all.get(i));
      }
      return byName;
    });
  }

  private static Arbitrary<Map<String, String>> labels() {
    return Arbitraries.maps(Arbitraries.of(KEYS), Arbitraries.of(VALUES)).ofMaxSize(3);
  }

  private static Arbitrary<LabelSelector> selectors() {
    Arbitrary<Map<String, String>> matchLabels = Arbitraries.maps(Arbitraries.of(KEYS), Arbitraries.of(VALUES)).ofMaxSize(1);
    Arbitrary<String[]> expression = Combinators.combine(
            Arbitraries.of(KEYS), Arbitraries.of("In", "NotIn", "Exists", "DoesNotExist"),
            Arbitraries.of(VALUES).set().ofMinSize(1).ofMaxSize(2))
        .as((key, operator, values) -> {
          List<String> parts = new ArrayList<>(List.of(key, operator));
          if (operator.equals("In") || operator.equals("NotIn")) {
            parts.addAll(new java.util.TreeSet<>(values));
          }
          return parts.toArray(String[]::new);
        });
    return Combinators.combine(matchLabels, expression.list().ofMaxSize(2)).as((pairs, expressions) -> {
      LabelSelectorBuilder builder = new LabelSelectorBuilder().withMatchLabels(new HashMap<>(pairs));
      for (String[] e : expressions) {
        builder.addNewMatchExpression().withKey(e[0]).withOperator(e[1])
            .withValues(List.of(e).subList(2, e.length)).endMatchExpression();
      }
      return builder.build();
    });
  }

}
