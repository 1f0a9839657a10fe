package io.jthulhu.crd.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestReaderTest {
  private final ManifestReader reader = new ManifestReader();

  @Test
  void anchorsAliasesAndMergeKeysAreResolvedAsKubectlDoes() {
    ManifestReader.Document document = readOne("""
        defaults: &defaults {class: Normal, weight: 5}
        labels: &labels {app: api}
        spec:
          podSelector: {matchLabels: *labels}
          scheduling:
            <<: *defaults
            weight: 7
        """);
    assertThat(document.object().at("/spec/podSelector/matchLabels/app").asText()).isEqualTo("api");
    assertThat(document.object().at("/spec/scheduling/class").asText()).isEqualTo("Normal");
    // the mapping's own key wins over the merged one, as in go-yaml
    assertThat(document.object().at("/spec/scheduling/weight").asInt()).isEqualTo(7);
    assertThat(document.object().at("/spec/scheduling").has("<<")).isFalse();
  }

  @Test
  void scalarsResolveLikeYaml11ButDatesStayStrings() {
    ManifestReader.Document document = readOne("a: yes\nb: 0x10\nc: 2026-01-01\nd: ~\ne: '5'\n");
    assertThat(document.object().get("a").isBoolean()).isTrue();
    assertThat(document.object().get("b").asInt()).isEqualTo(16);
    assertThat(document.object().get("c").isTextual()).isTrue();
    assertThat(document.object().get("c").asText()).isEqualTo("2026-01-01");
    assertThat(document.object().get("d").isNull()).isTrue();
    assertThat(document.object().get("e").isTextual()).isTrue();
  }

  @Test
  void documentsAreNumberedFromOneCountingEmptyOnes() {
    List<ManifestReader.Document> documents = read("---\na: 1\n---\n---\nb: 2\n");
    assertThat(documents).extracting(ManifestReader.Document::index).containsExactly(1, 3);
  }

  @Test
  void readingStopsAtTheFirstUnreadableDocumentAndKeepsTheOnesBefore() {
    List<ManifestReader.Document> documents = read("a: 1\n---\nb: [unclosed\n---\nc: 3\n");
    assertThat(documents).hasSize(2);
    assertThat(documents.get(0).isReadable()).isTrue();
    assertThat(documents.get(1).index()).isEqualTo(2);
    assertThat(documents.get(1).unreadable()).isEqualTo("not valid YAML: expected ',' or ']', but got <document start>"
        + " at line 4, column 1 (while parsing a flow sequence started at line 3, column 4)");
  }

  @Test
  void aliasBombIsRefusedQuickly() {
    StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (char level = 'b'; level <= 'j'; level++) {
      char previous = (char) (level - 1);
      bomb.append(level).append(": &").append(level).append(" [").append(("*" + previous + ", ").repeat(8))
          .append('*').append(previous).append("]\n");
    }
    assertUnreadableWithinASecond(bomb.toString(), "more than 50 aliases of mappings or sequences (a YAML alias bomb?)");
  }

  @Test
  void aliasesUnderTheLimitThatStillExpandTooFarAreRefused() {
    // 7 levels of 7 aliases: 49 aliases, but 7^7 (823543) values once expanded
    StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x]\n");
    for (char level = 'b'; level <= 'h'; level++) {
      char previous = (char) (level - 1);
      bomb.append(level).append(": &").append(level).append(" [").append(("*" + previous + ", ").repeat(6))
          .append('*').append(previous).append("]\n");
    }
    assertUnreadableWithinASecond(bomb.toString(), "expands to more than " + ManifestReader.MAX_VALUES + " values");
  }

  @Test
  void deepNestingIsRefused() {
    assertUnreadableWithinASecond("a: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n", "document nests deeper than 64 levels");
  }

  @Test
  void oversizedInputIsRefusedBeforeParsing() {
    byte[] tenMegabytes = ("a: " + "x".repeat(10 * 1024 * 1024) + "\n").getBytes(StandardCharsets.UTF_8);
    long start = System.nanoTime();
    List<ManifestReader.Document> documents = reader.read(tenMegabytes);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    assertThat(documents).singleElement().satisfies(d -> {
      assertThat(d.index()).isZero();
      assertThat(d.unreadable()).isEqualTo("input is larger than 3145728 bytes, the API server's request size limit");
    });
  }

  @Test
  void binaryInputIsRefused() {
    assertThat(reader.read(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2}))
        .singleElement().satisfies(d -> assertThat(d.unreadable()).startsWith("binary data, not UTF-8 text"));
    assertThat(reader.read(new byte[] {'a', ':', ' ', 0, 1}))
        .singleElement().satisfies(d -> assertThat(d.unreadable()).startsWith("binary data, not YAML (NUL"));
  }

  @Test
  void textThatIsNotAnObjectIsRefused() {
    assertThat(read("This is a plain sentence, not a manifest."))
        .singleElement().satisfies(d -> assertThat(d.unreadable()).startsWith("expected a Kubernetes object"));
    assertThat(read("- a\n- b\n"))
        .singleElement().satisfies(d -> assertThat(d.unreadable()).endsWith("found a sequence"));
    assertThat(read("a: b: c\n"))
        .singleElement().satisfies(d -> assertThat(d.unreadable()).startsWith("not valid YAML: ").contains("line 1"));
  }

  @Test
  void duplicateKeysAndUnknownTagsAreRefused() {
    assertThat(read("a: 1\na: 2\n"))
        .singleElement().satisfies(d -> assertThat(d.unreadable()).contains("duplicate key a"));
    assertThat(read("a: !!python/object x\n"))
        .singleElement().satisfies(d -> assertThat(d.unreadable()).startsWith("not valid YAML: "));
  }

  private void assertUnreadableWithinASecond(String yaml, String reason) {
    long start = System.nanoTime();
    List<ManifestReader.Document> documents = read(yaml);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    assertThat(documents).singleElement().satisfies(d -> {
      assertThat(d.isReadable()).isFalse();
      assertThat(d.unreadable()).contains(reason).doesNotContain("\n");
    });
  }

  private ManifestReader.Document readOne(String yaml) {
    List<ManifestReader.Document> documents = read(yaml);
    assertThat(documents).singleElement().satisfies(d -> assertThat(d.unreadable()).isNull());
    return documents.get(0);
  }

  private List<ManifestReader.Document> read(String yaml) {
    return reader.read(yaml.getBytes(StandardCharsets.UTF_8));
  }
}
