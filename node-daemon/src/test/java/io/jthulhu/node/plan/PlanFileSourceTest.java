package io.jthulhu.node.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jthulhu.crd.SchedulingClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(15)
class PlanFileSourceTest {
  private static final Duration POLL = Duration.ofMillis(50);

  @TempDir
  Path dir;

  private static String yaml(String generationLine, String podClass, int weight) {
    return """
        apiVersion: jthulhu.io/v1alpha1
        kind: NodeSchedulingPlan
        metadata:
          name: node-a
        %s
        spec:
          nodeName: node-a
          pods:
            - podUid: u1
              namespace: ns
              name: api-0
              policy: payments
              policyGeneration: 1
              scheduling: {class: %s, weight: %d, sliceMicros: 1000, preempt: true}
        """.formatted(generationLine, podClass, weight);
  }

  /** Writes like an editor or a ConfigMap update would: a new file renamed over the old one. */
  private void replace(Path file, String content) throws IOException {
    Path temp = dir.resolve("plan.tmp");
    Files.writeString(temp, content);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void deliversThePlanAndEachContentChangeOnlyOnce() throws Exception {
    Path file = dir.resolve("plan.yaml");
    Files.writeString(file, yaml("", "LatencyCritical", 800));
    RecordingListener listener = new RecordingListener();
    try (PlanFileSource source = new PlanFileSource(file, POLL)) {
      assertThat(source.describe()).isEqualTo("file:" + file);
      source.start(listener);
      await().atMost(Duration.ofSeconds(2)).until(() -> listener.plans.size() == 1);
      // No metadata.generation in the file: generation 1.
      assertThat(listener.last().getMetadata().getGeneration()).isEqualTo(1L);
      assertThat(listener.last().getSpec().getPods().get(0).getScheduling().getSchedulingClass())
          .isEqualTo(SchedulingClass.LatencyCritical);

      // Same size, different content: still seen.
      replace(file, yaml("", "LatencyCritical", 700));
      await().atMost(Duration.ofSeconds(2)).until(() -> listener.plans.size() == 2);
      assertThat(listener.last().getSpec().getPods().get(0).getScheduling().getWeight()).isEqualTo(700);

      replace(file, yaml("  generation: 7", "Batch", 10));
      await().atMost(Duration.ofSeconds(2)).until(() -> listener.plans.size() == 3);
      assertThat(listener.last().getMetadata().getGeneration()).isEqualTo(7L);

      // Rewritten with identical content (new mtime): nothing new.
      Thread.sleep(20);
      replace(file, yaml("  generation: 7", "Batch", 10));
      Thread.sleep(400);
      assertThat(listener.plans).hasSize(3);
      assertThat(listener.unavailable).isEmpty();
      assertThat(listener.threads).containsOnly("jthulhu-plan-file");
    }
  }

  @Test
  void aMissingFileIsUnavailableAndItsReturnRecovers() throws Exception {
    Path file = dir.resolve("plan.yaml");
    Files.writeString(file, yaml("", "Normal", 100));
    RecordingListener listener = new RecordingListener();
    try (PlanFileSource source = new PlanFileSource(file, POLL)) {
      source.start(listener);
      await().atMost(Duration.ofSeconds(2)).until(() -> listener.plans.size() == 1);
      Files.delete(file);
      await().atMost(Duration.ofSeconds(2)).until(() -> listener.unavailable.size() == 1);
      assertThat(listener.unavailable.get(0)).isEqualTo("plan file " + file + " is missing");
      Thread.sleep(300);
      assertThat(listener.unavailable).as("reported once per outage").hasSize(1);

      // Back with the same content: available again, nothing to re-apply.
      Files.writeString(file, yaml("", "Normal", 100));
      await().atMost(Duration.ofSeconds(2)).until(() -> listener.events.contains("available"));
      Thread.sleep(200);
      assertThat(listener.plans).hasSize(1);
      replace(file, yaml("", "Idle", 1));
      await().atMost(Duration.ofSeconds(2)).until(() -> listener.plans.size() == 2);
      assertThat(listener.events).containsExactly("plan", "unavailable", "available", "plan");
    }
  }

  @Test
  void anUnparsableFileIsUnavailableWithTheFileAndFieldNamedAndTheLastPlanStays() throws Exception {
    Path file = dir.resolve("plan.yaml");
    Files.writeString(file, yaml("", "Normal", 100));
    RecordingListener listener = new RecordingListener();
    try (PlanFileSource source = new PlanFileSource(file, POLL)) {
      source.start(listener);
      await().atMost(Duration.ofSeconds(2)).until(() -> listener.plans.size() == 1);

      replace(file, "{{{ not: yaml: at all");
      await().atMost(Duration.ofSeconds(2)).until(() -> listener.unavailable.size() == 1);
      assertThat(listener.unavailable.get(0)).contains(file.toString());

      replace(file, yaml("", "Normal", 100).replace("weight: 100", "weight: heavy"));
      await().atMost(Duration.ofSeconds(2)).until(() -> listener.unavailable.size() == 2);
      assertThat(listener.unavailable.get(1)).contains(file.toString()).contains("spec.pods[0].scheduling.weight");

      replace(file, yaml("", "Normal", 100).replace("kind: NodeSchedulingPlan", "kind: ConfigMap"));
      await().atMost(Duration.ofSeconds(2)).until(() -> listener.unavailable.size() == 3);
      assertThat(listener.unavailable.get(2)).contains(file.toString()).contains("NodeSchedulingPlan");
      assertThat(listener.plans).hasSize(1);

      replace(file, yaml("", "Batch", 10));
      await().atMost(Duration.ofSeconds(2)).until(() -> listener.plans.size() == 2);
      assertThat(listener.last().getSpec().getPods().get(0).getScheduling().getSchedulingClass()).isEqualTo(SchedulingClass.Batch);
    }
  }

  @Test
  void aFileMissingAtStartIsReportedWithoutThrowing() throws Exception {
    Path file = dir.resolve("absent.yaml");
    RecordingListener listener = new RecordingListener();
    try (PlanFileSource source = new PlanFileSource(file, POLL)) {
      source.start(listener);
      await().atMost(Duration.ofSeconds(2)).until(() -> listener.unavailable.size() == 1);
      assertThat(listener.unavailable.get(0)).contains("absent.yaml").contains("missing");
      Files.writeString(file, yaml("", "Normal", 100));
      await().atMost(Duration.ofSeconds(2)).until(() -> listener.plans.size() == 1);
    }
  }
}
