package io.jthulhu.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.jthulhu.crd.SchedulingPolicy;
import io.jthulhu.operator.validation.CompiledPolicy;
import io.jthulhu.operator.validation.PolicyCompiler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** examples/gitops: Argo CD, Flux and the CI job all point at one policies folder, whose policies the operator accepts. */
class GitOpsExampleTest {
  private static final Path ROOT = Path.of("..");
  private static final Path GITOPS = ROOT.resolve("examples/gitops");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> documents = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(file.toFile())) {
      YAML.readValues(parser, JsonNode.class).forEachRemaining(doc -> {
        if (doc != null && !doc.isNull() && !doc.isEmpty()) {
          documents.add(doc);
        }
      });
    }
    return documents;
  }

  private static JsonNode kind(Path file, String kind) throws IOException {
    return documents(file).stream().filter(d -> d.path("kind").asText().equals(kind)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " in " + file));
  }

  @Test
  void argoFluxAndCiShareThePoliciesFolder() throws IOException {
    JsonNode application = kind(GITOPS.resolve("argocd-application.yaml"), "Application");
    assertThat(application.path("apiVersion").asText()).isEqualTo("argoproj.io/v1alpha1");
    String argoPath = application.at("/spec/source/path").asText();
    assertThat(application.at("/spec/syncPolicy/automated/prune").asBoolean()).isTrue();

    Path flux = GITOPS.resolve("flux-kustomization.yaml");
    JsonNode kustomization = kind(flux, "Kustomization");
    assertThat(kustomization.path("apiVersion").asText()).isEqualTo("kustomize.toolkit.fluxcd.io/v1");
    assertThat(kind(flux, "GitRepository").at("/metadata/name").asText())
        .isEqualTo(kustomization.at("/spec/sourceRef/name").asText());
    String fluxPath = kustomization.at("/spec/path").asText();

    assertThat(ROOT.resolve(argoPath).normalize()).isEqualTo(ROOT.resolve(fluxPath).normalize()).isDirectory();
    JsonNode ci = documents(GITOPS.resolve("validate-policies.yaml")).get(0);
    List<String> runs = ci.at("/jobs/validate/steps").findValuesAsText("run");
    assertThat(runs).anySatisfy(run -> assertThat(run.trim()).isEqualTo("scripts/validate.sh " + argoPath + "/"));
  }

  @Test
  void everyPolicyInTheFolderIsOneTheOperatorAccepts() throws IOException {
    String path = kind(GITOPS.resolve("argocd-application.yaml"), "Application").at("/spec/source/path").asText();
    List<Path> files;
    try (Stream<Path> listing = Files.list(ROOT.resolve(path))) {
      files = listing.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(2);
    KubernetesSerialization serialization = new KubernetesSerialization();
    for (Path file : files) {
      for (JsonNode document : documents(file)) {
        assertThat(document.path("kind").asText()).as(file.toString()).isEqualTo("SchedulingPolicy");
        SchedulingPolicy policy = serialization.unmarshal(YAML.writeValueAsString(document), SchedulingPolicy.class);
        assertThat(policy.getMetadata().getName()).as(file.toString()).isNotBlank();
        assertThat(PolicyCompiler.compile(policy)).as(file.toString()).isInstanceOf(CompiledPolicy.Valid.class);
      }
    }
  }
}
