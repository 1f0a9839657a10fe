package io.jthulhu.operator.validation;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.crd.SchedulingParameters;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.crd.SchedulingPolicySpec;
import io.jthulhu.operator.resolve.PolicyRule;
import io.jthulhu.operator.selector.InvalidSelectorException;
import io.jthulhu.operator.selector.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Semantic checks of a SchedulingPolicy. They repeat the CRD schema's range and CEL rules, selector
 * rules included (an API server with an older CRD, or none, must not let a bad policy half-apply), and
 * add what the CRD leaves out: the syntax of matchLabels keys. A policy with any error contributes
 * nothing. The validate command runs these too, after the schema.
 */
public final class PolicyCompiler {
  private PolicyCompiler() {
  }

  public static CompiledPolicy compile(SchedulingPolicy policy) {
    List<FieldError> errors = new ArrayList<>();
    SchedulingPolicySpec spec = policy.getSpec();
    if (spec == null) {
      return new CompiledPolicy.Invalid(List.of(new FieldError("spec", "Required value")));
    }
    if (spec.unreadable() != null) {
      return new CompiledPolicy.Invalid(List.of(new FieldError(spec.unreadable().field(), spec.unreadable().problem())));
    }
    Selector pods = selector(spec.getPodSelector(), "spec.podSelector", errors);
    Selector namespaces = selector(spec.getNamespaceSelector(), "spec.namespaceSelector", errors);
    Selector nodes = selector(spec.getNodeSelector(), "spec.nodeSelector", errors);
    int priority = spec.effectivePriority();
    if (priority < SchedulingPolicySpec.MIN_PRIORITY || priority > SchedulingPolicySpec.MAX_PRIORITY) {
      errors.add(new FieldError("spec.priority", "must be between " + SchedulingPolicySpec.MIN_PRIORITY
          + " and " + SchedulingPolicySpec.MAX_PRIORITY + ", got " + priority));
    }
    checkScheduling(spec.getScheduling(), errors);
    if (!errors.isEmpty()) {
      return new CompiledPolicy.Invalid(errors);
    }
    long generation = Objects.requireNonNullElse(policy.getMetadata().getGeneration(), 0L);
    return new CompiledPolicy.Valid(new PolicyRule(policy.getMetadata().getName(), generation, priority,
        spec.effectiveMode(), pods, namespaces, nodes, spec.getScheduling().effective()));
  }

  private static void checkScheduling(SchedulingParameters scheduling, List<FieldError> errors) {
    if (scheduling == null) {
      errors.add(new FieldError("spec.scheduling", "Required value"));
      return;
    }
    SchedulingClass schedulingClass = scheduling.getSchedulingClass();
    if (schedulingClass == null) {
      errors.add(new FieldError("spec.scheduling.class", "Required value"));
    }
    Integer weight = scheduling.getWeight();
    if (weight != null && (weight < SchedulingParameters.MIN_WEIGHT || weight > SchedulingParameters.MAX_WEIGHT)) {
      errors.add(new FieldError("spec.scheduling.weight", "must be between " + SchedulingParameters.MIN_WEIGHT
          + " and " + SchedulingParameters.MAX_WEIGHT + ", got " + weight));
    }
    Long slice = scheduling.getSliceMicros();
    if (slice != null && (slice < SchedulingParameters.MIN_SLICE_MICROS || slice > SchedulingParameters.MAX_SLICE_MICROS)) {
      errors.add(new FieldError("spec.scheduling.sliceMicros", "must be between " + SchedulingParameters.MIN_SLICE_MICROS
          + " and " + SchedulingParameters.MAX_SLICE_MICROS + " microseconds, got " + slice));
    }
    if (schedulingClass == SchedulingClass.LatencyCritical && slice != null
        && slice > SchedulingParameters.MAX_LATENCY_CRITICAL_SLICE_MICROS) {
      errors.add(new FieldError("spec.scheduling.sliceMicros", "LatencyCritical requires a slice of at most "
          + SchedulingParameters.MAX_LATENCY_CRITICAL_SLICE_MICROS + " microseconds, got " + slice));
    }
    if (schedulingClass == SchedulingClass.Idle && Boolean.TRUE.equals(scheduling.getPreempt())) {
      errors.add(new FieldError("spec.scheduling.preempt", "the Idle class cannot preempt other tasks"));
    }
  }

  private static Selector selector(LabelSelector selector, String field, List<FieldError> errors) {
    try {
      return Selector.compile(selector, field);
    } catch (InvalidSelectorException e) {
      errors.addAll(e.errors());
      return null;
    }
  }
}
