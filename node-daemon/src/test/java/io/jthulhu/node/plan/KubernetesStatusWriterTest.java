package io.jthulhu.node.plan;

import static io.jthulhu.node.plan.MockApi.plan;
import static io.jthulhu.node.plan.MockApi.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jthulhu.crd.KernelSupport;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.NodeSchedulingPlanStatus;
import io.jthulhu.crd.SchedulerState;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.crd.UnresolvedPod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class KubernetesStatusWriterTest {
  private static final String T0 = "2026-01-01T00:00:00Z";

  private static NodeSchedulingPlanStatus status(long generation, int applied, String... unresolvedUids) {
    NodeSchedulingPlanStatus status = new NodeSchedulingPlanStatus();
    status.setObservedGeneration(generation);
    status.setAppliedPods(applied);
    List<UnresolvedPod> unresolved = new ArrayList<>();
    for (String uid : unresolvedUids) {
      unresolved.add(new UnresolvedPod(uid, "CgroupNotFound", "no cgroup yet"));
    }
    status.setUnresolvedPods(unresolved);
    status.setSchedulerState(SchedulerState.Enabled);
    status.setKernelSupport(KernelSupport.Supported);
    status.setOpsName("jthulhu");
    status.setRestarts(0);
    status.setFailStatic(false);
    status.setPlanSource("kubernetes");
    status.setCondition(NodeSchedulingPlanStatus.CONDITION_READY, true, "SchedulerAttached", "attached", null, T0);
    return status;
  }

  @Test
  void writesTheStatusThroughTheSubresourceAndAnIdenticalStatusOnlyOnce() {
    try (MockApi api = new MockApi();
        KubernetesStatusWriter writer = new KubernetesStatusWriter(api.client, "node-a", Duration.ofMillis(100))) {
      NodeSchedulingPlan created = api.create(plan("node-a", pod("u1", SchedulingClass.Normal, 100), pod("u2", SchedulingClass.Batch, 10)));
      long generation = created.getMetadata().getGeneration() == null ? 1 : created.getMetadata().getGeneration();
      writer.publish(status(generation, 1, "u2"));
      await().atMost(Duration.ofSeconds(3)).until(() -> api.get("node-a").getStatus() != null);
      NodeSchedulingPlan stored = api.get("node-a");
      NodeSchedulingPlanStatus written = stored.getStatus();
      assertThat(written.getObservedGeneration()).isEqualTo(generation);
      assertThat(written.getAppliedPods()).isEqualTo(1);
      assertThat(written.getUnresolvedPods()).containsExactly(new UnresolvedPod("u2", "CgroupNotFound", "no cgroup yet"));
      assertThat(written.getOpsName()).isEqualTo("jthulhu");
      assertThat(written.getFailStatic()).isFalse();
      assertThat(written.getPlanSource()).isEqualTo("kubernetes");
      assertThat(written.condition(NodeSchedulingPlanStatus.CONDITION_READY)).hasValueSatisfying(c -> {
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getLastTransitionTime()).isEqualTo(T0);
      });
      // The status subresource leaves spec alone.
      assertThat(stored.getSpec()).isEqualTo(created.getSpec());
      await().atMost(Duration.ofSeconds(1)).until(() -> writer.writes() == 1);
      String resourceVersion = stored.getMetadata().getResourceVersion();

      // The same report again, rebuilt later: the condition keeps its transition time, so it is equal and not written.
      NodeSchedulingPlanStatus again = status(generation, 1, "u2");
      again.setCondition(NodeSchedulingPlanStatus.CONDITION_READY, true, "SchedulerAttached", "attached", written,
          "2026-01-01T00:05:00Z");
      writer.publish(again);
      writer.publish(status(generation, 1, "u2"));
      sleep(600);
      assertThat(writer.writes()).isEqualTo(1);
      assertThat(api.get("node-a").getMetadata().getResourceVersion()).isEqualTo(resourceVersion);

      // A different report is written.
      writer.publish(status(generation, 2));
      await().atMost(Duration.ofSeconds(3)).until(() -> api.get("node-a").getStatus().getAppliedPods() == 2);
      assertThat(api.get("node-a").getStatus().getUnresolvedPods()).isEmpty();
      assertThat(writer.writes()).isEqualTo(2);
      assertThat(writer.writeFailures()).isZero();
    }
  }

  @Test
  void coalescesABurstIntoAtMostTwoWritesAndTheLastOneWins() {
    try (MockApi api = new MockApi();
        KubernetesStatusWriter writer = new KubernetesStatusWriter(api.client, "node-a")) {
      api.create(plan("node-a", pod("u1", SchedulingClass.Normal, 100)));
      long start = System.nanoTime();
      for (int i = 1; i <= 20; i++) {
        writer.publish(status(i, i));
        sleep(4);
      }
      // publish() only hands over: 20 calls, with the pauses, well within the burst window.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));
      await().atMost(Duration.ofSeconds(4)).until(() -> {
        NodeSchedulingPlanStatus status = api.get("node-a").getStatus();
        return status != null && status.getObservedGeneration() == 20;
      });
      sleep(1_300);
      assertThat(writer.writes()).isBetween(1L, 2L);
      assertThat(api.get("node-a").getStatus().getAppliedPods()).isEqualTo(20);
    }
  }

  @Test
  void aStatusForAPlanThatDoesNotExistYetIsWrittenOnceThePlanAppears() {
    try (MockApi api = new MockApi();
        KubernetesStatusWriter writer = new KubernetesStatusWriter(api.client, "node-c")) {
      writer.publish(status(1, 0));
      sleep(500);
      assertThat(api.get("node-c")).as("the writer never creates plans").isNull();
      assertThat(writer.writes()).isZero();
      api.create(plan("node-c"));
      await().atMost(Duration.ofSeconds(5)).until(() -> api.get("node-c").getStatus() != null);
      assertThat(api.get("node-c").getStatus().getObservedGeneration()).isEqualTo(1L);
      assertThat(writer.writes()).isEqualTo(1);
      assertThat(writer.writeFailures()).isZero();
    }
  }

  @Test
  void anUnreachableServerCountsFailuresAndNeverThrowsToTheCaller() {
    io.fabric8.kubernetes.client.Config config = new io.fabric8.kubernetes.client.ConfigBuilder()
        .withMasterUrl("http://127.0.0.1:1").withRequestRetryBackoffLimit(0).withConnectionTimeout(300).build();
    try (var client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config).build();
        KubernetesStatusWriter writer = new KubernetesStatusWriter(client, "node-a", Duration.ofMillis(100))) {
      long start = System.nanoTime();
      writer.publish(status(1, 0));
      writer.publish(status(2, 0));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(100));
      await().atMost(Duration.ofSeconds(5)).until(() -> writer.writeFailures() >= 2);
      assertThat(writer.writes()).isZero();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
