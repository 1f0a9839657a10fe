package io.jthulhu.operator.selector;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.jthulhu.operator.validation.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A compiled Kubernetes LabelSelector: the one place where matchLabels and matchExpressions
 * (In, NotIn, Exists, DoesNotExist) are checked and matched. All requirements must hold; an empty
 * selector matches everything.
 */
public final class Selector {
  public static final Selector EVERYTHING = new Selector(List.of());

  private static final Pattern NAME = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private enum Operator { IN, NOT_IN, EXISTS, DOES_NOT_EXIST }

  private record Requirement(String key, Operator operator, Set<String> values) {
    boolean matches(Map<String, String> labels) {
      String value = labels.get(key);
      return switch (operator) {
        case IN -> value != null && values.contains(value);
        case NOT_IN -> value == null || !values.contains(value);
        case EXISTS -> value != null;
        case DOES_NOT_EXIST -> value == null;
      };
    }
  }

  private final List<Requirement> requirements;

  private Selector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  /**
   * Compiles {@code selector}; {@code null} means "everything". Errors name fields below {@code field},
   * e.g. {@code spec.podSelector.matchExpressions[1].values}.
   */
  public static Selector compile(LabelSelector selector, String field) throws InvalidSelectorException {
    if (selector == null) {
      return EVERYTHING;
    }
    List<FieldError> errors = new ArrayList<>();
    List<Requirement> requirements = new ArrayList<>();
    if (selector.getMatchLabels() != null) {
      selector.getMatchLabels().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(label -> {
        String labelField = field + ".matchLabels[" + label.getKey() + "]";
        checkKey(label.getKey(), labelField, errors);
        checkValue(label.getValue(), labelField, errors);
        requirements.add(new Requirement(label.getKey(), Operator.IN, Set.of(Objects.requireNonNullElse(label.getValue(), ""))));
      });
    }
    List<LabelSelectorRequirement> expressions =
        selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions();
    for (int i = 0; i < expressions.size(); i++) {
      String expressionField = field + ".matchExpressions[" + i + "]";
      LabelSelectorRequirement expression = expressions.get(i);
      checkKey(expression.getKey(), expressionField + ".key", errors);
      List<String> values = expression.getValues() == null ? List.of() : expression.getValues();
      Operator operator = operator(expression.getOperator(), expressionField + ".operator", errors);
      if (operator == Operator.IN || operator == Operator.NOT_IN) {
        if (values.isEmpty()) {
          errors.add(new FieldError(expressionField + ".values", "must be non-empty for operator " + expression.getOperator()));
        }
      } else if (operator != null && !values.isEmpty()) {
        errors.add(new FieldError(expressionField + ".values", "must be empty for operator " + expression.getOperator()));
      }
      for (int v = 0; v < values.size(); v++) {
        checkValue(values.get(v), expressionField + ".values[" + v + "]", errors);
      }
      if (operator != null) {
        requirements.add(new Requirement(expression.getKey(), operator, Set.copyOf(values)));
      }
    }
    if (!errors.isEmpty()) {
      throw new InvalidSelectorException(errors);
    }
    return new Selector(List.copyOf(requirements));
  }

  /**
   * A label the selector requires, with the values it accepts ({@code matchLabels} or {@code In}), so that
   * callers can index selectors by label; {@code null} if it requires none.
   */
  public RequiredLabel requiredLabel() {
    for (Requirement requirement : requirements) {
      if (requirement.operator() == Operator.IN) {
        return new RequiredLabel(requirement.key(), requirement.values());
      }
    }
    return null;
  }

  /** Every object this selector matches has label {@code key} with one of {@code values}. */
  public record RequiredLabel(String key, Set<String> values) {
  }

  public boolean matches(Map<String, String> labels) {
    Map<String, String> present = labels == null ? Map.of() : labels;
    for (Requirement requirement : requirements) {
      if (!requirement.matches(present)) {
        return false;
      }
    }
    return true;
  }

  private static Operator operator(String operator, String field, List<FieldError> errors) {
    if (operator == null) {
      errors.add(new FieldError(field, "Required value"));
      return null;
    }
    return switch (operator) {
      case "In" -> Operator.IN;
      case "NotIn" -> Operator.NOT_IN;
      case "Exists" -> Operator.EXISTS;
      case "DoesNotExist" -> Operator.DOES_NOT_EXIST;
      default -> {
        errors.add(new FieldError(field, "unsupported operator \"" + operator + "\", allowed: In, NotIn, Exists, DoesNotExist"));
        yield null;
      }
    };
  }

  /** Label keys are qualified names: an optional DNS-subdomain prefix and "/", then a name of 1-63 characters. */
  private static void checkKey(String key, String field, List<FieldError> errors) {
    if (key == null || key.isEmpty()) {
      errors.add(new FieldError(field, "label key must not be empty"));
      return;
    }
    int slash = key.indexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
        errors.add(new FieldError(field, "label key prefix \"" + prefix + "\" must be a DNS subdomain"));
      }
    }
    if (name.isEmpty() || name.length() > 63 || !NAME.matcher(name).matches()) {
      errors.add(new FieldError(field, "label key name \"" + name
          + "\" must be 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric"));
    }
  }

  private static void checkValue(String value, String field, List<FieldError> errors) {
    if (value != null && (value.length() > 63 || !NAME.matcher(value).matches())) {
      errors.add(new FieldError(field, "label value \"" + value
          + "\" must be at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric"));
    }
  }
}
