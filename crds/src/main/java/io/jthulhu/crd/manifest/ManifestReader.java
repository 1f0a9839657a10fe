package io.jthulhu.crd.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads Kubernetes manifests (multi-document YAML or JSON) the way kubectl does: anchors, aliases and
 * {@code <<} merge keys resolved, YAML 1.1 scalars (so {@code yes} is a boolean) but unquoted dates kept
 * as strings. Hostile input fails fast with a one-line reason instead of exhausting memory or time:
 * the input size, alias count, nesting depth and the number of values after alias expansion are bounded.
 */
public final class ManifestReader {
  /** The API server refuses request bodies above 3 MiB, so nothing larger can be applied anyway. */
  public static final int MAX_BYTES = 3 * 1024 * 1024;
  /** Enough for anchors shared between a few objects; a "billion laughs" needs far more. */
  public static final int MAX_ALIASES = 50;
  /** Our objects nest about ten levels deep; the margin is for unknown fields that get reported. */
  public static final int MAX_DEPTH = 64;
  /** Values after alias expansion: what a small alias bomb under MAX_ALIASES could still blow up to. */
  public static final int MAX_VALUES = 100_000;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** One document of the input: its 1-based position, and either its object or why it cannot be read. */
  public record Document(int index, ObjectNode object, String unreadable) {
    static Document readable(int index, ObjectNode object) {
      return new Document(index, object, null);
    }

    static Document unreadable(int index, String reason) {
      return new Document(index, null, reason);
    }

    public boolean isReadable() {
      return unreadable == null;
    }
  }

  /**
   * Reads every document of {@code input} (closed by the caller). Empty documents are skipped. Reading
   * stops at the first unreadable document, which is returned last; index 0 means the input as a whole
   * (too large, not text) was unreadable.
   */
  public List<Document> read(InputStream input) throws IOException {
    byte[] bytes = input.readNBytes(MAX_BYTES + 1);
    if (bytes.length > MAX_BYTES) {
      return List.of(Document.unreadable(0, "input is larger than " + MAX_BYTES
          + " bytes, the API server's request size limit"));
    }
    return read(bytes);
  }

  public List<Document> read(byte[] bytes) {
    if (bytes.length > MAX_BYTES) {
      return List.of(Document.unreadable(0, "input is larger than " + MAX_BYTES
          + " bytes, the API server's request size limit"));
    }
    String text;
    try {
      text = decodeUtf8(bytes);
    } catch (UnreadableException e) {
      return List.of(Document.unreadable(0, e.getMessage()));
    }
    return read(text);
  }

