package io.jthulhu.node.plan;

import static io.jthulhu.node.plan.MockApi.plan;
import static io.jthulhu.node.plan.MockApi.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.NodeSchedulingPlanStatus;
import io.jthulhu.crd.SchedulerState;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.crd.UnresolvedPod;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class KubernetesPlanSourceTest {

  @Test
  void deliversOnlyItsOwnNodesPlanAndItsChangesAndAnEmptyPlanOnDelete() {
    try (MockApi api = new MockApi()) {
      api.create(plan("node-a", pod("a1", SchedulingClass.LatencyCritical, 800)));
      api.create(plan("node-b", pod("b1", SchedulingClass.Batch, 50)));
      RecordingListener listener = new RecordingListener();
      try (KubernetesPlanSource source = new KubernetesPlanSource(api.client, "node-a")) {
        source.start(listener);
        await().atMost(Duration.ofSeconds(5)).until(() -> listener.plans.size() == 1);
        assertThat(listener.last().getMetadata().getName()).isEqualTo("node-a");
        assertThat(listener.last().getSpec().getPods()).extracting(p -> p.getPodUid()).containsExactly("a1");

        // Another node's plan changing, and a status-only write to ours, deliver nothing.
        NodeSchedulingPlan other = api.get("node-b");
        other.getSpec().getPods().add(pod("b2", SchedulingClass.Idle, 1));
        api.client.resource(other).update();
        NodeSchedulingPlan ours = api.get("node-a");
        NodeSchedulingPlanStatus status = new NodeSchedulingPlanStatus();
        status.setObservedGeneration(ours.getMetadata().getGeneration());
        status.setSchedulerState(SchedulerState.Enabled);
        ours.setStatus(status);
        api.client.resource(ours).updateStatus();

        // Our spec changes: it arrives within 2 s.
        long before = System.nanoTime();
        NodeSchedulingPlan changed = api.get("node-a");
        changed.getSpec().getPods().add(pod("a2", SchedulingClass.Normal, 100));
        api.client.resource(changed).update();
        await().atMost(Duration.ofSeconds(2)).until(() -> listener.plans.size() >= 2);
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(2));
        assertThat(listener.plans).hasSize(2);
        assertThat(listener.last().getSpec().getPods()).extracting(p -> p.getPodUid()).containsExactly("a1", "a2");
        assertThat(listener.plans).allSatisfy(p -> assertThat(p.getMetadata().getName()).isEqualTo("node-a"));

        Long generation = listener.last().getMetadata().getGeneration();
        api.client.resources(NodeSchedulingPlan.class).withName("node-a").delete();
        await().atMost(Duration.ofSeconds(2)).until(() -> listener.plans.size() == 3);
        NodeSchedulingPlan empty = listener.last();
        assertThat(empty.getMetadata().getName()).isEqualTo("node-a");
        assertThat(empty.getMetadata().getGeneration()).isEqualTo(generation);
        assertThat(empty.getSpec().getNodeName()).isEqualTo("node-a");
        assertThat(empty.getSpec().getPods()).isEmpty();
        assertThat(listener.unavailable).isEmpty();
        assertThat(listener.threads).noneMatch(name -> name.equals(Thread.currentThread().getName()));
      }
    }
  }

  @Test
  void aNodeWithoutAPlanYetHearsThatTheSourceWorks() {
    try (MockApi api = new MockApi()) {
      api.create(plan("node-b", pod("b1", SchedulingClass.Batch, 50)));
      RecordingListener listener = new RecordingListener();
      try (KubernetesPlanSource source = new KubernetesPlanSource(api.client, "node-a")) {
        source.start(listener);
        // The daemon attaches once its source answered: with no plan that is this word alone, once.
        await().atMost(Duration.ofSeconds(5)).until(() -> listener.events.contains("available"));
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4))
            .until(() -> listener.events.equals(List.of("available")));
      }
    }
  }

  @Test
  void startsWithoutAServerReportsUnavailableAndDeliversOnceTheServerIsThere() throws IOException {
    int port = freePort();
    Config config = new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + port)
        .withRequestRetryBackoffLimit(0).withConnectionTimeout(500).build();
    RecordingListener listener = new RecordingListener();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        KubernetesPlanSource source = new KubernetesPlanSource(client, "node-a")) {
      long before = System.nanoTime();
      source.start(listener);
      assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(1));
      await().atMost(Duration.ofSeconds(5)).until(() -> !listener.unavailable.isEmpty());
      assertThat(listener.unavailable.get(0)).contains("NodeSchedulingPlan node-a");
      assertThat(listener.plans).isEmpty();

      // The informer keeps retrying with backoff; a server that comes up is found.
      try (MockApi api = new MockApi(port)) {
        api.create(plan("node-a", pod("a1", SchedulingClass.Normal, 100)));
        await().atMost(Duration.ofSeconds(9)).until(() -> listener.plans.size() == 1);
        assertThat(listener.last().getSpec().getPods()).extracting(p -> p.getPodUid()).containsExactly("a1");
        // Recovery is announced before the plan.
        assertThat(listener.events.subList(0, listener.events.indexOf("plan"))).contains("available");
      }
    }
  }

  @Test
  void unknownFieldsAndEnumValuesDoNotBreakTheSource() {
    try (MockApi api = new MockApi()) {
      api.createRaw("""
          {"apiVersion": "jthulhu.io/v1alpha1", "kind": "NodeSchedulingPlan",
           "metadata": {"name": "node-a"},
           "spec": {"nodeName": "node-a", "futureSpecField": {"x": 1},
             "pods": [
               {"podUid": "t1", "namespace": "ns", "name": "turbo", "policy": "p", "policyGeneration": 3,
                "futureEntryField": true,
                "scheduling": {"class": "Turbo", "weight": 100, "sliceMicros": 500, "preempt": true, "boost": 9}},
               {"podUid": "n1", "namespace": "ns", "name": "normal", "policy": "p", "policyGeneration": 3,
                "scheduling": {"class": "Normal", "weight": 100, "sliceMicros": 5000, "preempt": false}}]},
           "status": {"schedulerState": "Hibernating", "kernelSupport": "Maybe", "futureStatusField": "x",
             "unresolvedPods": [{"podUid": "t1", "reason": "R", "futureField": 1}]}}
          """);
      RecordingListener listener = new RecordingListener();
      try (KubernetesPlanSource source = new KubernetesPlanSource(api.client, "node-a")) {
        source.start(listener);
        await().atMost(Duration.ofSeconds(5)).until(() -> listener.plans.size() == 1);
        NodeSchedulingPlan received = listener.last();
        assertThat(received.getSpec().getPods()).hasSize(2);
        assertThat(received.getSpec().getPods().get(0).getScheduling().getSchedulingClass()).isNull();
        assertThat(received.getSpec().getPods().get(1).getScheduling().getSchedulingClass()).isEqualTo(SchedulingClass.Normal);
        assertThat(received.getStatus().getSchedulerState()).isNull();
        assertThat(received.getStatus().getKernelSupport()).isNull();
        List<UnresolvedPod> invalid = PlanChecks.inapplicable(received);
        assertThat(invalid).extracting(UnresolvedPod::getPodUid, UnresolvedPod::getReason)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("t1", PlanChecks.REASON_UNKNOWN_CLASS));

        // A later valid update still arrives.
        NodeSchedulingPlan valid = plan("node-a", pod("n1", SchedulingClass.Batch, 10));
        valid.getMetadata().setResourceVersion(api.get("node-a").getMetadata().getResourceVersion());
        api.client.resource(valid).update();
        await().atMost(Duration.ofSeconds(2)).until(() -> listener.plans.size() == 2);
        assertThat(listener.last().getSpec().getPods().get(0).getScheduling().getSchedulingClass())
            .isEqualTo(SchedulingClass.Batch);
        assertThat(PlanChecks.inapplicable(listener.last())).isEmpty();
        assertThat(listener.unavailable).isEmpty();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
