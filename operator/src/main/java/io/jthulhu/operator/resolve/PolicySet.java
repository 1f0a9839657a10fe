package io.jthulhu.operator.resolve;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Policies in precedence order, with namespace-selector results cached per namespace so that a
 * resolution evaluates each namespace selector once per namespace rather than once per pod.
 * One instance serves one resolution: namespace labels are assumed not to change during its life.
 */
public final class PolicySet {
  private final PolicyRule[] rules;
  private final Function<String, Map<String, String>> namespaceLabels;
  private final Map<String, boolean[]> namespaceMatches = new HashMap<>();

  public PolicySet(List<PolicyRule> policies, Function<String, Map<String, String>> namespaceLabels) {
    List<PolicyRule> sorted = new ArrayList<>(policies);
    sorted.sort(PolicyRule.PRECEDENCE);
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).name().equals(sorted.get(i - 1).name())) {
        throw new IllegalArgumentException("duplicate policy name " + sorted.get(i).name());
      }
    }
    this.rules = sorted.toArray(PolicyRule[]::new);
    this.namespaceLabels = namespaceLabels;
  }

  int size() {
    return rules.length;
  }

  PolicyRule get(int index) {
    return rules[index];
  }

  boolean[] matchNodes(Map<String, String> nodeLabels) {
    boolean[] matches = new boolean[rules.length];
    for (int i = 0; i < rules.length; i++) {
      matches[i] = rules[i].nodes().matches(nodeLabels);
    }
    return matches;
  }

  boolean[] matchNamespace(String namespace) {
    return namespaceMatches.computeIfAbsent(namespace, ns -> {
      Map<String, String> labels = namespaceLabels.apply(ns);
      boolean[] matches = new boolean[rules.length];
      for (int i = 0; i < rules.length; i++) {
        matches[i] = rules[i].namespaces().matches(labels);
      }
      return matches;
    });
  }
}
