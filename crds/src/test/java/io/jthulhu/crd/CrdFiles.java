package io.jthulhu.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jthulhu.crd.manifest.ManifestReader;
import io.jthulhu.crd.schema.CrdSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Paths of the generated and the committed CRD files, and YAML reading for the tests through the same
 * reader as the validate command, so that anchors and merge keys mean what kubectl sends.
 */
final class CrdFiles {
  static final Path GENERATED = Path.of("target", "classes", "META-INF", "fabric8");
  static final Path COMMITTED = Path.of("manifests");
  static final Path HELM = Path.of("..", "helm", "crds");
  static final Path EXAMPLES = Path.of("..", "examples");
  static final List<String> NAMES = CrdSchemas.FILE_NAMES;
  private static final CrdSchemas SCHEMAS = CrdSchemas.bundled();

  private CrdFiles() {
  }

  static List<ObjectNode> readAll(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return objects(new ManifestReader().read(in), file.toString());
    }
  }

  static ObjectNode read(String yaml) {
    List<ObjectNode> documents = objects(new ManifestReader().read(yaml.getBytes(StandardCharsets.UTF_8)), "test YAML");
    if (documents.size() != 1) {
      throw new IllegalArgumentException("expected one document, got " + documents.size());
    }
    return documents.get(0);
  }

  private static List<ObjectNode> objects(List<ManifestReader.Document> documents, String source) {
    List<ObjectNode> objects = new ArrayList<>();
    for (ManifestReader.Document document : documents) {
      if (!document.isReadable()) {
        throw new IllegalArgumentException(source + "#" + document.index() + ": " + document.unreadable());
      }
      objects.add(document.object());
    }
    return objects;
  }

  /** The openAPIV3Schema of the served version of the generated CRD for {@code kind}. */
  static JsonNode schemaFor(String kind) {
    return SCHEMAS.forKind(kind).orElseThrow(() -> new IllegalArgumentException("no generated CRD for kind " + kind))
        .schema();
  }
}
