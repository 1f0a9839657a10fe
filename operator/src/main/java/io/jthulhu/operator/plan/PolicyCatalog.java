package io.jthulhu.operator.plan;

import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.operator.resolve.PolicyRule;
import io.jthulhu.operator.validation.CompiledPolicy;
import io.jthulhu.operator.validation.PolicyCompiler;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiled policies keyed by UID and resourceVersion, so that reconciling thousands of nodes after one
 * policy change compiles each policy once rather than once per node.
 */
final class PolicyCatalog {
  private record Entry(String resourceVersion, CompiledPolicy compiled) {
  }

  private final Map<String, Entry> byUid = new ConcurrentHashMap<>();

  /** The valid rules among {@code policies}; invalid ones contribute nothing. */
  List<PolicyRule> validRules(Collection<SchedulingPolicy> policies) {
    List<PolicyRule> rules = new ArrayList<>(policies.size());
    Set<String> present = new HashSet<>();
    for (SchedulingPolicy policy : policies) {
      String uid = policy.getMetadata().getUid();
      present.add(uid);
      Entry entry = byUid.get(uid);
      if (entry == null || !Objects.equals(entry.resourceVersion(), policy.getMetadata().getResourceVersion())) {
        entry = new Entry(policy.getMetadata().getResourceVersion(), PolicyCompiler.compile(policy));
        byUid.put(uid, entry);
      }
      if (entry.compiled() instanceof CompiledPolicy.Valid valid) {
        rules.add(valid.rule());
      }
    }
    byUid.keySet().retainAll(present);
    return rules;
  }
}
