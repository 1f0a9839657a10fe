package io.jthulhu.node.plan;

import io.jthulhu.crd.NodeSchedulingPlan;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;

/**
 * The node's own copy of the last plan it received, so that a restarted daemon enforces it while the
 * plan source is unreachable (fail-static). Writes are atomic: a crash leaves the old or the new file,
 * never a torn one. Failures are reported as one stderr line and never thrown: losing the stored copy
 * must not stop the scheduler that enforces the plan in memory.
 */
public final class PlanStore {
  public static final Path DEFAULT_DIRECTORY = Path.of("/var/lib/jthulhu");
  static final String FILE_NAME = "node-scheduling-plan.yaml";

  private final Path directory;
  private final Path file;

  public PlanStore(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.file = directory.resolve(FILE_NAME);
  }

  public PlanStore() {
    this(DEFAULT_DIRECTORY);
  }

  public Path file() {
    return file;
  }

  /** Replaces the stored plan: temp file in the same directory, fsync, rename over, fsync the directory. */
  public synchronized void save(NodeSchedulingPlan plan) {
    Path temp = directory.resolve(FILE_NAME + ".tmp");
    try {
      Files.createDirectories(directory);
      byte[] bytes = PlanYaml.toYaml(plan).getBytes(StandardCharsets.UTF_8);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        // Same directory, so this only happens on exotic filesystems; a plain replace is the best left.
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory();
    } catch (IOException | RuntimeException e) {
      warn("cannot store the plan in " + file + ": " + e);
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // The next save truncates it anyway.
      }
    }
  }

  /** The stored plan; empty when there is none or it cannot be read (reported, not thrown). */
  public synchronized Optional<NodeSchedulingPlan> load() {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      warn("stored plan " + file + " cannot be read (" + e + "); starting without it");
      return Optional.empty();
    }
    try {
      return Optional.of(PlanYaml.parse(text, file));
    } catch (PlanYaml.PlanFormatException | RuntimeException e) {
      warn("stored plan is corrupt, starting without it: " + e.getMessage());
      return Optional.empty();
    }
  }

  /** Makes the rename durable: on Linux a directory can be opened read-only and fsynced. */
  private void syncDirectory() {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Some filesystems refuse fsync on a directory; the rename itself has happened.
    }
  }

  private static void warn(String message) {
    System.err.println("JTHULHU warning: " + message);
  }
}
