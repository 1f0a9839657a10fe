package io.jthulhu.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.jthulhu.crd.NodeCounts;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.PodAssignment;
import io.jthulhu.crd.PolicyConditions;
import io.jthulhu.crd.SchedulingClass;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.operator.JthulhuOperator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stored objects the Java types cannot fully read: written by a newer version, by hand, or bigger
 * than usual. Each must affect only itself; the informers, and every other policy, keep working.
 */
class UnreadableObjectsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final String API_VERSION = SchedulingPolicy.GROUP + "/" + SchedulingPolicy.VERSION;

  private MockCluster cluster;
  private JthulhuOperator operator;

  @BeforeEach
  void startCluster() {
    cluster = new MockCluster();
    cluster.node("n1", "pool", "web");
    cluster.node("n2", "pool", "web");
    cluster.pod("default", "api-1", "n1", "app", "api");
    cluster.pod("default", "api-2", "n2", "app", "api");
    cluster.pod("default", "db-1", "n1", "app", "db");
    cluster.policy("fallback", 1, SchedulingClass.Normal, null);
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    cluster.close();
  }

  private void startOperator() {
    operator = cluster.operator("test", false, new SimpleMeterRegistry());
    operator.start();
  }

  /** Stores a SchedulingPolicy as raw JSON, bypassing the Java types the operator reads it with. */
  private void storeRawPolicy(String name, String specJson) {
    String json = "{\"apiVersion\":\"" + API_VERSION + "\",\"kind\":\"SchedulingPolicy\","
        + "\"metadata\":{\"name\":\"" + name + "\"},\"spec\":" + specJson + "}";
    GenericKubernetesResource raw = cluster.client().getKubernetesSerialization().unmarshal(json, GenericKubernetesResource.class);
    cluster.client().genericKubernetesResources(API_VERSION, "SchedulingPolicy").resource(raw).create();
  }

  private GenericKubernetesResource rawPolicy(String name) {
    return cluster.client().genericKubernetesResources(API_VERSION, "SchedulingPolicy").withName(name).get();
  }

  private Map<String, String> winners(String node) {
    NodeSchedulingPlan plan = cluster.plan(node);
    return plan == null ? Map.of() : plan.getSpec().getPods().stream()
        .collect(Collectors.toMap(PodAssignment::getName, PodAssignment::getPolicy));
  }

  private Condition valid(String policy) {
    SchedulingPolicy p = cluster.policy(policy);
    return p == null || p.getStatus() == null ? null : p.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(PolicyConditions.VALID)).findFirst().orElse(null);
  }

  private void awaitInvalid(String policy, String... messageParts) {
    await().atMost(TIMEOUT).untilAsserted(() -> {
      Condition condition = valid(policy);
      assertThat(condition).as("Valid condition of %s", policy).isNotNull();
      assertThat(condition.getStatus()).isEqualTo("False");
      assertThat(condition.getReason()).isEqualTo(PolicyConditions.REASON_INVALID);
      assertThat(condition.getMessage()).contains(messageParts);
    });
  }

  @Test
  void unknownFieldsAreIgnoredAndThePolicyStillResolves() {
    startOperator();
    storeRawPolicy("api", "{\"priority\":10,\"podSelector\":{\"matchLabels\":{\"app\":\"api\"}},"
        + "\"cpuSet\":{\"exclusive\":true},\"scheduling\":{\"class\":\"LatencyCritical\",\"numaAffinity\":\"strict\"}}");
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(winners("n1")).isEqualTo(Map.of("api-1", "api", "db-1", "fallback"));
      assertThat(winners("n2")).isEqualTo(Map.of("api-2", "api"));
      assertThat(valid("api")).isNotNull().extracting(Condition::getStatus).isEqualTo("True");
    });
  }

  @Test
  void anUnknownClassMakesOnlyThatPolicyInvalidAndOthersKeepResolving() {
    startOperator();
    storeRawPolicy("turbo", "{\"priority\":100,\"scheduling\":{\"class\":\"Turbo\"}}");
    awaitInvalid("turbo", "spec.scheduling.class", "\"Turbo\"");
    await().during(Duration.ofMillis(500)).atMost(TIMEOUT).untilAsserted(() ->
        assertThat(winners("n1")).isEqualTo(Map.of("api-1", "fallback", "db-1", "fallback")));

    // The policy informer is still watching: a policy created afterwards resolves.
    cluster.policy("api", 10, SchedulingClass.LatencyCritical, new LabelSelectorBuilder().addToMatchLabels("app", "api").build());
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(winners("n2")).isEqualTo(Map.of("api-2", "api")));
  }

  @Test
  void aStringWhereANumberBelongsMakesOnlyThatPolicyInvalid() {
    startOperator();
    storeRawPolicy("wordy", "{\"priority\":\"very high\",\"scheduling\":{\"class\":\"Batch\"}}");
    storeRawPolicy("heavy", "{\"priority\":50,\"scheduling\":{\"class\":\"Batch\",\"weight\":\"heavy\"}}");
    awaitInvalid("wordy", "spec.priority", "\"very high\"", "integer");
    awaitInvalid("heavy", "spec.scheduling.weight", "\"heavy\"");
    await().during(Duration.ofMillis(500)).atMost(TIMEOUT).untilAsserted(() ->
        assertThat(winners("n2")).isEqualTo(Map.of("api-2", "fallback")));

    // Fixing the stored object through the raw API makes it readable and valid again.
    GenericKubernetesResource heavy = rawPolicy("heavy");
    heavy.setAdditionalProperty("spec", Map.of("priority", 50, "scheduling", Map.of("class", "Batch", "weight", 200)));
    cluster.client().genericKubernetesResources(API_VERSION, "SchedulingPolicy").resource(heavy).update();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(valid("heavy").getStatus()).isEqualTo("True");
      assertThat(winners("n2")).isEqualTo(Map.of("api-2", "heavy"));
    });
  }

  @Test
  void aHugePolicyIsHandled() {
    startOperator();
    // About 1.5 MiB, the API server's object size limit: large annotations and a 20 000-value selector.
    String annotation = "x".repeat(1_000_000);
    String values = IntStream.range(0, 20_000).mapToObj(i -> "\"app-" + i + "\"").collect(Collectors.joining(","));
    storeRawPolicy("huge", "{\"priority\":20,\"podSelector\":{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"In\","
        + "\"values\":[" + values + ",\"db\"]}]},\"scheduling\":{\"class\":\"Batch\"}}");
    // A merge patch without a resourceVersion: the operator may have written the status since it was stored.
    cluster.client().genericKubernetesResources(API_VERSION, "SchedulingPolicy").withName("huge")
        .patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"example.com/blob\":\"" + annotation + "\"}}}");

    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(winners("n1")).isEqualTo(Map.of("api-1", "fallback", "db-1", "huge"));
      assertThat(valid("huge")).isNotNull().extracting(Condition::getStatus).isEqualTo("True");
    });
  }

  @Test
  void aRestartWithUnreadablePoliciesPresentStartsAndResolvesTheRest() {
    storeRawPolicy("turbo", "{\"priority\":100,\"scheduling\":{\"class\":\"Turbo\"}}");
    storeRawPolicy("wordy", "{\"priority\":\"very high\",\"scheduling\":{\"class\":\"Batch\"}}");
    storeRawPolicy("api", "{\"priority\":10,\"podSelector\":{\"matchLabels\":{\"app\":\"api\"}},"
        + "\"scheduling\":{\"class\":\"LatencyCritical\"},\"futureField\":1}");
    for (int restart = 0; restart < 2; restart++) {
      startOperator();
      await().atMost(TIMEOUT).untilAsserted(() -> {
        assertThat(winners("n1")).isEqualTo(Map.of("api-1", "api", "db-1", "fallback"));
        assertThat(operator.informerHealth().degraded()).isEmpty();
      });
      awaitInvalid("turbo", "spec.scheduling.class");
      awaitInvalid("wordy", "spec.priority");
      operator.close();
      operator = null;
    }
  }

  @Test
  void unknownStatusFieldsSurviveTheOperatorsStatusWrites() {
    startOperator();
    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(cluster.policy("fallback").getStatus().getMatchedPods()).isEqualTo(3));
    // A newer operator version added a status field; this version must not erase it when it writes.
    cluster.client().genericKubernetesResources(API_VERSION, "SchedulingPolicy").resource(rawPolicy("fallback"))
        .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"rolloutWave\":3}}");
    cluster.pod("default", "api-3", "n2", "app", "api");
    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(cluster.policy("fallback").getStatus().getMatchedPods()).isEqualTo(4));
    @SuppressWarnings("unchecked")
    Map<String, Object> status = (Map<String, Object>) rawPolicy("fallback").getAdditionalProperties().get("status");
    assertThat(status).containsEntry("rolloutWave", 3).containsEntry("matchedPods", 4);
  }

  @Test
  void futureEnumValuesInAPlanStatusAreReadAndAggregated() {
    startOperator();
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cluster.policy("fallback").getStatus().getNodes())
        .isEqualTo(new NodeCounts(2, 0, 2, 0, 0)));
    long generation = cluster.plan("n1").getMetadata().getGeneration();
    // n1: a newer daemon's report, with enum values and a field this version does not know.
    rawPlanStatus("n1", "{\"observedGeneration\":" + generation + ",\"schedulerState\":\"Hibernating\","
        + "\"kernelSupport\":\"PartiallySupported\",\"appliedPods\":2,\"energyProfile\":\"eco\"}");
    // n2: a report that cannot be read at all counts as no report yet.
    rawPlanStatus("n2", "{\"observedGeneration\":" + generation + ",\"appliedPods\":\"all of them\"}");

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cluster.policy("fallback").getStatus().getNodes())
        .isEqualTo(new NodeCounts(2, 1, 1, 0, 0)));
    NodeSchedulingPlan n1 = cluster.plan("n1");
    assertThat(n1.getStatus().getSchedulerState()).isNull();
    assertThat(n1.getStatus().getKernelSupport()).isNull();
    assertThat(n1.getStatus().getAppliedPods()).isEqualTo(2);
    assertThat(cluster.plan("n2").getStatus()).isNull();
    assertThat(cluster.plan("n2").getSpec().getPods()).extracting(PodAssignment::getName).containsExactly("api-2");

    // Both plans' informers still work: a new pod on n2 reaches its plan.
    cluster.pod("default", "late", "n2", "app", "late");
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(winners("n2")).containsOnlyKeys("api-2", "late"));
  }

  private void rawPlanStatus(String node, String statusJson) {
    var plans = cluster.client().genericKubernetesResources(API_VERSION, "NodeSchedulingPlan");
    plans.resource(plans.withName(node).get()).subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":" + statusJson + "}");
  }

  /** Sanity check of the raw helpers: a policy stored raw reads back with the same spec. */
  @Test
  void rawStoredPoliciesReadLikeTypedOnes() {
    storeRawPolicy("raw", "{\"priority\":3,\"scheduling\":{\"class\":\"Idle\",\"weight\":7}}");
    SchedulingPolicy read = cluster.policy("raw");
    assertThat(read.getSpec().unreadable()).isNull();
    assertThat(read.getSpec().getPriority()).isEqualTo(3);
    assertThat(read.getSpec().getScheduling().getSchedulingClass()).isEqualTo(SchedulingClass.Idle);
    assertThat(read.getSpec().getScheduling().getWeight()).isEqualTo(7);
    List<String> names = new ArrayList<>();
    cluster.client().resources(SchedulingPolicy.class).list().getItems().forEach(p -> names.add(p.getMetadata().getName()));
    assertThat(names).containsExactlyInAnyOrder("fallback", "raw");
  }
}
