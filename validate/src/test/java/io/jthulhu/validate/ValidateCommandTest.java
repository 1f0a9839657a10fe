package io.jthulhu.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command as a CI job runs it (in-process through the same entry as main), on real files. */
class ValidateCommandTest {
  /** The policies among the examples (examples/gitops/ also holds Argo CD, Flux and CI files). */
  private static final String[] POLICY_EXAMPLES = {
      "../examples/audit-staging-normal.yaml", "../examples/batch-analytics.yaml", "../examples/idle-backups.yaml",
      "../examples/payments-api-latency-critical.yaml", "../examples/gitops/policies"};
  private static final String POLICY = """
      apiVersion: jthulhu.io/v1alpha1
      kind: SchedulingPolicy
      metadata:
        name: %s
      spec:
        scheduling: {class: Normal, weight: %d}
      """;

  @TempDir
  Path dir;

  record Run(int exitCode, String out, String err, Duration took) {
    List<String> lines() {
      return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
  }

  @BeforeAll
  static void loadTheValidatorOnce() {
    // the first run loads the CRDs and CEL; timing assertions below are about the input, not class loading
    run("", POLICY_EXAMPLES);
  }

  @Test
  void theProjectsExamplesAreValid() {
    Run run = run("", POLICY_EXAMPLES);
    assertThat(run.exitCode()).as(run.out()).isZero();
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("6 documents checked: 0 errors, 0 warnings");
  }

  @Test
  void anInvalidFieldIsNamedWithFileDocumentAndReason() throws IOException {
    Path file = write("weight.yaml", POLICY.formatted("low", 0));
    Run run = run("", file.toString());
    assertThat(run.exitCode()).isEqualTo(ValidateCommand.INVALID);
    assertThat(run.lines()).containsExactly(file + "#1 spec.scheduling.weight: error: must be >= 1");
  }

  @Test
  void selectorCelRulesOfTheCrdApply() throws IOException {
    Path file = write("selector.yaml", """
        apiVersion: jthulhu.io/v1alpha1
        kind: SchedulingPolicy
        metadata: {name: selector}
        spec:
          podSelector:
            matchExpressions:
              - {key: app, operator: In}
              - {key: tier, operator: Exists, values: [web]}
              - {key: "-bad", operator: DoesNotExist}
          scheduling: {class: Normal}
        """);
    Run run = run("", file.toString());
    assertThat(run.exitCode()).isEqualTo(ValidateCommand.INVALID);
    assertThat(run.lines()).containsExactly(
        file + "#1 spec.podSelector.matchExpressions[0].values: error: must be non-empty for operator In",
        file + "#1 spec.podSelector.matchExpressions[1].values: error: must be empty for operator Exists",
        file + "#1 spec.podSelector.matchExpressions[2].key: error: label keys are an optional DNS subdomain prefix"
            + " and '/', then 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric");
  }

  @Test
  void theOperatorsRulesApplyToWhatTheSchemaAccepts() throws IOException {
    // matchLabels keys are not checked by the CRD (see LabelSelectorSchema), only by the operator
    Path file = write("labels.yaml", """
        apiVersion: jthulhu.io/v1alpha1
        kind: SchedulingPolicy
        metadata: {name: labels}
        spec:
          podSelector: {matchLabels: {"bad key": x}}
          scheduling: {class: Normal}
        """);
    Run run = run("", file.toString());
    assertThat(run.exitCode()).isEqualTo(ValidateCommand.INVALID);
    assertThat(run.lines()).singleElement().asString()
        .startsWith(file + "#1 spec.podSelector.matchLabels[bad key]: error: label key name \"bad key\" must be");
  }

  @Test
  void aWrongApiVersionOrKindIsAnError() throws IOException {
    Path file = write("kinds.yaml", """
        apiVersion: jthulhu.io/v1
        kind: SchedulingPolicy
        metadata: {name: old}
        spec: {scheduling: {class: Normal}}
        ---
        apiVersion: jthulhu.io/v1alpha1
        kind: SchedulingPolicies
        metadata: {name: typo}
        ---
        kind: SchedulingPolicy
        metadata: {name: none}
        spec: {scheduling: {class: Normal}}
        """);
    Run run = run("", file.toString());
    assertThat(run.exitCode()).isEqualTo(ValidateCommand.INVALID);
    assertThat(run.lines()).containsExactly(
        file + "#1 apiVersion: error: unsupported apiVersion \"jthulhu.io/v1\" for kind SchedulingPolicy,"
            + " expected jthulhu.io/v1alpha1",
        file + "#2 kind: error: unknown kind \"SchedulingPolicies\", expected one of SchedulingPolicy, NodeSchedulingPlan",
        file + "#3 apiVersion: error: Required value");
  }

