package io.jthulhu.operator.bench;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.operator.JthulhuOperator;
import io.jthulhu.operator.cluster.MockCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Not a test: measures, against the mock API server with 200 nodes and 5 000 pods, the time from a
 * SchedulingPolicy create to every affected NodeSchedulingPlan carrying it (seen through a watch).
 * Run: mvn -q -pl operator test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java
 *      -Dexec.classpathScope=test -Dexec.mainClass=io.jthulhu.operator.bench.PolicyRolloutBenchmark
 */
public final class PolicyRolloutBenchmark {
  private static final int NODES = 200;
  private static final int PODS = 5_000;
  private static final int NAMESPACES = 50;
  private static final String[] TIERS = {"web", "api", "worker", "batch"};

  private PolicyRolloutBenchmark() {
  }

  /** Pods spread evenly: every node runs pods of every tier, so each policy touches all 200 plans. */
  private static String node(int pod) {
    return "node-" + pod % NODES;
  }

  private static String tier(int pod) {
    return TIERS[pod / NODES % TIERS.length];
  }

  public static void main(String[] args) throws Exception {
    try (MockCluster cluster = new MockCluster()) {
      for (int i = 0; i < NODES; i++) {
        cluster.node("node-" + i, "pool", i % 2 == 0 ? "web" : "compute");
      }
      for (int i = 0; i < NAMESPACES; i++) {
        cluster.namespace("ns-" + i, "team", "team-" + (i % 10));
      }
      for (int i = 0; i < PODS; i++) {
        cluster.pod("ns-" + (i % NAMESPACES), "pod-" + i, node(i), "tier", tier(i));
      }
      Map<String, NodeSchedulingPlan> plans = new ConcurrentHashMap<>();
      SharedIndexInformer<NodeSchedulingPlan> watch = cluster.client().resources(NodeSchedulingPlan.class)
          .inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(NodeSchedulingPlan plan) {
              plans.put(plan.getMetadata().getName(), plan);
            }

            @Override
            public void onUpdate(NodeSchedulingPlan old, NodeSchedulingPlan plan) {
              plans.put(plan.getMetadata().getName(), plan);
            }

            @Override
            public void onDelete(NodeSchedulingPlan plan, boolean unknown) {
              plans.remove(plan.getMetadata().getName());
            }
          });
      try (JthulhuOperator operator = cluster.operator("bench", false, new SimpleMeterRegistry())) {
        long start = System.nanoTime();
        operator.start();
        awaitUntil(() -> plans.size() == NODES, 120);
        System.out.printf("operator start to %d empty plans: %d ms%n", NODES, (System.nanoTime() - start) / 1_000_000);

        String[][] rollouts = {{"api", "api"}, {"web", "web"}, {"batch", "batch"}, {"workers", "worker"}};
        long[] millis = new long[rollouts.length];
        for (int r = 0; r < rollouts.length; r++) {
          String policy = rollouts[r][0];
          Set<String> expectedNodes = ConcurrentHashMap.newKeySet();
          for (int i = 0; i < PODS; i++) {
            if (tier(i).equals(rollouts[r][1])) {
              expectedNodes.add(node(i));
            }
          }
          int requestsBefore = cluster.server().getRequestCount();
          start = System.nanoTime();
          cluster.policy(policy, 10 + r, SchedulingClass.Batch,
              new LabelSelectorBuilder().addToMatchLabels("tier", rollouts[r][1]).build());
          awaitUntil(() -> expectedNodes.stream().allMatch(node -> plans.get(node).getSpec().getPods().stream()
              .anyMatch(entry -> entry.getPolicy().equals(policy))), 60);
          millis[r] = (System.nanoTime() - start) / 1_000_000;
          System.out.printf("policy %s create -> %d plans written: %d ms (%d API requests)%n", policy,
              expectedNodes.size(), millis[r], cluster.server().getRequestCount() - requestsBefore);
        }
        System.out.println("policy create to all plans written (ms): " + Arrays.toString(millis));
      } finally {
        watch.close();
      }
    }
  }

  private static void awaitUntil(java.util.function.BooleanSupplier done, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not done within " + seconds + " s");
      }
      new CountDownLatch(1).await(5, TimeUnit.MILLISECONDS);
    }
  }
}
