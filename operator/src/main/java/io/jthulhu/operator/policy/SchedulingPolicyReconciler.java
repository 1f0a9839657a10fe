package io.jthulhu.operator.policy;

import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.PodAssignment;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.crd.SchedulingPolicyStatus;
import io.jthulhu.operator.informer.TransitionAwareInformerEventSource;
import io.jthulhu.operator.metrics.ResolutionMetrics;
import io.jthulhu.operator.validation.CompiledPolicy;
import io.jthulhu.operator.validation.PolicyCompiler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Validates each SchedulingPolicy and keeps its status in step with the plans that mention it and
 * with what the node daemons reported on those plans.
 */
@ControllerConfiguration(name = SchedulingPolicyReconciler.NAME)
public class SchedulingPolicyReconciler implements Reconciler<SchedulingPolicy> {
  public static final String NAME = "scheduling-policy";
  static final String PLANS_BY_POLICY = "byPolicy";

  private final PolicyStatusRecorder recorder;
  private final ResolutionMetrics metrics;
  private InformerEventSource<NodeSchedulingPlan, SchedulingPolicy> plans;

  public SchedulingPolicyReconciler(PolicyStatusRecorder recorder, ResolutionMetrics metrics) {
    this.recorder = recorder;
    this.metrics = metrics;
  }

  /** Every policy a plan names: winners, and the equal-priority losers listed in conflictsWith. */
  static List<String> policiesNamedIn(NodeSchedulingPlan plan) {
    Set<String> names = new TreeSet<>();
    if (plan.getSpec() != null) {
      for (List<PodAssignment> list : List.of(plan.getSpec().getPods(), plan.getSpec().getAuditedPods())) {
        for (PodAssignment entry : list) {
          names.add(entry.getPolicy());
          names.addAll(entry.getConflictsWith());
        }
      }
    }
    return new ArrayList<>(names);
  }

  @Override
  public List<EventSource<?, SchedulingPolicy>> prepareEventSources(EventSourceContext<SchedulingPolicy> context) {
    plans = new TransitionAwareInformerEventSource<>(
        InformerEventSourceConfiguration.from(NodeSchedulingPlan.class, SchedulingPolicy.class)
            .withName("plans")
            .withSecondaryToPrimaryMapper(plan -> policiesNamedIn(plan).stream().map(ResourceID::new)
                .collect(Collectors.toSet()))
            .build(), context);
    plans.addIndexers(Map.of(PLANS_BY_POLICY, SchedulingPolicyReconciler::policiesNamedIn));
    return List.of(plans);
  }

  @Override
  public UpdateControl<SchedulingPolicy> reconcile(SchedulingPolicy copy, Context<SchedulingPolicy> context) {
    // JOSDK hands over a copy made through JSON, which loses why a spec could not be read; the cached
    // object of the same version has it.
    SchedulingPolicy policy = context.getPrimaryCache().get(ResourceID.fromResource(copy))
        .filter(cached -> Objects.equals(cached.getMetadata().getResourceVersion(), copy.getMetadata().getResourceVersion()))
        .orElse(copy);
    String name = policy.getMetadata().getName();
    CompiledPolicy compiled = PolicyCompiler.compile(policy);
    SchedulingPolicyStatus status = PolicyStatusAggregator.aggregate(policy, compiled,
        plans.byIndex(PLANS_BY_POLICY, name), policy.getStatus(), PolicyStatusRecorder.now());
    recorder.record(policy, status);
    metrics.policyMatched(name, status.getMatchedPods(), context.getPrimaryCache().list()
        .map(p -> p.getMetadata().getName()).collect(Collectors.toSet()));
    return UpdateControl.noUpdate();
  }
}