  @Test
  void whatTheApiServerWouldSilentlyChangeIsAWarningOnly() throws IOException {
    Path file = write("namespaced.yaml", """
        apiVersion: jthulhu.io/v1alpha1
        kind: SchedulingPolicy
        metadata: {name: scoped, namespace: payments}
        spec: {scheduling: {class: Normal}}
        status: {matchedPods: 3}
        """);
    Run run = run("", file.toString());
    assertThat(run.exitCode()).isEqualTo(ValidateCommand.VALID);
    assertThat(run.lines()).containsExactly(
        file + "#1 metadata.namespace: warning: SchedulingPolicy is cluster-scoped: the API server drops the namespace",
        file + "#1 status: warning: ignored when applied: the status subresource is written by the operator and"
            + " the node daemon only");
  }

  @Test
  void documentsOfAMultiDocumentFileAreNumberedFromOne() throws IOException {
    Path file = write("multi.yaml", POLICY.formatted("first", 5) + "---\n" + POLICY.formatted("second", 10_001)
        + "---\n# only a comment\n---\n" + POLICY.formatted("Fourth", 5));
    Run run = run("", file.toString());
    assertThat(run.exitCode()).isEqualTo(ValidateCommand.INVALID);
    assertThat(run.lines()).containsExactly(
        file + "#2 spec.scheduling.weight: error: must be <= 10000",
        file + "#4 metadata.name: error: \"Fourth\" must be a lowercase RFC 1123 subdomain: at most 253 characters,"
            + " a-z, 0-9, '-' and '.', starting and ending alphanumeric");
    assertThat(run.err()).contains("3 documents checked: 2 errors, 0 warnings");
  }

  @Test
  void anchorsAndMergeKeysMeanWhatKubectlSends() throws IOException {
    Path file = write("anchors.yaml", """
        apiVersion: jthulhu.io/v1alpha1
        kind: SchedulingPolicy
        metadata: {name: anchored}
        spec:
          podSelector: &same {matchLabels: {app: api}}
          nodeSelector: *same
          scheduling:
            <<: {class: Idle, weight: 1}
            preempt: true
        """);
    Run run = run("", file.toString());
    // the merged class Idle is what makes preempt invalid: a reader that ignored "<<" would report a missing class
    assertThat(run.lines()).containsExactly(
        file + "#1 spec.scheduling.preempt: error: preempt: the Idle class cannot preempt other tasks");
  }

  @Test
  void directoriesAreSearchedRecursivelyForManifestsOnly() throws IOException {
    write("a.yaml", POLICY.formatted("a", 0));
    write("nested/b.yml", POLICY.formatted("b", 0));
    write("nested/c.json", """
        {"apiVersion": "jthulhu.io/v1alpha1", "kind": "SchedulingPolicy", "metadata": {"name": "c"},
         "spec": {"scheduling": {"class": "Normal", "weight": 0}}}
        """);
    write("README.md", "not a manifest: [");
    write(".git/config.yaml", "not: [a manifest");
    Run run = run("", dir.toString());
    assertThat(run.exitCode()).isEqualTo(ValidateCommand.INVALID);
    assertThat(run.lines()).containsExactly(
        dir.resolve("a.yaml") + "#1 spec.scheduling.weight: error: must be >= 1",
        dir.resolve("nested/b.yml") + "#1 spec.scheduling.weight: error: must be >= 1",
        dir.resolve("nested/c.json") + "#1 spec.scheduling.weight: error: must be >= 1");
  }

  @Test
  void stdinIsReadForADash() {
    Run run = run(POLICY.formatted("piped", 20_000), "-");
    assertThat(run.exitCode()).isEqualTo(ValidateCommand.INVALID);
    assertThat(run.lines()).containsExactly("<stdin>#1 spec.scheduling.weight: error: must be <= 10000");
  }

