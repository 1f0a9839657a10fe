package io.jthulhu.operator.bench;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.operator.JthulhuOperator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Not a test: the operator's heap, full-resolution time and one-pod-change time at scale, on the real
 * path (JOSDK informers listing and watching over HTTP, the trimmed pod store, the reconcilers writing
 * plans). The API server is {@link MockApiServerMain} in a child JVM, so this JVM's heap is the
 * operator's (plus the JVM's own baseline, reported separately). See docs/performance.md for the command.
 *
 * <p>Args (defaults in brackets): nodes [5000] policies [200] pods [150000] server heap [8g].
 */
public final class OperatorMemoryBenchmark {
  private static final double MIB = 1024 * 1024;

  private OperatorMemoryBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    int policies = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int pods = args.length > 2 ? Integer.parseInt(args[2]) : 150_000;
    String serverHeap = args.length > 3 ? args[3] : "8g";

    Process server = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx" + serverHeap,
        "-cp", System.getProperty("java.class.path"), MockApiServerMain.class.getName(),
        String.valueOf(nodes), String.valueOf(policies), String.valueOf(pods))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      String line;
      String url = null;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("READY ")) {
          url = line.substring("READY ".length());
          break;
        }
      }
      if (url == null) {
        throw new IllegalStateException("the API server process ended before it was ready");
      }
      run(url, nodes, policies, pods);
    } finally {
      server.getOutputStream().close();
      server.destroy();
      server.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static void run(String url, int nodes, int policies, int pods) throws Exception {
    KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder().withMasterUrl(url).withTrustCerts(true).withNamespace("default").build()).build();
    double baseline = retainedHeapMiB();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    JthulhuOperator.Settings settings = new JthulhuOperator.Settings("jthulhu-system", "bench", false,
        Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2), false, Duration.ofMinutes(10));
    try (JthulhuOperator operator = new JthulhuOperator(client, registry, settings)) {
      Counter created = registry.find("jthulhu.plan.writes").tag("result", "created").counter();
      Timer resolution = registry.find("jthulhu.resolution").timer();
      long start = System.nanoTime();
      operator.start();
      long startedMillis = (System.nanoTime() - start) / 1_000_000;
      awaitUntil(() -> created.count() >= nodes, Duration.ofMinutes(20));
      long allPlansMillis = (System.nanoTime() - start) / 1_000_000;
      double initialResolutionMillis = resolution.totalTime(TimeUnit.MILLISECONDS);
      long initialResolutions = resolution.count();
      awaitQuiet(registry, Duration.ofSeconds(3));
      int cachedPods = operator.nodePlans().cachedPods().size();
      double retained = retainedHeapMiB();

      // Full resolution on one thread: every node's plan from the operator's own caches, as reconciles compute it.
      List<Node> allNodes = client.nodes().list().getItems();
      List<Double> sweepMillis = new ArrayList<>();
      int enforced = 0;
      for (int sweep = 0; sweep < 5; sweep++) {
        enforced = 0;
        start = System.nanoTime();
        for (Node node : allNodes) {
          enforced += operator.nodePlans().resolve(node).getPods().size();
        }
        sweepMillis.add((System.nanoTime() - start) / 1e6);
      }

      // Full resolution: a policy change re-resolves every node from the informer caches.
      long fullBefore = resolution.count();
      double fullTimeBefore = resolution.totalTime(TimeUnit.MILLISECONDS);
      SchedulingPolicy policy = client.resources(SchedulingPolicy.class).withName("policy-1").get();
      policy.getSpec().setPriority(policy.getSpec().effectivePriority() + 1);
      start = System.nanoTime();
      client.resource(policy).update();
      awaitUntil(() -> resolution.count() >= fullBefore + nodes, Duration.ofMinutes(5));
      long fullMillis = (System.nanoTime() - start) / 1_000_000;
      double fullCpuMillis = resolution.totalTime(TimeUnit.MILLISECONDS) - fullTimeBefore;
      awaitQuiet(registry, Duration.ofSeconds(2));

      // One pod's change: a label edit moves the probe pod to another policy; time until its plan is rewritten.
      Counter updated = registry.find("jthulhu.plan.writes").tag("result", "updated").counter();
      List<Double> changeMillis = new ArrayList<>();
      List<Double> changeResolutionMillis = new ArrayList<>();
      for (int i = 1; i <= 9; i++) {
        Pod probe = client.pods().inNamespace(MockApiServerMain.PROBE_NAMESPACE).withName(MockApiServerMain.PROBE_POD).get();
        probe.getMetadata().getLabels().put("app", "app-" + (i % 2 == 1 ? 5 : 0));
        double writesBefore = updated.count();
        long countBefore = resolution.count();
        double timeBefore = resolution.totalTime(TimeUnit.MILLISECONDS);
        start = System.nanoTime();
        client.resource(probe).update();
        awaitUntil(() -> updated.count() > writesBefore, Duration.ofSeconds(30));
        changeMillis.add((System.nanoTime() - start) / 1e6);
        long resolutions = resolution.count() - countBefore;
        changeResolutionMillis.add((resolution.totalTime(TimeUnit.MILLISECONDS) - timeBefore) / Math.max(1, resolutions));
        awaitQuiet(registry, Duration.ofMillis(500));
      }

      System.out.printf("%n=== operator at %d nodes, %d policies, %d pods (%d in the pod cache) ===%n",
          nodes, policies, pods, cachedPods);
      System.out.printf("heap retained after GC: %.0f MiB (JVM and client before the operator started: %.0f MiB; "
          + "operator's share: %.0f MiB)%n", retained, baseline, retained - baseline);
      System.out.printf("max heap (-Xmx): %.0f MiB%n", Runtime.getRuntime().maxMemory() / MIB);
      System.out.printf("start() returned after %d ms; all %d plans written after %d ms; %d resolutions took %.0f ms in total%n",
          startedMillis, nodes, allPlansMillis, initialResolutions, initialResolutionMillis);
      System.out.printf("full resolution from the caches, one thread: median %.0f ms, max %.0f ms over 5 sweeps "
          + "(%d nodes, %d pods enforced)%n", median(sweepMillis), Collections.max(sweepMillis), allNodes.size(), enforced);
      System.out.printf("policy change to all %d nodes re-resolved by the reconcilers: %d ms wall clock "
          + "(sum of the reconciles' resolution timers: %.0f ms, many threads on 2 cores)%n", nodes, fullMillis, fullCpuMillis);
      System.out.printf("one pod's label change to its plan rewritten: median %.1f ms, max %.1f ms "
          + "(resolving that node: median %.2f ms)%n", median(changeMillis), Collections.max(changeMillis),
          median(changeResolutionMillis));
    } finally {
      client.close();
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  /** Used heap after full collections: what the live objects take. */
  private static double retainedHeapMiB() throws InterruptedException {
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / MIB;
  }

  /** Waits until the operator has not resolved anything for {@code quiet}. */
  private static void awaitQuiet(SimpleMeterRegistry registry, Duration quiet) throws InterruptedException {
    Timer resolution = registry.find("jthulhu.resolution").timer();
    long last = resolution.count();
    long lastChange = System.nanoTime();
    while (System.nanoTime() - lastChange < quiet.toNanos()) {
      Thread.sleep(100);
      long now = resolution.count();
      if (now != last) {
        last = now;
        lastChange = System.nanoTime();
      }
    }
  }

  private static void awaitUntil(BooleanSupplier done, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not done within " + timeout);
      }
      Thread.sleep(5);
    }
  }
}
