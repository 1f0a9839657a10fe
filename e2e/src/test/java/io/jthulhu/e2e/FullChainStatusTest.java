package io.jthulhu.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jthulhu.crd.KernelSupport;
import io.jthulhu.crd.NodeCounts;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.NodeSchedulingPlanStatus;
import io.jthulhu.crd.PodAssignment;
import io.jthulhu.crd.PolicyConditions;
import io.jthulhu.crd.SchedulerState;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.crd.SchedulingPolicyStatus;
import io.jthulhu.node.agent.NodeAgent;
import io.jthulhu.node.agent.SchedulerAgent;
import io.jthulhu.node.agent.SchedulerRunner;
import io.jthulhu.node.bpf.SchedExtSysfs;
import io.jthulhu.node.bpf.layout.Abi;
import io.jthulhu.node.cgroup.PodCgroup;
import io.jthulhu.node.cgroup.PodCgroupResolver;
import io.jthulhu.node.enforce.PlanEnforcer;
import io.jthulhu.node.enforce.PodPolicy;
import io.jthulhu.node.enforce.PodStats;
import io.jthulhu.node.enforce.PolicyMap;
import io.jthulhu.node.metrics.NodeMetrics;
import io.jthulhu.node.plan.KubernetesPlanSource;
import io.jthulhu.node.plan.KubernetesStatusWriter;
import io.jthulhu.node.plan.PlanStore;
import io.jthulhu.operator.JthulhuOperator;
import io.jthulhu.operator.cluster.MockCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole status chain without a kernel: the real operator writes a node's plan into the mock API
 * server, the real node agent (plan source, enforcer, cgroup resolver, status writer) applies it to an
 * in-memory policy map and reports on the plan, and the operator turns that report into the policy's
 * status. Only the BPF scheduler is replaced; the VM scenarios exercise that one.
 */
class FullChainStatusTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final String POLICY = "latency";

  @TempDir
  Path tmp;

  private MockCluster cluster;
  private JthulhuOperator operator;
  private final List<RunningAgent> agents = new ArrayList<>();

  @BeforeEach
  void startCluster() {
    cluster = new MockCluster();
    cluster.namespace("shop", "team", "shop");
  }

  @AfterEach
  void stopEverything() throws InterruptedException {
    List<String> stuck = new ArrayList<>();
    try {
      for (RunningAgent running : agents) {
        running.agent.stop();
        running.thread.join(10_000);
        running.client.close();
        if (running.thread.isAlive()) {
          stuck.add(running.node);
        }
      }
    } finally {
      if (operator != null) {
        operator.close();
      }
      cluster.close();
    }
    assertThat(stuck).as("agents still serving after stop()").isEmpty();
  }

  @Test
  void daemonReportsReachThePolicyStatusAndFollowPolicyChanges() throws IOException {
    cluster.node("node-a");
    Pod api0 = cluster.pod("shop", "api-0", "node-a", "app", "api");
    Pod api1 = cluster.pod("shop", "api-1", "node-a", "app", "api");
    Pod api2 = cluster.pod("shop", "api-2", "node-a", "app", "api");
    Pod db0 = cluster.pod("shop", "db-0", "node-a", "app", "db");
    cluster.policy(POLICY, 10, SchedulingClass.LatencyCritical, new LabelSelectorBuilder()
        .addToMatchLabels("app", "api").build());
    startOperator();

    // api-2's cgroup is missing (not started yet); db-0 has one but no policy selects it.
    Path cgroupRoot = tmp.resolve("cgroup");
    long api0Id = burstableCgroup(cgroupRoot, uid(api0));
    long api1Id = guaranteedCgroup(cgroupRoot, uid(api1));
    burstableCgroup(cgroupRoot, uid(db0));

    FakeScheduler scheduler = new FakeScheduler();
    startAgent("node-a", enabledSysfs(), cgroupRoot, scheduler);

    await().atMost(TIMEOUT).untilAsserted(() -> {
      NodeSchedulingPlan plan = cluster.plan("node-a");
      assertThat(plan).isNotNull();
      assertThat(plan.getSpec().getPods()).extracting(PodAssignment::getName)
          .containsExactlyInAnyOrder("api-0", "api-1", "api-2");
      NodeSchedulingPlanStatus status = plan.getStatus();
      assertThat(status).as("status written by the daemon").isNotNull();
      assertThat(status.getObservedGeneration()).isEqualTo(plan.getMetadata().getGeneration());
      assertThat(status.getAppliedPods()).isEqualTo(2);
      assertThat(status.getUnresolvedPods()).singleElement().satisfies(u -> {
        assertThat(u.getPodUid()).isEqualTo(uid(api2));
        assertThat(u.getReason()).isEqualTo(PlanEnforcer.CGROUP_NOT_FOUND);
      });
      assertThat(status.getKernelSupport()).isEqualTo(KernelSupport.Supported);
      assertThat(status.getSchedulerState()).isEqualTo(SchedulerState.Enabled);
      assertThat(status.getOpsName()).isEqualTo("jthulhu");
      assertThat(status.getPlanSource()).isEqualTo("kubernetes");
      assertThat(status.getFailStatic()).isFalse();
      assertThat(conditionStatus(status, NodeSchedulingPlanStatus.CONDITION_PLAN_APPLIED)).isEqualTo("False");
      assertThat(conditionStatus(status, NodeSchedulingPlanStatus.CONDITION_READY)).isEqualTo("True");
    });
    assertThat(scheduler.map.classes()).isEqualTo(Map.of(
        api0Id, Abi.CLASS_LATENCY_CRITICAL,
        api1Id, Abi.CLASS_LATENCY_CRITICAL));
    // A node with a pod it cannot place counts as failed until the daemon reports otherwise.
    await().atMost(TIMEOUT).untilAsserted(() -> {
      SchedulingPolicyStatus policy = policyStatus();
      assertThat(policy.getMatchedPods()).isEqualTo(3);
      assertThat(policy.getNodes()).isEqualTo(new NodeCounts(1, 0, 0, 1, 0));
      assertThat(policyCondition(policy, PolicyConditions.APPLIED)).satisfies(c -> {
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getMessage()).startsWith("0 of 1 nodes applied");
      });
      assertThat(policyCondition(policy, PolicyConditions.DEGRADED)).satisfies(c -> {
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getMessage()).contains("node-a");
      });
    });

    // The pod's cgroup appears: the daemon's periodic re-check applies it without a new plan.
    long api2Id = burstableCgroup(cgroupRoot, uid(api2));
    await().atMost(TIMEOUT).untilAsserted(() -> {
      NodeSchedulingPlan plan = cluster.plan("node-a");
      assertThat(plan.getStatus().getObservedGeneration()).isEqualTo(plan.getMetadata().getGeneration());
      assertThat(plan.getStatus().getAppliedPods()).isEqualTo(3);
      assertThat(plan.getStatus().getUnresolvedPods()).isEmpty();
      assertThat(conditionStatus(plan.getStatus(), NodeSchedulingPlanStatus.CONDITION_PLAN_APPLIED)).isEqualTo("True");
      assertThat(scheduler.map.classes()).isEqualTo(Map.of(
          api0Id, Abi.CLASS_LATENCY_CRITICAL,
          api1Id, Abi.CLASS_LATENCY_CRITICAL,
          api2Id, Abi.CLASS_LATENCY_CRITICAL));
      SchedulingPolicyStatus policy = policyStatus();
      assertThat(policy.getNodes()).isEqualTo(new NodeCounts(1, 1, 0, 0, 0));
      assertThat(policyCondition(policy, PolicyConditions.APPLIED)).satisfies(c -> {
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getReason()).isEqualTo(PolicyConditions.REASON_ALL_APPLIED);
        assertThat(c.getMessage()).isEqualTo("1 of 1 nodes applied");
      });
      assertThat(policyCondition(policy, PolicyConditions.DEGRADED).getStatus()).isEqualTo("False");
    });
    long generationBefore = cluster.plan("node-a").getMetadata().getGeneration();

    // A new class: a new plan generation, the same cgroups with the new class number, applied again.
    SchedulingPolicy policy = cluster.policy(POLICY);
    policy.getSpec().getScheduling().setSchedulingClass(SchedulingClass.Batch);
    cluster.client().resource(policy).update();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      NodeSchedulingPlan plan = cluster.plan("node-a");
      assertThat(plan.getMetadata().getGeneration()).isGreaterThan(generationBefore);
      assertThat(plan.getSpec().getPods()).allSatisfy(p ->
          assertThat(p.getScheduling().getSchedulingClass()).isEqualTo(SchedulingClass.Batch));
      assertThat(plan.getStatus().getObservedGeneration()).isEqualTo(plan.getMetadata().getGeneration());
      assertThat(plan.getStatus().getAppliedPods()).isEqualTo(3);
      assertThat(scheduler.map.classes()).isEqualTo(Map.of(
          api0Id, Abi.CLASS_BATCH,
          api1Id, Abi.CLASS_BATCH,
          api2Id, Abi.CLASS_BATCH));
      SchedulingPolicyStatus status = policyStatus();
      assertThat(status.getObservedGeneration()).isEqualTo(cluster.policy(POLICY).getMetadata().getGeneration());
      assertThat(status.getNodes()).isEqualTo(new NodeCounts(1, 1, 0, 0, 0));
      assertThat(policyCondition(status, PolicyConditions.APPLIED).getStatus()).isEqualTo("True");
    });

    // Deleted: the plan loses the pods, the map empties, the daemon reports the empty plan as applied.
    cluster.client().resource(cluster.policy(POLICY)).delete();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(cluster.policy(POLICY)).isNull();
      NodeSchedulingPlan plan = cluster.plan("node-a");
      assertThat(plan.getSpec().getPods()).isEmpty();
      assertThat(plan.getStatus().getObservedGeneration()).isEqualTo(plan.getMetadata().getGeneration());
      assertThat(plan.getStatus().getAppliedPods()).isZero();
      assertThat(plan.getStatus().getUnresolvedPods()).isEmpty();
      assertThat(scheduler.map.classes()).isEmpty();
    });
    assertThat(scheduler.started.get()).as("schedulers started").isEqualTo(1);
  }

  @Test
  void aNodeWithoutSchedExtStaysUpAndCountsAsUnsupported() throws IOException {
    cluster.node("node-old");
    Pod api = cluster.pod("shop", "api-0", "node-old", "app", "api");
    cluster.policy(POLICY, 10, SchedulingClass.LatencyCritical, new LabelSelectorBuilder()
        .addToMatchLabels("app", "api").build());
    startOperator();
    Path cgroupRoot = tmp.resolve("cgroup");
    burstableCgroup(cgroupRoot, uid(api));

    // SchedExtSysfs calls a kernel without /sys/kernel/sched_ext unsupported.
    FakeScheduler scheduler = new FakeScheduler();
    RunningAgent running = startAgent("node-old", new SchedExtSysfs(tmp.resolve("no-sched-ext")), cgroupRoot, scheduler);

    await().atMost(TIMEOUT).untilAsserted(() -> {
      NodeSchedulingPlan plan = cluster.plan("node-old");
      assertThat(plan).isNotNull();
      assertThat(plan.getSpec().getPods()).extracting(PodAssignment::getPodUid).containsExactly(uid(api));
      NodeSchedulingPlanStatus status = plan.getStatus();
      assertThat(status).as("status written by the daemon").isNotNull();
      assertThat(status.getKernelSupport()).isEqualTo(KernelSupport.Unsupported);
      assertThat(status.getSchedulerState()).isEqualTo(SchedulerState.Disabled);
      assertThat(status.getOpsName()).isNull();
      assertThat(status.getObservedGeneration()).isEqualTo(plan.getMetadata().getGeneration());
      assertThat(conditionStatus(status, NodeSchedulingPlanStatus.CONDITION_KERNEL_SUPPORTED)).isEqualTo("False");
      // The pod's cgroup exists, but without a scheduler nothing applies its policy.
      assertThat(status.getAppliedPods()).isZero();
      assertThat(status.getUnresolvedPods()).isEmpty();
      assertThat(status.condition(NodeSchedulingPlanStatus.CONDITION_PLAN_APPLIED)).hasValueSatisfying(c -> {
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo("NoSchedExt");
      });
      SchedulingPolicyStatus policy = policyStatus();
      assertThat(policy.getNodes()).isEqualTo(new NodeCounts(1, 0, 0, 0, 1));
      assertThat(policyCondition(policy, PolicyConditions.APPLIED)).satisfies(c -> {
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getMessage()).contains("1 unsupported kernel");
      });
      assertThat(policyCondition(policy, PolicyConditions.DEGRADED)).satisfies(c -> {
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getMessage()).contains("kernel without sched_ext: node-old");
      });
    });
    assertThat(running.thread.isAlive()).as("agent still serving").isTrue();
    assertThat(scheduler.started.get()).as("no scheduler on a kernel without sched_ext").isZero();
    assertThat(scheduler.map.classes()).isEmpty();
  }

  // --- the pieces around the real code ---

  private void startOperator() {
    operator = cluster.operator("e2e", false, new SimpleMeterRegistry());
    operator.start();
  }

  private RunningAgent startAgent(String node, SchedExtSysfs sysfs, Path cgroupRoot, FakeScheduler scheduler) {
    // Its own client, as a daemon has: the agent's source and writer leave it open, the test closes it.
    KubernetesClient client = cluster.server().createClient();
    PodCgroupResolver resolver = PodCgroupResolver.detect(cgroupRoot);
    PlanEnforcer enforcer = new PlanEnforcer(uid -> resolver.find(uid).map(PodCgroup::id)
        .map(OptionalLong::of).orElse(OptionalLong.empty()));
    NodeAgent agent = new NodeAgent(sysfs, scheduler::runner, new KubernetesPlanSource(client, node),
        new PlanStore(tmp.resolve("state-" + node)), new KubernetesStatusWriter(client, node), enforcer,
        new NodeMetrics(), System.out);
    Thread thread = new Thread(agent::serve, "agent-" + node);
    thread.setDaemon(true);
    thread.start();
    RunningAgent running = new RunningAgent(node, agent, thread, client);
    agents.add(running);
    return running;
  }

  private SchedExtSysfs enabledSysfs() throws IOException {
    Path root = tmp.resolve("sched_ext");
    Files.createDirectories(root.resolve("root"));
    Files.writeString(root.resolve("state"), "enabled\n");
    Files.writeString(root.resolve("root/ops"), "jthulhu\n");
    return new SchedExtSysfs(root);
  }

  /** kubelet's systemd layout for a Burstable pod, with one container scope; returns the pod cgroup's inode. */
  private static long burstableCgroup(Path root, String uid) throws IOException {
    Path pod = root.resolve("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
        + uid.replace('-', '_') + ".slice");
    Files.createDirectories(pod.resolve("cri-containerd-" + uid.substring(0, 8) + ".scope"));
    return inode(pod);
  }

  /** Guaranteed pods sit directly below kubepods.slice. */
  private static long guaranteedCgroup(Path root, String uid) throws IOException {
    Path pod = root.resolve("kubepods.slice/kubepods-pod" + uid.replace('-', '_') + ".slice");
    Files.createDirectories(pod.resolve("cri-containerd-" + uid.substring(0, 8) + ".scope"));
    return inode(pod);
  }

  private static long inode(Path dir) throws IOException {
    return (Long) Files.getAttribute(dir, "unix:ino", LinkOption.NOFOLLOW_LINKS);
  }

  private static String uid(Pod pod) {
    return pod.getMetadata().getUid();
  }

  private SchedulingPolicyStatus policyStatus() {
    SchedulingPolicy policy = cluster.policy(POLICY);
    assertThat(policy).isNotNull();
    assertThat(policy.getStatus()).as("status of policy %s", POLICY).isNotNull();
    return policy.getStatus();
  }

  private static Condition policyCondition(SchedulingPolicyStatus status, String type) {
    return status.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " condition in " + status.getConditions()));
  }

  private static String conditionStatus(NodeSchedulingPlanStatus status, String type) {
    return status.condition(type).map(Condition::getStatus).orElse(null);
  }

  private record RunningAgent(String node, NodeAgent agent, Thread thread, KubernetesClient client) {
  }

  /** Stands in for SchedulerAgent: hands the agent a map at load, says it attached, waits to be stopped. */
  private static final class FakeScheduler {
    final InMemoryPolicyMap map = new InMemoryPolicyMap();
    final AtomicInteger started = new AtomicInteger();

    SchedulerRunner runner(SchedulerAgent.Lifecycle lifecycle) {
      CountDownLatch stop = new CountDownLatch(1);
      return new SchedulerRunner() {
        @Override
        public int runUntilStopped() {
          started.incrementAndGet();
          lifecycle.loaded(map, () -> Map.of("enqueued", 0L));
          lifecycle.attached("jthulhu");
          try {
            stop.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          lifecycle.unloading();
          return 0;
        }

        @Override
        public void requestStop() {
          stop.countDown();
        }
      };
    }
  }

  /** The BPF policy map's contract in memory; the kernel's map is exercised in the VM scenarios. */
  private static final class InMemoryPolicyMap implements PolicyMap {
    private final Map<Long, PodPolicy> entries = new ConcurrentHashMap<>();

    @Override
    public void put(long cgroupId, PodPolicy policy) {
      entries.put(cgroupId, policy);
    }

    @Override
    public void remove(long cgroupId) {
      entries.remove(cgroupId);
    }

    @Override
    public Set<Long> cgroupIds() {
      return Set.copyOf(entries.keySet());
    }

    @Override
    public void publish() {
    }

    /** No accounting without a kernel: the agent leaves such pods out of its pod metrics. */
    @Override
    public PodStats stats(long cgroupId) {
      return null;
    }

    /** cgroup id -> class number, as BPF would read it. */
    Map<Long, Integer> classes() {
      return entries.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().schedClass()));
    }
  }
}
