package io.jthulhu.operator.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectorTest {
  private static final Map<String, String> LABELS = Map.of("app", "api", "tier", "web");

  private static Selector compile(LabelSelector selector) throws InvalidSelectorException {
    return Selector.compile(selector, "spec.podSelector");
  }

  @Test
  void absentAndEmptySelectorsMatchEverything() throws Exception {
    assertThat(compile(null).matches(LABELS)).isTrue();
    assertThat(compile(new LabelSelector()).matches(Map.of())).isTrue();
  }

  @Test
  void matchLabelsRequireEveryPair() throws Exception {
    Selector selector = compile(new LabelSelectorBuilder().addToMatchLabels("app", "api").addToMatchLabels("tier", "web").build());
    assertThat(selector.matches(LABELS)).isTrue();
    assertThat(selector.matches(Map.of("app", "api"))).isFalse();
    assertThat(selector.matches(Map.of("app", "api", "tier", "db"))).isFalse();
  }

  @Test
  void operatorsFollowKubernetesSemantics() throws Exception {
    assertThat(compile(expr("app", "In", "api", "batch")).matches(LABELS)).isTrue();
    assertThat(compile(expr("app", "In", "batch")).matches(LABELS)).isFalse();
    assertThat(compile(expr("missing", "In", "x")).matches(LABELS)).isFalse();
    assertThat(compile(expr("app", "NotIn", "batch")).matches(LABELS)).isTrue();
    assertThat(compile(expr("app", "NotIn", "api")).matches(LABELS)).isFalse();
    assertThat(compile(expr("missing", "NotIn", "x")).matches(LABELS)).as("NotIn matches an absent label").isTrue();
    assertThat(compile(expr("tier", "Exists")).matches(LABELS)).isTrue();
    assertThat(compile(expr("missing", "Exists")).matches(LABELS)).isFalse();
    assertThat(compile(expr("missing", "DoesNotExist")).matches(LABELS)).isTrue();
    assertThat(compile(expr("tier", "DoesNotExist")).matches(LABELS)).isFalse();
  }

  @Test
  void labelsAndExpressionsAreAnded() throws Exception {
    LabelSelector selector = new LabelSelectorBuilder().addToMatchLabels("app", "api")
        .addNewMatchExpression().withKey("tier").withOperator("NotIn").withValues("web").endMatchExpression().build();
    assertThat(compile(selector).matches(LABELS)).isFalse();
    assertThat(compile(selector).matches(Map.of("app", "api", "tier", "db"))).isTrue();
  }

  @Test
  void errorsNameTheFieldAndTheReason() {
    assertThatThrownBy(() -> compile(expr("app", "Matches", "x")))
        .isInstanceOf(InvalidSelectorException.class)
        .hasMessageContaining("spec.podSelector.matchExpressions[0].operator: unsupported operator \"Matches\"");
    assertThatThrownBy(() -> compile(expr("app", "In")))
        .hasMessageContaining("spec.podSelector.matchExpressions[0].values: must be non-empty for operator In");
    assertThatThrownBy(() -> compile(expr("app", "Exists", "x")))
        .hasMessageContaining("spec.podSelector.matchExpressions[0].values: must be empty for operator Exists");
    assertThatThrownBy(() -> compile(expr("-bad-", "Exists")))
        .hasMessageContaining("spec.podSelector.matchExpressions[0].key: label key name \"-bad-\"");
    assertThatThrownBy(() -> compile(expr("Not_A_Domain/app", "Exists")))
        .hasMessageContaining("label key prefix \"Not_A_Domain\" must be a DNS subdomain");
    assertThatThrownBy(() -> compile(new LabelSelectorBuilder().addToMatchLabels("app", "has space").build()))
        .hasMessageContaining("spec.podSelector.matchLabels[app]: label value \"has space\"");
  }

  @Test
  void qualifiedKeysAndEmptyValuesAreAccepted() throws Exception {
    Selector selector = compile(new LabelSelectorBuilder().addToMatchLabels("app.kubernetes.io/name", "").build());
    assertThat(selector.matches(Map.of("app.kubernetes.io/name", ""))).isTrue();
  }

  private static LabelSelector expr(String key, String operator, String... values) {
    return new LabelSelectorBuilder().addNewMatchExpression()
        .withKey(key).withOperator(operator).withValues(values).endMatchExpression().build();
  }
}
