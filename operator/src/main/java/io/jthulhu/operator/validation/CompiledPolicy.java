package io.jthulhu.operator.validation;

import io.jthulhu.operator.resolve.PolicyRule;
import java.util.List;

/** The outcome of checking a SchedulingPolicy: a rule the resolver can use, or the errors that exclude it. */
public sealed interface CompiledPolicy {
  record Valid(PolicyRule rule) implements CompiledPolicy {
  }

  record Invalid(List<FieldError> errors) implements CompiledPolicy {
    public String message() {
      return String.join("; ", errors.stream().map(FieldError::toString).toList());
    }
  }
}
