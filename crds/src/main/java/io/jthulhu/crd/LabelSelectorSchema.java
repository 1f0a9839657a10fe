package io.jthulhu.crd;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * Schema-only stand-in for a Kubernetes LabelSelector (see {@code @SchemaFrom} in SchedulingPolicySpec):
 * the objects still deserialize to Fabric8's LabelSelector, but the CRD gets the label syntax and
 * operator/values rules as CEL, so the API server rejects what the operator's Selector would reject.
 * The size bounds keep the API server's estimated CEL cost within its budget (it refuses a CRD whose
 * rules could cost too much on the largest object the schema allows).
 */
public final class LabelSelectorSchema {
  /** A label key: optional DNS-subdomain prefix of at most 253 characters and "/", then a name of 1-63. */
  static final String KEY_SHAPE = "^([^/]{1,253}/)?[^/]{1,63}$";
  static final String KEY_SYNTAX =
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$";
  /** A label value: empty, or at most 63 alphanumerics, '-', '_', '.', starting and ending alphanumeric. */
  static final String VALUE_SYNTAX = "^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$";
  static final String KEY_MESSAGE =
      "label keys are an optional DNS subdomain prefix and '/', then 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric";
  static final String VALUE_MESSAGE =
      "label values are at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric";
  public static final int MAX_MATCH_LABELS = 64;
  public static final int MAX_MATCH_EXPRESSIONS = 32;

  // No CEL over the keys: map keys have no maxLength, so the API server would estimate a regex over
  // them beyond its cost budget and refuse the CRD. The operator's Selector checks key syntax.
  @JsonProperty
  @Size(max = MAX_MATCH_LABELS)
  @ValidationRule(value = "self.all(k, self[k].matches('" + VALUE_SYNTAX + "'))",
      message = VALUE_MESSAGE, reason = "FieldValueInvalid")
  private Map<String, @Size(max = 63) String> matchLabels;

  @JsonProperty
  @Size(max = MAX_MATCH_EXPRESSIONS)
  private List<LabelSelectorRequirementSchema> matchExpressions;

  private LabelSelectorSchema() {
  }
}
