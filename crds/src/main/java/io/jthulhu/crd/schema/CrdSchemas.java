package io.jthulhu.crd.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.jthulhu.crd.manifest.ManifestReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The generated CRDs as bundled in this jar (META-INF/fabric8, written at build time from the Java
 * types), so that validation uses exactly the schema and CEL rules that the cluster gets.
 */
public final class CrdSchemas {
  public static final List<String> FILE_NAMES = List.of(
      "schedulingpolicies.jthulhu.io-v1.yml", "nodeschedulingplans.jthulhu.io-v1.yml");

  /** One served version of a CRD. */
  public record Definition(String group, String version, String kind, boolean clusterScoped, JsonNode schema) {
    public String apiVersion() {
      return group + "/" + version;
    }
  }

  private final List<Definition> definitions;

  private CrdSchemas(List<Definition> definitions) {
    this.definitions = List.copyOf(definitions);
  }

  public static CrdSchemas bundled() {
    List<Definition> definitions = new ArrayList<>();
    for (String name : FILE_NAMES) {
      String resource = "/META-INF/fabric8/" + name;
      try (InputStream in = CrdSchemas.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException(resource + " is missing from the classpath; build the crds module");
        }
        ManifestReader.Document crd = new ManifestReader().read(in).get(0);
        if (!crd.isReadable()) {
          throw new IllegalStateException(resource + ": " + crd.unreadable());
        }
        JsonNode spec = crd.object().path("spec");
        for (JsonNode version : spec.path("versions")) {
          if (version.path("served").asBoolean(false)) {
            definitions.add(new Definition(spec.path("group").asText(), version.path("name").asText(),
                spec.at("/names/kind").asText(), "Cluster".equals(spec.path("scope").asText()),
                version.at("/schema/openAPIV3Schema")));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new CrdSchemas(definitions);
  }

  public List<Definition> definitions() {
    return definitions;
  }

  public Optional<Definition> forKind(String kind) {
    return definitions.stream().filter(d -> d.kind().equals(kind)).findFirst();
  }
}
