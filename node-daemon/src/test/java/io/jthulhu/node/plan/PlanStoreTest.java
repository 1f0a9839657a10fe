package io.jthulhu.node.plan;

import static io.jthulhu.node.plan.MockApi.plan;
import static io.jthulhu.node.plan.MockApi.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.SchedulingClass;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanStoreTest {
  @TempDir
  Path dir;

  private static NodeSchedulingPlan planAt(long generation, PodAssignmentFactory... pods) {
    NodeSchedulingPlan plan = plan("node-a");
    for (PodAssignmentFactory pod : pods) {
      plan.getSpec().getPods().add(pod.make());
    }
    plan.getMetadata().setGeneration(generation);
    return plan;
  }

  private interface PodAssignmentFactory {
    io.jthulhu.crd.PodAssignment make();
  }

  @Test
  void aSavedPlanLoadsBackEqual() {
    PlanStore store = new PlanStore(dir.resolve("state"));
    assertThat(store.load()).isEmpty();
    NodeSchedulingPlan plan = planAt(4, () -> pod("u1", SchedulingClass.LatencyCritical, 800), () -> pod("u2", SchedulingClass.Idle, 1));
    store.save(plan);
    assertThat(store.file()).isEqualTo(dir.resolve("state").resolve("node-scheduling-plan.yaml")).exists();
    Optional<NodeSchedulingPlan> loaded = store.load();
    assertThat(loaded).isPresent();
    assertThat(loaded.get().getSpec()).isEqualTo(plan.getSpec());
    assertThat(loaded.get().getMetadata().getName()).isEqualTo("node-a");
    assertThat(loaded.get().getMetadata().getGeneration()).isEqualTo(4L);
    // A new store over the same directory (a restarted daemon) sees it too.
    assertThat(new PlanStore(dir.resolve("state")).load()).map(NodeSchedulingPlan::getSpec).contains(plan.getSpec());
  }

  @Test
  void saveReplacesTheFileWholeAndLeavesNoTemporaryFile() throws IOException {
    PlanStore store = new PlanStore(dir);
    store.save(planAt(1, () -> pod("u1", SchedulingClass.Normal, 100)));
    Object firstKey = Files.readAttributes(store.file(), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    NodeSchedulingPlan second = planAt(2, () -> pod("u9", SchedulingClass.Batch, 5));
    store.save(second);
    assertThat(store.load()).map(NodeSchedulingPlan::getSpec).contains(second.getSpec());
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("node-scheduling-plan.yaml");
    }
    // A rename installs a new inode; an in-place rewrite would keep the old one (and could be read half-written).
    Object secondKey = Files.readAttributes(store.file(), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    assertThat(secondKey).isNotNull().isNotEqualTo(firstKey);
  }

  @Test
  void aCorruptFileLoadsAsEmptyWithOneWarningAndNoException() throws IOException {
    PlanStore store = new PlanStore(dir);
    Files.writeString(store.file(), "apiVersion: jthulhu.io/v1alpha1\nkind: NodeSchedulingPlan\nspec: [truncated");
    String warning = captureStderr(() -> assertThat(store.load()).isEmpty());
    assertThat(warning.lines()).hasSize(1).first().asString()
        .startsWith("JTHULHU warning").contains(store.file().toString());

    Files.write(store.file(), new byte[] {0, (byte) 0xff, 0x13, 0x37});
    assertThat(captureStderr(() -> assertThat(store.load()).isEmpty())).startsWith("JTHULHU warning");
  }

  @Test
  void aSaveThatCannotWriteWarnsInsteadOfThrowing() throws IOException {
    Path notADirectory = dir.resolve("file");
    Files.writeString(notADirectory, "x");
    PlanStore store = new PlanStore(notADirectory);
    String warning = captureStderr(() -> store.save(planAt(1)));
    assertThat(warning).startsWith("JTHULHU warning").contains("cannot store the plan");
    assertThat(store.load()).isEmpty();
  }

  private static String captureStderr(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
