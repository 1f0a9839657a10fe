package io.jthulhu.operator.resolve;

import io.jthulhu.crd.EffectiveScheduling;
import io.jthulhu.crd.PolicyMode;
import io.jthulhu.operator.selector.Selector;
import java.util.Comparator;

/** A validated SchedulingPolicy in the form the resolver works with. */
public record PolicyRule(
    String name,
    long generation,
    int priority,
    PolicyMode mode,
    Selector pods,
    Selector namespaces,
    Selector nodes,
    EffectiveScheduling scheduling) {

  /** Precedence: higher priority first, then the name that sorts first. Names are unique, so this is total. */
  public static final Comparator<PolicyRule> PRECEDENCE =
      Comparator.comparingInt(PolicyRule::priority).reversed().thenComparing(PolicyRule::name);
}
