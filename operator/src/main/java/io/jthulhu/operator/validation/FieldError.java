package io.jthulhu.operator.validation;

/** A semantic error in an object, naming the field (e.g. {@code spec.scheduling.weight}) and the reason. */
public record FieldError(String field, String reason) {
  @Override
  public String toString() {
    return field + ": " + reason;
  }
}
