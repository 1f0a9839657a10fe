package io.jthulhu.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.crd.schema.CrdSchemas;
import io.jthulhu.crd.schema.StructuralSchemaValidator;
import io.jthulhu.operator.validation.CompiledPolicy;
import io.jthulhu.operator.validation.PolicyCompiler;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRD's selector CEL rules and the operator's Selector must accept and reject the same
 * selectors: otherwise the API server admits policies the operator then ignores (or the reverse).
 */
class SelectorRulesAgreementTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final CrdSchemas SCHEMAS = CrdSchemas.bundled();
  private static final StructuralSchemaValidator SCHEMA = new StructuralSchemaValidator();

  private static final List<String> LABEL_VALUES =
      List.of("", "v", "a_b.c-d", "v".repeat(63), "v".repeat(64), "-v", "v-", "a b", "ü");

  static Stream<String> labelValues() {
    return LABEL_VALUES.stream();
  }

  static Stream<Arguments> requirements() {
    List<Arguments> cases = new ArrayList<>();
    for (String key : List.of("app", "a", "app.kubernetes.io/name", "example.com/tier_1.x", "a/b", "A-b_c.D",
        "n".repeat(63), "n".repeat(64), "-app", "app-", "app!", "Example.com/app", "example..com/app", "/app",
        "example.com/", "a/b/c", "p".repeat(253) + "/n", "p".repeat(254) + "/n", "a".repeat(316) + "!", "")) {
      cases.add(Arguments.of(key, "Exists", List.of()));
    }
    for (String value : LABEL_VALUES) {
      cases.add(Arguments.of("app", "In", List.of(value)));
    }
    cases.add(Arguments.of("app", "In", List.of()));
    cases.add(Arguments.of("app", "NotIn", List.of()));
    cases.add(Arguments.of("app", "NotIn", List.of("x", "y")));
    cases.add(Arguments.of("app", "Exists", List.of("x")));
    cases.add(Arguments.of("app", "DoesNotExist", List.of("x")));
    cases.add(Arguments.of("app", "DoesNotExist", List.of()));
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("requirements")
  void theCrdAndTheOperatorAgreeOnMatchExpressions(String key, String operator, List<String> values) throws Exception {
    ObjectNode requirement = JSON.createObjectNode().put("key", key).put("operator", operator);
    if (!values.isEmpty() || operator.endsWith("In")) {
      values.forEach(requirement.putArray("values")::add);
    }
    ObjectNode policy = policy();
    ((ObjectNode) policy.get("spec")).putObject("podSelector").putArray("matchExpressions").add(requirement);
    assertAgreement(policy);
  }

  @ParameterizedTest
  @MethodSource("labelValues")
  void theCrdAndTheOperatorAgreeOnMatchLabelValues(String value) throws Exception {
    ObjectNode policy = policy();
    ((ObjectNode) policy.get("spec")).putObject("nodeSelector").putObject("matchLabels").put("app", value);
    assertAgreement(policy);
  }

  private static void assertAgreement(ObjectNode policy) throws Exception {
    List<StructuralSchemaValidator.Violation> schemaErrors =
        SCHEMA.validate(SCHEMAS.forKind("SchedulingPolicy").orElseThrow().schema(), policy.deepCopy());
    CompiledPolicy compiled = PolicyCompiler.compile(JSON.treeToValue(policy, SchedulingPolicy.class));
    assertThat(schemaErrors.isEmpty())
        .as("CRD says %s, operator says %s", schemaErrors, compiled)
        .isEqualTo(compiled instanceof CompiledPolicy.Valid);
  }

  private static ObjectNode policy() {
    ObjectNode policy = JSON.createObjectNode().put("apiVersion", "jthulhu.io/v1alpha1").put("kind", "SchedulingPolicy");
    policy.putObject("metadata").put("name", "agreement");
    policy.putObject("spec").putObject("scheduling").put("class", "Normal");
    return policy;
  }
}
