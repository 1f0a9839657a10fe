package io.jthulhu.crd;

/**
 * A part of a stored object that these types cannot read (a value of the wrong type, an enum value
 * this version does not know), named by its path, e.g. {@code spec.scheduling.class}.
 */
public record UnreadableField(String field, String problem) {
  @Override
  public String toString() {
    return field + ": " + problem;
  }
}
