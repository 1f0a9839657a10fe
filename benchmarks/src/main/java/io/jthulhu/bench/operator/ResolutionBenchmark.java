package io.jthulhu.bench.operator;

import io.jthulhu.crd.NodeSchedulingPlanSpec;
import io.jthulhu.operator.resolve.ClusterState;
import io.jthulhu.operator.resolve.PodInfo;
import io.jthulhu.operator.resolve.PolicySet;
import io.jthulhu.operator.resolve.Resolver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Resolution at cluster scale (5 000 nodes, 150 000 pods, 500 namespaces, 200 policies).
 * {@code full}: every node's plan from scratch, as after an operator start.
 * {@code onePodRelabelled}: what the operator does when one pod's labels change: rebuild the policy
 * set and re-resolve that pod's node from its pods, then compare with the node's current plan.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class ResolutionBenchmark {
  static final int NODES = 5_000;
  static final int PODS = 150_000;
  static final int NAMESPACES = 500;
  static final int POLICIES = 200;

  ClusterState state;
  SortedMap<String, NodeSchedulingPlanSpec> plans;
  Map<String, List<PodInfo>> podsByNode;
  int next;

  @Setup(Level.Trial)
  public void setUp() {
    state = SyntheticCluster.generate(NODES, PODS, NAMESPACES, POLICIES, 42);
    plans = Resolver.resolve(state);
    podsByNode = new HashMap<>();
    for (PodInfo pod : state.pods()) {
      podsByNode.computeIfAbsent(pod.nodeName(), n -> new ArrayList<>()).add(pod);
    }
  }

  @Benchmark
  @Warmup(iterations = 2, time = 5)
  @Measurement(iterations = 5, time = 5)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public SortedMap<String, NodeSchedulingPlanSpec> full() {
    return Resolver.resolve(state);
  }

  @Benchmark
  @Warmup(iterations = 3, time = 2)
  @Measurement(iterations = 5, time = 2)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public boolean onePodRelabelled() {
    int index = next++ % PODS;
    PodInfo old = ((List<PodInfo>) state.pods()).get(index);
    Map<String, String> labels = new HashMap<>(old.labels());
    labels.put("tier", (next & 1) == 0 ? "batch" : "api");
    PodInfo relabelled = new PodInfo(old.uid(), old.namespace(), old.name(), old.nodeName(), old.phase(), labels);
    List<PodInfo> onNode = new ArrayList<>(podsByNode.get(old.nodeName()));
    onNode.replaceAll(p -> p.uid().equals(old.uid()) ? relabelled : p);
    PolicySet policies = new PolicySet(state.policies(), ns -> state.namespaceLabels().getOrDefault(ns, Map.of()));
    NodeSchedulingPlanSpec plan = Resolver.resolveNode(policies, old.nodeName(),
        state.nodeLabels().get(old.nodeName()), onNode);
    return plan.equals(plans.get(old.nodeName()));
  }
}
