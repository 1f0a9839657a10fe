package io.jthulhu.operator.plan;

import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.operator.resolve.PolicyRule;
import io.jthulhu.operator.resolve.PolicySet;
import io.jthulhu.operator.validation.CompiledPolicy;
import io.jthulhu.operator.validation.PolicyCompiler;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Compiled policies keyed by UID and resourceVersion, and the policy set built from the valid ones, so
 * that reconciling thousands of nodes after one policy change compiles each policy and indexes the set
 * once rather than once per node.
 */
final class PolicyCatalog {
  private record Entry(String resourceVersion, CompiledPolicy compiled) {
  }

  private final Map<String, Entry> byUid = new HashMap<>();
  private final Function<String, Map<String, String>> namespaceLabels;
  private PolicySet current;

  PolicyCatalog(Function<String, Map<String, String>> namespaceLabels) {
    this.namespaceLabels = namespaceLabels;
  }

  /** The set of the valid policies among {@code policies}, the same instance while none changed. */
  synchronized PolicySet policySet(Collection<SchedulingPolicy> policies) {
    boolean changed = current == null;
    Set<String> present = new HashSet<>();
    for (SchedulingPolicy policy : policies) {
      String uid = policy.getMetadata().getUid();
      present.add(uid);
      Entry entry = byUid.get(uid);
      if (entry == null || !Objects.equals(entry.resourceVersion(), policy.getMetadata().getResourceVersion())) {
        byUid.put(uid, new Entry(policy.getMetadata().getResourceVersion(), PolicyCompiler.compile(policy)));
        changed = true;
      }
    }
    changed |= byUid.keySet().retainAll(present);
    if (changed) {
      List<PolicyRule> rules = new ArrayList<>(byUid.size());
      for (Entry entry : byUid.values()) {
        if (entry.compiled() instanceof CompiledPolicy.Valid valid) {
          rules.add(valid.rule());
        }
      }
      current = new PolicySet(rules, namespaceLabels);
    }
    return current;
  }
}