  @Test
  void jsonOutputIsAnArrayOfFindings() throws IOException {
    Path file = write("json.yaml", POLICY.formatted("j", 0) + "---\nnot: [closed\n");
    Run run = run("", "-o", "json", file.toString());
    assertThat(run.exitCode()).isEqualTo(ValidateCommand.UNREADABLE);
    JsonNode findings = new ObjectMapper().readTree(run.out());
    assertThat(findings).hasSize(2);
    assertThat(findings.get(0).get("file").asText()).isEqualTo(file.toString());
    assertThat(findings.get(0).get("document").asInt()).isEqualTo(1);
    assertThat(findings.get(0).get("severity").asText()).isEqualTo("error");
    assertThat(findings.get(0).get("field").asText()).isEqualTo("spec.scheduling.weight");
    assertThat(findings.get(0).get("reason").asText()).isEqualTo("must be >= 1");
    assertThat(findings.get(0).get("unreadable").asBoolean()).isFalse();
    assertThat(findings.get(1).get("document").asInt()).isEqualTo(2);
    assertThat(findings.get(1).get("field").isNull()).isTrue();
    assertThat(findings.get(1).get("unreadable").asBoolean()).isTrue();
  }

  @Test
  void anAliasBombIsUnreadableWithinASecond() throws IOException {
    StringBuilder bomb = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char level = 'b'; level <= 'i'; level++) {
      char previous = (char) (level - 1);
      bomb.append(level).append(": &").append(level).append(" [").append(("*" + previous + ", ").repeat(8))
          .append('*').append(previous).append("]\n");
    }
    Path file = write("bomb.yaml", bomb.toString());
    assertUnreadableQuickly(run("", file.toString()),
        file + "#1: error: more than 50 aliases of mappings or sequences (a YAML alias bomb?)");
  }

  @Test
  void aTenMegabyteDocumentIsUnreadableWithinASecond() throws IOException {
    Path file = write("big.yaml", POLICY.formatted("big", 5) + "  padding: " + "x".repeat(10 * 1024 * 1024) + "\n");
    assertUnreadableQuickly(run("", file.toString()),
        file + ": error: input is larger than 3145728 bytes, the API server's request size limit");
  }

  @Test
  void deepNestingIsUnreadableWithinASecond() throws IOException {
    Path file = write("deep.yaml", "spec: " + "{a: ".repeat(50_000) + "x" + "}".repeat(50_000) + "\n");
    assertUnreadableQuickly(run("", file.toString()), file + "#1: error: document nests deeper than 64 levels");
  }

  @Test
  void binaryIsUnreadable() throws IOException {
    Path file = dir.resolve("image.yaml");
    Files.write(file, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', (byte) 0xff, 0});
    assertUnreadableQuickly(run("", file.toString()),
        file + ": error: binary data, not UTF-8 text (invalid byte near offset 0)");
  }

  @Test
  void textThatIsNotYamlIsUnreadable() throws IOException {
    Path prose = write("notes.yaml", "Deploy notes: remember: the weight is 5\n");
    Path word = write("word.yaml", "hello\n");
    Run run = run("", prose.toString(), word.toString());
    assertUnreadableQuickly(run,
        prose + "#1: error: not valid YAML: mapping values are not allowed here at line 1, column 23",
        word + "#1: error: expected a Kubernetes object (a YAML mapping), found the scalar \"hello\"");
  }

  @Test
  void missingPathsAndBadUsageExitWithTwo() {
    Run missing = run("", dir.resolve("absent.yaml").toString());
    assertThat(missing.exitCode()).isEqualTo(ValidateCommand.UNREADABLE);
    assertThat(missing.lines()).containsExactly(dir.resolve("absent.yaml") + ": error: no such file or directory");
    assertThat(run("").exitCode()).isEqualTo(ValidateCommand.UNREADABLE);
    assertThat(run("", "-o", "yaml", "x").err()).contains("Invalid value for option '--output'");
  }

  private void assertUnreadableQuickly(Run run, String... lines) {
    assertThat(run.exitCode()).isEqualTo(ValidateCommand.UNREADABLE);
    assertThat(run.lines()).containsExactly(lines);
    assertThat(run.took()).isLessThan(Duration.ofSeconds(1));
    assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }

  private static Run run(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long start = System.nanoTime();
    int exitCode = ValidateCommand.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    return new Run(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), took);
  }
}
