package io.jthulhu.crd;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Reads one part of an object ({@code spec} or {@code status}) so that a value these types cannot
 * read replaces that part with {@link #unreadable} instead of failing the whole object: a failed read
 * would fail the informer's list and watch, and with it every other object of the kind.
 */
public abstract class LenientDeserializer<T> extends JsonDeserializer<T> {
  private static final int MAX_VALUE_CHARS = 64;

  private final Class<T> type;
  private final String root;

  protected LenientDeserializer(Class<T> type, String root) {
    this.type = type;
    this.root = root;
  }

  /** What to keep in place of a part that cannot be read. */
  protected abstract T unreadable(UnreadableField problem);

  @Override
  public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
    JsonNode tree = context.readTree(parser);
    try {
      return context.readTreeAsValue(tree, type);
    } catch (JsonMappingException e) {
      return unreadable(describe(root, e));
    }
  }

  static UnreadableField describe(String root, JsonMappingException e) {
    StringBuilder field = new StringBuilder(root);
    for (JsonMappingException.Reference reference : e.getPath()) {
      if (reference.getFieldName() != null) {
        field.append('.').append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        field.append('[').append(reference.getIndex()).append(']');
      }
    }
    return new UnreadableField(field.toString(), problem(e));
  }

  private static String problem(JsonMappingException e) {
    if (e instanceof InvalidFormatException invalid) {
      String value = String.valueOf(invalid.getValue());
      if (value.length() > MAX_VALUE_CHARS) {
        value = value.substring(0, MAX_VALUE_CHARS) + "...";
      }
      Class<?> target = invalid.getTargetType();
      if (target != null && target.isEnum()) {
        return "unknown value \"" + value + "\", this operator knows " + Arrays.stream(target.getEnumConstants())
            .map(Object::toString).collect(Collectors.joining(", "));
      }
      return "cannot read \"" + value + "\" as " + typeName(target);
    }
    // Jackson's own first line names the expected type and the token found; the rest is a source location.
    String message = e.getOriginalMessage();
    int lineEnd = message.indexOf('\n');
    return lineEnd < 0 ? message : message.substring(0, lineEnd);
  }

  private static String typeName(Class<?> target) {
    if (target == null) {
      return "the declared type";
    }
    if (target == Integer.class || target == int.class || target == Long.class || target == long.class) {
      return "an integer";
    }
    if (target == Boolean.class || target == boolean.class) {
      return "a boolean";
    }
    return target.getSimpleName();
  }
}
