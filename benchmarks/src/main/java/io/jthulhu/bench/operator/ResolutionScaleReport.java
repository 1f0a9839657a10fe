package io.jthulhu.bench.operator;

import io.jthulhu.crd.NodeSchedulingPlanSpec;
import io.jthulhu.operator.resolve.ClusterState;
import io.jthulhu.operator.resolve.Resolver;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SortedMap;

/**
 * Heap and wall-clock figures for full resolution at cluster scale, outside JMH: heap retained by the
 * inputs and the resulting plans after a full GC, and the median of repeated full resolutions.
 * Run: java -Xmx1g -cp benchmarks/target/jthulhu-benchmarks.jar io.jthulhu.bench.operator.ResolutionScaleReport
 */
public final class ResolutionScaleReport {
  private ResolutionScaleReport() {
  }

  public static void main(String[] args) {
    long baseline = usedAfterGc();
    ClusterState state = SyntheticCluster.generate(ResolutionBenchmark.NODES, ResolutionBenchmark.PODS,
        ResolutionBenchmark.NAMESPACES, ResolutionBenchmark.POLICIES, 42);
    long withInputs = usedAfterGc();
    SortedMap<String, NodeSchedulingPlanSpec> plans = Resolver.resolve(state);
    long withPlans = usedAfterGc();
    long[] millis = new long[7];
    for (int i = 0; i < millis.length; i++) {
      long start = System.nanoTime();
      plans = Resolver.resolve(state);
      millis[i] = (System.nanoTime() - start) / 1_000_000;
    }
    long assigned = plans.values().stream().mapToLong(p -> p.getPods().size()).sum();
    long audited = plans.values().stream().mapToLong(p -> p.getAuditedPods().size()).sum();
    Arrays.sort(millis);
    System.out.printf("nodes=%d pods=%d namespaces=%d policies=%d -> %d pods assigned, %d audited%n",
        state.nodeLabels().size(), state.pods().size(), state.namespaceLabels().size(), state.policies().size(),
        assigned, audited);
    System.out.printf("full resolution: median %d ms, min %d ms, max %d ms (7 runs after 1 warm-up)%n",
        millis[millis.length / 2], millis[0], millis[millis.length - 1]);
    System.out.printf("heap after GC: inputs %d MiB, plans %d MiB, total %d MiB (max heap %d MiB)%n",
        (withInputs - baseline) >> 20, (withPlans - withInputs) >> 20, (withPlans - baseline) >> 20,
        Runtime.getRuntime().maxMemory() >> 20);
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