  public List<Document> read(String text) {
    int nul = text.indexOf('\0');
    if (nul >= 0) {
      return List.of(Document.unreadable(0, "binary data, not YAML (NUL character at offset " + nul + ")"));
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    List<Document> documents = new ArrayList<>();
    int index = 0;
    try {
      Iterator<Object> parsed = yaml().loadAll(text).iterator();
      while (true) {
        index++;
        if (!parsed.hasNext()) {
          break;
        }
        Object document = parsed.next();
        if (document == null) {
          continue;
        }
        if (!(document instanceof Map<?, ?>)) {
          documents.add(Document.unreadable(index, "expected a Kubernetes object (a YAML mapping), found "
              + describe(document)));
          return documents;
        }
        documents.add(Document.readable(index, (ObjectNode) new Converter().toJson(document, 0)));
      }
    } catch (MarkedYAMLException e) {
      documents.add(Document.unreadable(index, oneLine(e)));
    } catch (YAMLException e) {
      documents.add(Document.unreadable(index, limitMessage(firstLine(e.getMessage()))));
    } catch (UnreadableException e) {
      documents.add(Document.unreadable(index, e.getMessage()));
    }
    return documents;
  }

  private static Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setCodePointLimit(MAX_BYTES);
    // kubectl's strict decoding (the default --validate=strict) rejects a field given twice
    options.setAllowDuplicateKeys(false);
    return new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(),
        options, new KubectlResolver());
  }

  private static String decodeUtf8(byte[] bytes) throws UnreadableException {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    try {
      return decoder.decode(buffer).toString();
    } catch (CharacterCodingException e) {
      throw new UnreadableException("binary data, not UTF-8 text (invalid byte near offset " + buffer.position() + ")");
    }
  }

  private static String oneLine(MarkedYAMLException e) {
    Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
    String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
    String message = "not valid YAML: " + firstLine(problem) + at(mark);
    // the context says where the construct that went wrong began, often the line to fix
    if (e.getContext() != null && e.getProblem() != null && e.getContextMark() != null) {
      message += " (" + firstLine(e.getContext()) + " started" + at(e.getContextMark()) + ")";
    }
    return message;
  }

  private static String at(Mark mark) {
    return mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
  }

  /** SnakeYAML's wording of its limits, in terms of the input. */
  private static String limitMessage(String message) {
    if (message.startsWith("Number of aliases for non-scalar nodes exceeds")) {
      return "more than " + MAX_ALIASES + " aliases of mappings or sequences (a YAML alias bomb?)";
    }
    if (message.startsWith("Nesting Depth exceeded")) {
      return "document nests deeper than " + MAX_DEPTH + " levels";
    }
    return message;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "not valid YAML";
    }
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }

  private static String describe(Object value) {
    if (value instanceof Collection<?>) {
      return "a sequence";
    }
    String text = String.valueOf(value);
    return "the scalar \"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"";
  }

  /** Input that cannot become JSON objects: not UTF-8, or too many values or levels after aliases, or odd keys. */
  private static final class UnreadableException extends Exception {
    UnreadableException(String message) {
      super(message, null, false, false);
    }
  }

  /** SnakeYAML's objects to Jackson nodes, counting values so that aliases cannot multiply them unboundedly. */
  private static final class Converter {
    private int values;

    JsonNode toJson(Object value, int depth) throws UnreadableException {
      if (++values > MAX_VALUES) {
        throw new UnreadableException("document expands to more than " + MAX_VALUES
            + " values (through YAML aliases?)");
      }
      if (depth > MAX_DEPTH) {
        throw new UnreadableException("document nests deeper than " + MAX_DEPTH + " levels (through YAML aliases?)");
      }
      if (value == null) {
        return NODES.nullNode();
      }
      if (value instanceof Map<?, ?> map) {
        ObjectNode object = NODES.objectNode();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          if (entry.getKey() instanceof Map<?, ?> || entry.getKey() instanceof Collection<?>) {
            throw new UnreadableException("mapping keys must be scalars, found a complex key");
          }
          object.set(String.valueOf(entry.getKey()), toJson(entry.getValue(), depth + 1));
        }
        return object;
      }
      if (value instanceof Collection<?> list) {
        ArrayNode array = NODES.arrayNode();
        for (Object item : list) {
          array.add(toJson(item, depth + 1));
        }
        return array;
      }
      if (value instanceof String text) {
        return NODES.textNode(text);
      }
      if (value instanceof Boolean bool) {
        return NODES.booleanNode(bool);
      }
      if (value instanceof Integer number) {
        return NODES.numberNode(number);
      }
      if (value instanceof Long number) {
        return NODES.numberNode(number);
      }
      if (value instanceof BigInteger number) {
        return NODES.numberNode(number);
      }
      if (value instanceof Double number) {
        return NODES.numberNode(number);
      }
      if (value instanceof byte[] binary) {
        return NODES.textNode(Base64.getEncoder().encodeToString(binary));
      }
      if (value instanceof Date date) {
        return NODES.textNode(DateTimeFormatter.ISO_INSTANT.format(date.toInstant()));
      }
      return NODES.textNode(String.valueOf(value));
    }
  }

  /** YAML 1.1 implicit types as kubectl resolves them, except timestamps, which kubectl leaves as strings. */
  private static final class KubectlResolver extends Resolver {
    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(Tag.BOOL, BOOL, "yYnNtTfFoO", 10);
      addImplicitResolver(Tag.INT, INT, "-+0123456789");
      addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
      addImplicitResolver(Tag.MERGE, MERGE, "<", 10);
      addImplicitResolver(Tag.NULL, NULL, "~nN\0", 10);
      addImplicitResolver(Tag.NULL, EMPTY, null, 10);
    }
  }
}
