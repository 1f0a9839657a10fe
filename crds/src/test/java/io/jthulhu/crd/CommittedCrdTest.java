package io.jthulhu.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The CRD YAML is generated from the Java types at build time; copies are committed under
 * crds/manifests and helm/crds for people and tools that do not build. This fails when they drift.
 */
class CommittedCrdTest {
  static final java.util.List<String> NAMES = CrdFiles.NAMES;

  @ParameterizedTest
  @FieldSource("NAMES")
  void committedCopiesEqualTheGeneratedCrd(String name) throws IOException {
    String generated = Files.readString(CrdFiles.GENERATED.resolve(name));
    for (Path copy : new Path[] {CrdFiles.COMMITTED.resolve(name), CrdFiles.HELM.resolve(name)}) {
      assertThat(copy).exists();
      assertThat(Files.readString(copy))
          .as("%s is stale; refresh it with: cp crds/target/classes/META-INF/fabric8/%s %s", copy, name, copy)
          .isEqualTo(generated);
    }
  }
}
