package io.jthulhu.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.PodAssignment;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.operator.JthulhuOperator;
import io.jthulhu.operator.health.HealthServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Restart, leader election, health and metrics. */
class OperatorLifecycleTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private MockCluster cluster;

  @BeforeEach
  void startCluster() {
    cluster = new MockCluster();
    for (String node : new String[] {"n1", "n2", "n3"}) {
      cluster.node(node, "pool", "web");
      cluster.pod("default", "api-" + node, node, "app", "api");
      cluster.pod("default", "batch-" + node, node, "app", "batch");
    }
    cluster.policy("api", 10, SchedulingClass.LatencyCritical, new LabelSelectorBuilder().addToMatchLabels("app", "api").build());
    cluster.policy("batch", 5, SchedulingClass.Batch, null);
  }

  @AfterEach
  void stopCluster() {
    cluster.close();
  }

  private static double writes(MeterRegistry registry, String result) {
    var counter = registry.find("jthulhu.plan.writes").tag("result", result).counter();
    return counter == null ? 0 : counter.count();
  }

  private Map<String, String> resourceVersions() {
    Map<String, String> versions = cluster.client().resources(NodeSchedulingPlan.class).list().getItems().stream()
        .collect(Collectors.toMap(p -> "plan/" + p.getMetadata().getName(), p -> p.getMetadata().getResourceVersion()));
    cluster.client().resources(SchedulingPolicy.class).list().getItems()
        .forEach(p -> versions.put("policy/" + p.getMetadata().getName(), p.getMetadata().getResourceVersion()));
    return versions;
  }

  private void awaitSettled() {
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(cluster.plan("n3")).isNotNull();
      assertThat(cluster.plan("n3").getSpec().getPods()).extracting(PodAssignment::getPolicy).contains("api", "batch");
      assertThat(cluster.policy("batch").getStatus()).isNotNull();
      assertThat(cluster.policy("batch").getStatus().getMatchedPods()).isEqualTo(3);
      assertThat(cluster.policy("api").getStatus().getMatchedPods()).isEqualTo(3);
    });
    Map<String, String> before = resourceVersions();
    await().during(Duration.ofSeconds(1)).atMost(TIMEOUT).until(() -> resourceVersions().equals(before));
  }

  @Test
  void aRestartedOperatorRebuildsItsStateFromTheApiAndWritesNothing() {
    SimpleMeterRegistry first = new SimpleMeterRegistry();
    try (JthulhuOperator operator = cluster.operator("first", false, first)) {
      operator.start();
      awaitSettled();
    }
    Map<String, String> before = resourceVersions();

    SimpleMeterRegistry second = new SimpleMeterRegistry();
    try (JthulhuOperator operator = cluster.operator("second", false, second)) {
      operator.start();
      await().atMost(TIMEOUT).until(() -> writes(second, "unchanged") >= 3);
      await().during(Duration.ofSeconds(1)).atMost(TIMEOUT).until(() -> resourceVersions().equals(before));
      assertThat(writes(second, "created") + writes(second, "updated")).isZero();

      var pod = cluster.client().pods().inNamespace("default").withName("batch-n2").get();
      pod.getMetadata().getLabels().put("app", "api");
      cluster.client().resource(pod).update();
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cluster.policy("api").getStatus().getMatchedPods()).isEqualTo(4));
      assertThat(writes(second, "updated")).isEqualTo(1);
    }
  }

  @Test
  void onlyTheLeaseHolderWritesAndTheOtherReplicaTakesOver() {
    SimpleMeterRegistry registryA = new SimpleMeterRegistry();
    SimpleMeterRegistry registryB = new SimpleMeterRegistry();
    JthulhuOperator a = cluster.operator("replica-a", true, registryA);
    JthulhuOperator b = cluster.operator("replica-b", true, registryB);
    try {
      a.start();
      await().atMost(TIMEOUT).until(() -> holder() != null);
      b.start();
      awaitSettled();
      assertThat(holder()).isEqualTo("replica-a");
      assertThat(writes(registryB, "created") + writes(registryB, "updated") + writes(registryB, "unchanged")).isZero();

      a.close();
      a = null;
      await().atMost(TIMEOUT).until(() -> "replica-b".equals(holder()));
      var pod = cluster.client().pods().inNamespace("default").withName("batch-n1").get();
      pod.getMetadata().getLabels().put("app", "api");
      cluster.client().resource(pod).update();
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cluster.policy("api").getStatus().getMatchedPods()).isEqualTo(4));
      assertThat(writes(registryB, "updated")).isGreaterThanOrEqualTo(1);
    } finally {
      if (a != null) {
        a.close();
      }
      b.close();
    }
  }

  private String holder() {
    Lease lease = cluster.client().leases().inNamespace(MockCluster.OPERATOR_NAMESPACE)
        .withName(JthulhuOperator.Settings.LEASE_NAME).get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  @Test
  void healthAndMetricsAreServedOverHttp() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (JthulhuOperator operator = cluster.operator("metrics", false, registry);
        HealthServer health = new HealthServer(0, () -> operator.operator().getRuntimeInfo(), operator.informerHealth(), registry)) {
      operator.start();
      awaitSettled();
      HttpClient http = HttpClient.newHttpClient();
      assertThat(get(http, health, "/healthz")).isEqualTo("200 ok\n");
      assertThat(get(http, health, "/readyz")).isEqualTo("200 ok\n");
      String metrics = get(http, health, "/metrics");
      assertThat(metrics).startsWith("200 ")
          .contains("jthulhu_resolution_seconds_count")
          .contains("jthulhu_plan_pods_count")
          .contains("jthulhu_plan_writes_total{result=\"created\"} 3.0")
          .contains("jthulhu_policy_matched_pods{policy=\"api\"} 3.0")
          .contains("operator_sdk_");
    }
  }

  @Test
  void anInformerThatCannotListRetriesReportsDegradedAndRecoversWithoutExiting() throws Exception {
    // The API server refuses the namespace list a few times, as during an outage or an RBAC rollout.
    cluster.server().expect().get().withPath("/api/v1/namespaces?resourceVersion=0").andReturn(500, "{}").times(5);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (JthulhuOperator operator = cluster.operator("flaky", false, registry, Duration.ofSeconds(1));
        HealthServer health = new HealthServer(0, () -> operator.operator().getRuntimeInfo(), operator.informerHealth(), registry)) {
      CompletableFuture<Void> started = CompletableFuture.runAsync(operator::start);
      HttpClient http = HttpClient.newHttpClient();
      await().atMost(TIMEOUT).untilAsserted(() -> {
        assertThat(get(http, health, "/healthz")).startsWith("200 degraded:").contains("node-plan/namespaces is not watching");
        assertThat(get(http, health, "/metrics"))
            .contains("jthulhu_informer_failures_total{informer=\"node-plan/namespaces\"} 1.0")
            .contains("jthulhu_informers_degraded 1.0");
        // No plan is resolved from a cache that has not synced.
        assertThat(cluster.client().resources(NodeSchedulingPlan.class).list().getItems()).isEmpty();
      });
      assertThat(get(http, health, "/readyz")).startsWith("503 ");

      started.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      awaitSettled();
      await().atMost(TIMEOUT).untilAsserted(() -> {
        assertThat(get(http, health, "/healthz")).isEqualTo("200 ok\n");
        assertThat(get(http, health, "/readyz")).isEqualTo("200 ok\n");
        assertThat(get(http, health, "/metrics")).contains("jthulhu_informers_degraded 0.0");
      });
    }
  }

  private static String get(HttpClient http, HealthServer health, String path) throws Exception {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }
}
