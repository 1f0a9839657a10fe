package io.jthulhu.operator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** The operator's own metrics, beside JOSDK's reconciliation metrics. */
public final class ResolutionMetrics {
  private final Timer resolution;
  private final DistributionSummary planSize;
  private final Counter planCreated;
  private final Counter planUpdated;
  private final Counter planUnchanged;
  private final MultiGauge matchedPods;
  private final Map<String, Integer> matchedByPolicy = new ConcurrentHashMap<>();

  public ResolutionMetrics(MeterRegistry registry) {
    resolution = Timer.builder("jthulhu.resolution")
        .description("Time to resolve one node's plan from the informer caches")
        .publishPercentiles(0.5, 0.99)
        .register(registry);
    planSize = DistributionSummary.builder("jthulhu.plan.pods")
        .description("Pods in a node's resolved plan")
        .register(registry);
    planCreated = planWrites(registry, "created");
    planUpdated = planWrites(registry, "updated");
    planUnchanged = planWrites(registry, "unchanged");
    matchedPods = MultiGauge.builder("jthulhu.policy.matched.pods")
        .description("Pods each policy wins (would win, for Audit policies)")
        .register(registry);
  }

  private static Counter planWrites(MeterRegistry registry, String result) {
    return Counter.builder("jthulhu.plan.writes").description("NodeSchedulingPlan writes by outcome")
        .tag("result", result).register(registry);
  }

  public <T> T timeResolution(Supplier<T> resolve) {
    return resolution.record(resolve);
  }

  public void planResolved(int pods, boolean created, boolean written) {
    planSize.record(pods);
    (created ? planCreated : written ? planUpdated : planUnchanged).increment();
  }

  /** Records the matched pods of {@code policy} and forgets policies that no longer exist. */
  public void policyMatched(String policy, int pods, Set<String> existingPolicies) {
    matchedByPolicy.put(policy, pods);
    matchedByPolicy.keySet().retainAll(existingPolicies);
    matchedPods.register(matchedByPolicy.entrySet().stream()
        .map(e -> MultiGauge.Row.of(Tags.of("policy", e.getKey()), e.getValue()))
        .toList(), true);
  }
}
