package io.jthulhu.operator.selector;

import io.jthulhu.operator.validation.FieldError;
import java.util.List;

/** A LabelSelector that cannot be compiled; carries every error found, each naming its field. */
public class InvalidSelectorException extends Exception {
  private final transient List<FieldError> errors;

  public InvalidSelectorException(List<FieldError> errors) {
    super(errors.toString());
    this.errors = List.copyOf(errors);
  }

  public List<FieldError> errors() {
    return errors;
  }
}
