package io.jthulhu.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Paths of the generated and the committed CRD files, and YAML reading for the tests. */
final class CrdFiles {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Path GENERATED = Path.of("target", "classes", "META-INF", "fabric8");
  static final Path COMMITTED = Path.of("manifests");
  static final Path HELM = Path.of("..", "helm", "crds");
  static final Path EXAMPLES = Path.of("..", "examples");
  static final List<String> NAMES = List.of(
      "schedulingpolicies.jthulhu.io-v1.yml", "nodeschedulingplans.jthulhu.io-v1.yml");

  private CrdFiles() {
  }

  static List<JsonNode> readAll(Path file) throws IOException {
    List<JsonNode> documents = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(Files.readString(file))) {
      YAML.readValues(parser, JsonNode.class).forEachRemaining(doc -> {
        if (doc != null && !doc.isNull() && !doc.isEmpty()) {
          documents.add(doc);
        }
      });
    }
    return documents;
  }

  /** The openAPIV3Schema of the served version of the generated CRD for {@code kind}. */
  static JsonNode schemaFor(String kind) throws IOException {
    for (String name : NAMES) {
      JsonNode crd = readAll(GENERATED.resolve(name)).get(0);
      if (crd.at("/spec/names/kind").asText().equals(kind)) {
        return crd.at("/spec/versions/0/schema/openAPIV3Schema");
      }
    }
    throw new IllegalArgumentException("no generated CRD for kind " + kind);
  }
}
