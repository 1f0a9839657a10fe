package io.jthulhu.operator.bench;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.operator.JthulhuOperator;
import io.jthulhu.operator.cluster.MockCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.jthulhu.crd.SchedulingPolicy;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Not a test: measures, against the mock API server with 200 nodes and 5 000 pods, the time from a
 * SchedulingPolicy create to every affected NodeSchedulingPlan carrying it (seen through a watch), over
 * {@code rounds} rounds of four policies (created, then deleted), and, for comparison, the same plan
 * writes sent directly by a client.
 * Run: mvn -q -pl operator test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java
 *      -Dexec.classpathScope=test -Dexec.mainClass=io.jthulhu.operator.bench.PolicyRolloutBenchmark -Dexec.args=ROUNDS
 */
public final class PolicyRolloutBenchmark {
  private static final int NODES = 200;
  private static final int PODS = 5_000;
  private static final int NAMESPACES = 50;
  private static final String[] TIERS = {"web", "api", "worker", "batch"};
  /** JOSDK's default number of reconciler threads, which the operator keeps. */
  private static final int WRITER_THREADS = 50;

  private PolicyRolloutBenchmark() {
  }

  /** Pods spread evenly: every node runs pods of every tier, so each policy touches all 200 plans. */
  private static String node(int pod) {
    return "node-" + pod % NODES;
  }

  private static String tier(int pod) {
    return TIERS[pod / NODES % TIERS.length];
  }

  private static Set<String> nodesRunning(String tier) {
    Set<String> nodes = new HashSet<>();
    for (int i = 0; i < PODS; i++) {
      if (tier(i).equals(tier)) {
        nodes.add(node(i));
      }
    }
    return nodes;
  }

  private static boolean carries(NodeSchedulingPlan plan, String policy) {
    return plan != null && plan.getSpec().getPods().stream().anyMatch(entry -> entry.getPolicy().equals(policy));
  }

  /**
   * The floor the mock server sets: one JSON patch of /spec per plan, as the reconcilers send them, from
   * as many threads as JOSDK reconciles on, timed {@code times} times.
   */
  private static List<Long> directWrites(MockCluster cluster, int times) throws Exception {
    List<NodeSchedulingPlan> all = cluster.client().resources(NodeSchedulingPlan.class).list().getItems();
    List<Long> millis = new ArrayList<>();
    ExecutorService writers = Executors.newFixedThreadPool(WRITER_THREADS);
    try {
      for (int t = 0; t < times; t++) {
        long start = System.nanoTime();
        List<Future<?>> writes = new ArrayList<>();
        for (NodeSchedulingPlan plan : all) {
          writes.add(writers.submit(() -> cluster.client().resource(plan).patch(PatchContext.of(PatchType.JSON),
              cluster.client().getKubernetesSerialization().asJson(
                  List.of(Map.of("op", "add", "path", "/spec", "value", plan.getSpec()))))));
        }
        for (Future<?> write : writes) {
          write.get();
        }
        millis.add((System.nanoTime() - start) / 1_000_000);
      }
    } finally {
      writers.shutdown();
    }
    return millis;
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 1;
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
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      try (JthulhuOperator operator = cluster.operator("bench", false, registry)) {
        long start = System.nanoTime();
        operator.start();
        awaitUntil(() -> plans.size() == NODES, 120);
        System.out.printf("operator start to %d empty plans: %d ms%n", NODES, (System.nanoTime() - start) / 1_000_000);
        Timer resolution = registry.find("jthulhu.resolution").timer();

        String[][] rollouts = {{"api", "api"}, {"web", "web"}, {"batch", "batch"}, {"workers", "worker"}};
        List<Long> millis = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
          for (int r = 0; r < rollouts.length; r++) {
            String policy = rollouts[r][0];
            Set<String> expectedNodes = nodesRunning(rollouts[r][1]);
            int requestsBefore = cluster.server().getRequestCount();
            double resolvingBefore = resolution.totalTime(TimeUnit.MILLISECONDS);
            start = System.nanoTime();
            cluster.policy(policy, 10 + r, SchedulingClass.Batch,
                new LabelSelectorBuilder().addToMatchLabels("tier", rollouts[r][1]).build());
            awaitUntil(() -> expectedNodes.stream().allMatch(node -> carries(plans.get(node), policy)), 60);
            long took = (System.nanoTime() - start) / 1_000_000;
            millis.add(took);
            System.out.printf("round %d: policy %s create -> %d plans written: %d ms (%d API requests; resolving %.0f ms)%n",
                round, policy, expectedNodes.size(), took, cluster.server().getRequestCount() - requestsBefore,
                resolution.totalTime(TimeUnit.MILLISECONDS) - resolvingBefore);
          }
          if (round + 1 < rounds) {
            for (String[] rollout : rollouts) {
              cluster.client().resources(SchedulingPolicy.class).withName(rollout[0]).delete();
            }
            awaitUntil(() -> plans.values().stream().allMatch(plan -> plan.getSpec().getPods().isEmpty()), 60);
          }
        }
        System.out.println("policy create to all plans written (ms): " + millis + ", max " + Collections.max(millis));
        System.out.printf("the same %d plan writes sent directly by a client from %d threads (ms): %s%n", NODES,
            WRITER_THREADS, directWrites(cluster, 5));
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
