package io.jthulhu.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jthulhu.crd.schema.StructuralSchemaValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Examples and hand-written bad objects against the generated CRD schemas (types, bounds, enums, CEL). */
class SchemaValidationTest {
  private final StructuralSchemaValidator validator = new StructuralSchemaValidator();

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(CrdFiles.EXAMPLES)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @Test
  void thereAreExamplesForEveryScenarioOfTheIssue() throws IOException {
    assertThat(examples().map(p -> p.getFileName().toString()))
        .contains("payments-api-latency-critical.yaml", "batch-analytics.yaml", "idle-backups.yaml");
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleIsValid(Path example) throws IOException {
    List<ObjectNode> documents = CrdFiles.readAll(example);
    assertThat(documents).isNotEmpty();
    for (ObjectNode document : documents) {
      JsonNode schema = CrdFiles.schemaFor(document.get("kind").asText());
      assertThat(validator.validate(schema, document)).as(example.toString()).isEmpty();
    }
  }

  static Stream<Arguments> invalidPolicies() {
    return Stream.of(
        Arguments.of("scheduling: {class: Normal, weight: 0}", "spec.scheduling.weight: must be >= 1"),
        Arguments.of("scheduling: {class: Normal, weight: 10001}", "spec.scheduling.weight: must be <= 10000"),
        Arguments.of("scheduling: {class: Normal, sliceMicros: 99}", "spec.scheduling.sliceMicros: must be >= 100"),
        Arguments.of("scheduling: {class: Batch, sliceMicros: 100001}", "spec.scheduling.sliceMicros: must be <= 100000"),
        Arguments.of("scheduling: {weight: 5}", "spec.scheduling.class: Required value"),
        Arguments.of("scheduling: {class: Realtime}", "spec.scheduling.class: unsupported value"),
        Arguments.of("{priority: 5}", "spec.scheduling: Required value"),
        Arguments.of("{priority: -1, scheduling: {class: Normal}}", "spec.priority: must be >= 0"),
        Arguments.of("{priority: 1.5, scheduling: {class: Normal}}", "spec.priority: must be an integer"),
        Arguments.of("{mode: DryRun, scheduling: {class: Normal}}", "spec.mode: unsupported value"),
        Arguments.of("{prio: 3, scheduling: {class: Normal}}", "spec.prio: unknown field"),
        Arguments.of("{podSelector: {matchExpressions: [{key: app, operator: Matches}]}, scheduling: {class: Normal}}",
            "spec.podSelector.matchExpressions[0].operator: unsupported value"),
        Arguments.of("{podSelector: {matchExpressions: [{key: app, operator: In}]}, scheduling: {class: Normal}}",
            "spec.podSelector.matchExpressions[0].values: must be non-empty for operator In"),
        Arguments.of("{namespaceSelector: {matchExpressions: [{key: app, operator: NotIn, values: []}]}, scheduling: {class: Normal}}",
            "spec.namespaceSelector.matchExpressions[0].values: must be non-empty for operator NotIn"),
        Arguments.of("{nodeSelector: {matchExpressions: [{key: app, operator: Exists, values: [x]}]}, scheduling: {class: Normal}}",
            "spec.nodeSelector.matchExpressions[0].values: must be empty for operator Exists"),
        Arguments.of("{podSelector: {matchExpressions: [{key: app}]}, scheduling: {class: Normal}}",
            "spec.podSelector.matchExpressions[0].operator: Required value"),
        Arguments.of("{podSelector: {matchExpressions: [{key: -app, operator: Exists}]}, scheduling: {class: Normal}}",
            "spec.podSelector.matchExpressions[0].key: label keys are"),
        Arguments.of("{podSelector: {matchExpressions: [{key: Example.com/app, operator: Exists}]}, scheduling: {class: Normal}}",
            "spec.podSelector.matchExpressions[0].key: label keys are"),
        Arguments.of("{podSelector: {matchExpressions: [{key: 'example.com/" + "n".repeat(64) + "', operator: Exists}]}, scheduling: {class: Normal}}",
            "spec.podSelector.matchExpressions[0].key: label keys are"),
        Arguments.of("{podSelector: {matchExpressions: [{key: app, operator: In, values: ['a b']}]}, scheduling: {class: Normal}}",
            "spec.podSelector.matchExpressions[0].values: label values are"),
        Arguments.of("{podSelector: {matchLabels: {app: -x}}, scheduling: {class: Normal}}",
            "spec.podSelector.matchLabels: label values are"),
        Arguments.of("{podSelector: {matchLabels: {app: " + "v".repeat(64) + "}}, scheduling: {class: Normal}}",
            "spec.podSelector.matchLabels.app: must be at most 63 characters"),
        Arguments.of("scheduling: {class: Idle, preempt: true}",
            "spec.scheduling.preempt: preempt: the Idle class cannot preempt other tasks"),
        Arguments.of("scheduling: {class: LatencyCritical, sliceMicros: 20001}",
            "spec.scheduling.sliceMicros: sliceMicros: LatencyCritical requires a slice of at most 20000 microseconds"));
  }

  @ParameterizedTest
  @MethodSource("invalidPolicies")
  void invalidPoliciesAreRejectedNamingTheField(String spec, String expectedError) throws IOException {
    assertThat(validatePolicy(spec)).anySatisfy(error -> assertThat(error.toString()).startsWith(expectedError));
  }

  @Test
  void celRulesAcceptTheBoundaryValues() throws IOException {
    assertThat(validatePolicy("scheduling: {class: LatencyCritical, sliceMicros: 20000, preempt: true}")).isEmpty();
    assertThat(validatePolicy("scheduling: {class: Idle, preempt: false}")).isEmpty();
    assertThat(validatePolicy("scheduling: {class: Batch, preempt: true, sliceMicros: 100000}")).isEmpty();
  }

  @Test
  void selectorCelRulesAcceptWellFormedSelectors() {
    assertThat(validatePolicy("""
        {podSelector: {matchLabels: {app.kubernetes.io/name: api, empty: ''},
                       matchExpressions: [{key: example.com/tier_1.x, operator: In, values: [a, %s]},
                                          {key: gone, operator: DoesNotExist}]},
         nodeSelector: {matchExpressions: [{key: pool, operator: NotIn, values: [gpu]}, {key: zone, operator: Exists}]},
         scheduling: {class: Normal}}""".formatted("v".repeat(63)))).isEmpty();
  }

  @Test
  void defaultsAreFilledInAsTheApiServerWould() throws IOException {
    ObjectNode policy = policy("scheduling: {class: Normal}");
    assertThat(validator.validate(CrdFiles.schemaFor("SchedulingPolicy"), policy)).isEmpty();
    assertThat(policy.at("/spec/priority").asInt()).isZero();
    assertThat(policy.at("/spec/mode").asText()).isEqualTo("Enforce");
    assertThat(policy.at("/spec/scheduling/weight").asInt()).isEqualTo(100);
  }

  @Test
  void aPlanWithDaemonStatusIsValidAndBadStatusValuesAreNot() throws IOException {
    String plan = """
        apiVersion: jthulhu.io/v1alpha1
        kind: NodeSchedulingPlan
        metadata: {name: node-a}
        spec:
          nodeName: node-a
          pods:
            - {podUid: u1, namespace: payments, name: api-0, policy: payments, policyGeneration: 2,
               scheduling: {class: LatencyCritical, weight: 800, sliceMicros: 500, preempt: true}}
        status:
          observedGeneration: 3
          appliedPods: 0
          unresolvedPods: [{podUid: u1, reason: CgroupNotFound}]
          schedulerState: %s
          kernelSupport: Unsupported
          kernelVersion: 6.1.0-28-amd64
          opsName: jthulhu
          restarts: 2
          lastExitReason: "runnable task stall (watchdog)"
          failStatic: true
          planSource: kubernetes
          conditions:
            - {type: Ready, status: "False", reason: SchedulerEjected, message: stalled,
               lastTransitionTime: "2026-01-01T00:00:00Z"}
        """;
    JsonNode schema = CrdFiles.schemaFor("NodeSchedulingPlan");
    assertThat(validator.validate(schema, read(plan.formatted("Disabled")))).isEmpty();
    assertThat(validator.validate(schema, read(plan.formatted("Running"))))
        .anySatisfy(e -> assertThat(e.toString()).startsWith("status.schedulerState: unsupported value"));
  }

  private List<StructuralSchemaValidator.Violation> validatePolicy(String spec) {
    return validator.validate(CrdFiles.schemaFor("SchedulingPolicy"), policy(spec));
  }

  private static ObjectNode policy(String spec) {
    String body = spec.startsWith("{") ? spec : "{" + spec + "}";
    return read("apiVersion: jthulhu.io/v1alpha1\nkind: SchedulingPolicy\nmetadata: {name: p}\nspec: " + body + "\n");
  }

  private static ObjectNode read(String yaml) {
    return CrdFiles.read(yaml);
  }
}
