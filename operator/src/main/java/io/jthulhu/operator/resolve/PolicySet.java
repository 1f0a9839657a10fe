package io.jthulhu.operator.resolve;

import io.jthulhu.operator.selector.Selector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Policies in precedence order, with the lookups a resolution repeats for every pod made once:
 * pod selectors indexed by a label they require, so that a pod is checked only against policies that
 * can select it, and namespace-selector results cached per namespace. Sets of policies are bitsets
 * over the precedence order, so iterating one visits policies by precedence.
 *
 * <p>Thread-safe and meant to be shared by every resolution while the policies are unchanged: a
 * namespace's cached result is recomputed when its labels differ from the ones it was computed for.
 */
public final class PolicySet {
  private record NamespaceMatch(Map<String, String> labels, long[] policies) {
  }

  private final PolicyRule[] rules;
  private final int words;
  private final Function<String, Map<String, String>> namespaceLabels;
  private final Map<String, NamespaceMatch> namespaceMatches = new ConcurrentHashMap<>();
  /** Policies whose pod selector requires no particular label value: checked for every pod. */
  private final long[] unindexedPodSelectors;
  /** label key → label value → policies whose pod selector requires that value. */
  private final Map<String, Map<String, long[]>> podSelectorIndex = new HashMap<>();
  private final String[] indexedKeys;

  public PolicySet(List<PolicyRule> policies, Function<String, Map<String, String>> namespaceLabels) {
    List<PolicyRule> sorted = new ArrayList<>(policies);
    sorted.sort(PolicyRule.PRECEDENCE);
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).name().equals(sorted.get(i - 1).name())) {
        throw new IllegalArgumentException("duplicate policy name " + sorted.get(i).name());
      }
    }
    this.rules = sorted.toArray(PolicyRule[]::new);
    this.words = (rules.length + 63) >>> 6;
    this.namespaceLabels = namespaceLabels;
    this.unindexedPodSelectors = new long[words];
    for (int i = 0; i < rules.length; i++) {
      Selector.RequiredLabel required = rules[i].pods().requiredLabel();
      if (required == null) {
        set(unindexedPodSelectors, i);
        continue;
      }
      Map<String, long[]> byValue = podSelectorIndex.computeIfAbsent(required.key(), key -> new HashMap<>());
      for (String value : required.values()) {
        set(byValue.computeIfAbsent(value, v -> new long[words]), i);
      }
    }
    this.indexedKeys = podSelectorIndex.keySet().toArray(String[]::new);
  }

  int size() {
    return rules.length;
  }

  PolicyRule get(int index) {
    return rules[index];
  }

  /** A fresh, empty set of policies. */
  long[] newBitset() {
    return new long[words];
  }

  /** The policies whose node selector matches {@code nodeLabels}. */
  long[] matchNodes(Map<String, String> nodeLabels) {
    return matching(PolicyRule::nodes, nodeLabels);
  }

  /** The policies whose namespace selector matches {@code namespace}'s current labels. Do not modify. */
  long[] matchNamespace(String namespace) {
    Map<String, String> labels = namespaceLabels.apply(namespace);
    NamespaceMatch cached = namespaceMatches.get(namespace);
    if (cached != null && cached.labels().equals(labels)) {
      return cached.policies();
    }
    long[] matches = matching(PolicyRule::namespaces, labels);
    namespaceMatches.put(namespace, new NamespaceMatch(labels, matches));
    return matches;
  }

  private long[] matching(Function<PolicyRule, Selector> selector, Map<String, String> labels) {
    long[] matches = newBitset();
    for (int i = 0; i < rules.length; i++) {
      if (selector.apply(rules[i]).matches(labels)) {
        set(matches, i);
      }
    }
    return matches;
  }

  /**
   * Into {@code out}: the policies that may select a pod with {@code podLabels}, a superset of those
   * whose pod selector matches (the index looks at one required label per selector).
   */
  void podCandidates(Map<String, String> podLabels, long[] out) {
    System.arraycopy(unindexedPodSelectors, 0, out, 0, words);
    for (String key : indexedKeys) {
      String value = podLabels.get(key);
      if (value == null) {
        continue;
      }
      long[] policies = podSelectorIndex.get(key).get(value);
      if (policies != null) {
        for (int w = 0; w < words; w++) {
          out[w] |= policies[w];
        }
      }
    }
  }

  private static void set(long[] bitset, int index) {
    bitset[index >>> 6] |= 1L << index;
  }
}
