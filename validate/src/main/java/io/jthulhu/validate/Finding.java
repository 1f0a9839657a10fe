package io.jthulhu.validate;

import java.util.Locale;

/**
 * One line of the report: where (input, 1-based document index or 0 for the input as a whole, field)
 * and what is wrong. Unreadable findings are errors that stopped reading, so they decide exit code 2.
 */
public record Finding(String source, int document, Severity severity, String field, String reason, boolean unreadable) {
  public enum Severity {
    ERROR, WARNING;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static Finding error(String source, int document, String field, String reason) {
    return new Finding(source, document, Severity.ERROR, field, reason, false);
  }

  static Finding warning(String source, int document, String field, String reason) {
    return new Finding(source, document, Severity.WARNING, field, reason, false);
  }

  static Finding unreadable(String source, int document, String reason) {
    return new Finding(source, document, Severity.ERROR, null, reason, true);
  }

  /** {@code examples/a.yaml#2 spec.scheduling.weight: error: must be >= 1}; no field for whole documents. */
  public String toLine() {
    String where = document > 0 ? source + "#" + document : source;
    return (field == null ? where : where + " " + field) + ": " + severity.label() + ": " + reason;
  }
}
