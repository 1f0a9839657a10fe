package io.jthulhu.crd;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** Schema-only stand-in for a LabelSelectorRequirement; see {@link LabelSelectorSchema}. */
@ValidationRule(
    value = "self.operator in ['In', 'NotIn'] ? has(self.values) && size(self.values) > 0"
        + " : !has(self.values) || size(self.values) == 0",
    messageExpression = "(self.operator in ['In', 'NotIn'] ? 'must be non-empty' : 'must be empty')"
        + " + ' for operator ' + self.operator",
    reason = "FieldValueInvalid",
    fieldPath = ".values")
public final class LabelSelectorRequirementSchema {
  public static final int MAX_VALUES = 64;

  @JsonProperty
  @Required
  @Size(max = 317)
  @ValidationRule(value = "self.matches('" + LabelSelectorSchema.KEY_SHAPE + "') && self.matches('"
      + LabelSelectorSchema.KEY_SYNTAX + "')", message = LabelSelectorSchema.KEY_MESSAGE, reason = "FieldValueInvalid")
  private String key;

  @JsonProperty
  @Required
  private LabelSelectorOperator operator;

  @JsonProperty
  @Size(max = MAX_VALUES)
  @ValidationRule(value = "self.all(v, v.matches('" + LabelSelectorSchema.VALUE_SYNTAX + "'))",
      message = LabelSelectorSchema.VALUE_MESSAGE, reason = "FieldValueInvalid")
  private List<@Size(max = 63) String> values;

  private LabelSelectorRequirementSchema() {
  }
}
