package io.jthulhu.node.plan;

import io.jthulhu.crd.NodeSchedulingPlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Standalone mode: the plan is a NodeSchedulingPlan YAML file (apiVersion jthulhu.io/v1alpha1, as in the API), re-read when
 * it changes. Polled (mtime, size and a content hash) rather than watched, because a WatchService
 * misses atomic renames on some filesystems and a ConfigMap volume updates by swapping symlinks. A file
 * without metadata.generation counts as generation 1. The listener is called on the source's single
 * daemon thread "jthulhu-plan-file", starting with the first read right after {@link #start}.
 */
public final class PlanFileSource implements PlanSource {
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);

  private final Path file;
  private final Duration pollInterval;
  private ScheduledExecutorService poller;
  private PlanListener listener;

  // Touched only on the poll thread.
  private long lastModified = Long.MIN_VALUE;
  private long lastSize = -1;
  private byte[] lastHash;
  private byte[] deliveredHash;
  private String unavailableReason;

  public PlanFileSource(Path file, Duration pollInterval) {
    this.file = Objects.requireNonNull(file, "file");
    this.pollInterval = pollInterval == null || pollInterval.isZero() || pollInterval.isNegative()
        ? DEFAULT_POLL_INTERVAL : pollInterval;
  }

  public PlanFileSource(Path file) {
    this(file, DEFAULT_POLL_INTERVAL);
  }

  @Override
  public synchronized void start(PlanListener listener) {
    if (poller != null) {
      throw new IllegalStateException("already started");
    }
    this.listener = Objects.requireNonNull(listener, "listener");
    poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "jthulhu-plan-file");
      thread.setDaemon(true);
      return thread;
    });
    poller.scheduleWithFixedDelay(this::pollSafely, 0, pollInterval.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public String describe() {
    return "file:" + file;
  }

  @Override
  public synchronized void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }

  /** A throwing listener must not cancel the periodic task (a scheduled task that throws never runs again). */
  private void pollSafely() {
    try {
      poll();
    } catch (RuntimeException | Error e) {
      System.err.println("JTHULHU warning: plan file " + file + ": " + e);
    }
  }

  private void poll() {
    byte[] content;
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      content = Files.readAllBytes(file);
      long modified = attributes.lastModifiedTime().toMillis();
      byte[] hash = sha256(content);
      // Unchanged stamp and content: nothing to do (the content hash catches same-size rewrites within one mtime tick).
      if (modified == lastModified && content.length == lastSize && Arrays.equals(hash, lastHash)) {
        return;
      }
      lastModified = modified;
      lastSize = content.length;
      lastHash = hash;
    } catch (NoSuchFileException e) {
      forget();
      unavailable("plan file " + file + " is missing");
      return;
    } catch (IOException e) {
      forget();
      unavailable("plan file " + file + " cannot be read: " + e);
      return;
    }
    NodeSchedulingPlan plan;
    try {
      plan = PlanYaml.parse(new String(content, StandardCharsets.UTF_8), file);
    } catch (PlanYaml.PlanFormatException e) {
      unavailable(e.getMessage());
      return;
    }
    available();
    if (!Arrays.equals(lastHash, deliveredHash)) {
      deliveredHash = lastHash;
      listener.planReceived(plan);
    }
  }

  /** After a missing or unreadable file, the next read is compared afresh. */
  private void forget() {
    lastModified = Long.MIN_VALUE;
    lastSize = -1;
    lastHash = null;
  }

  private void unavailable(String reason) {
    if (!reason.equals(unavailableReason)) {
      unavailableReason = reason;
      listener.planSourceUnavailable(reason);
    }
  }

  private void available() {
    if (unavailableReason != null) {
      unavailableReason = null;
      listener.planSourceAvailable();
    }
  }

  private static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
