package io.jthulhu.node.plan;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.jthulhu.crd.NodeSchedulingPlan;
import io.jthulhu.crd.NodeSchedulingPlanStatus;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes this node's plan status through the status subresource, from one background thread
 * ("jthulhu-status-writer"). publish() only swaps in the newest status and returns; the writer sends
 * at most one write per interval (1 s), skips a status equal to the last one written or to the one on
 * the server, and never creates the plan (the operator owns spec): a status for a plan that does not
 * exist yet waits, re-checked with backoff and at once on the next publish. Errors are counted, not thrown.
 */
public final class KubernetesStatusWriter implements StatusPublisher {
  static final Duration DEFAULT_MIN_INTERVAL = Duration.ofSeconds(1);
  private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(10);
  private static final int CONFLICT_RETRIES = 5;
  /** After this, an unchanged status is compared with the server again (a re-created plan has lost it). */
  private static final long TRUST_LAST_WRITTEN_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final KubernetesClient client;
  private final String nodeName;
  private final long minIntervalNanos;
  private final KubernetesSerialization serialization;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong writeFailures = new AtomicLong();
  private final Thread writer;

  // Guarded by lock.
  private NodeSchedulingPlanStatus pending;
  private boolean freshPublish;
  private boolean closed;

  // Writer thread only.
  private JsonNode lastWritten;
  private long lastWrittenNanos;
  private long lastAttemptNanos;
  private boolean attempted;

  public KubernetesStatusWriter(KubernetesClient client, String nodeName) {
    this(client, nodeName, DEFAULT_MIN_INTERVAL);
  }

  KubernetesStatusWriter(KubernetesClient client, String nodeName, Duration minInterval) {
    this.client = Objects.requireNonNull(client, "client");
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
    this.minIntervalNanos = minInterval.toNanos();
    this.serialization = client.getKubernetesSerialization();
    writer = new Thread(this::run, "jthulhu-status-writer");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void publish(NodeSchedulingPlanStatus status) {
    Objects.requireNonNull(status, "status");
    NodeSchedulingPlanStatus copy = serialization.clone(status);
    lock.lock();
    try {
      pending = copy;
      freshPublish = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Successful writes to the API server. */
  public long writes() {
    return writes.get();
  }

  /** Failed write attempts (API errors, unreachable server); each is retried with the newest status. */
  public long writeFailures() {
    return writeFailures.get();
  }

  /** Stops the writer thread; a status not yet written is dropped. The client belongs to the caller and stays open. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      writer.join(TimeUnit.SECONDS.toMillis(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      writer.interrupt();
    }
  }

  private void run() {
    long retryDelayNanos = 0;
    while (true) {
      NodeSchedulingPlanStatus status;
      lock.lock();
      try {
        // Wait for a status, then for the rate limit; a status published meanwhile replaces it.
        while (!closed && pending == null) {
          wake.awaitUninterruptibly();
        }
        long earliest = attempted ? lastAttemptNanos + Math.max(minIntervalNanos, retryDelayNanos) : System.nanoTime();
        while (!closed) {
          long wait = earliest - System.nanoTime();
          if (wait <= 0) {
            break;
          }
          if (freshPublish && retryDelayNanos > minIntervalNanos) {
            // A new status cuts a long retry backoff short (the daemon publishes when its plan arrives).
            retryDelayNanos = 0;
            earliest = lastAttemptNanos + minIntervalNanos;
            continue;
          }
          try {
            wake.awaitNanos(wait);
          } catch (InterruptedException e) {
            // Only close() interrupts, when the thread did not stop in time.
            return;
          }
        }
        if (closed) {
          return;
        }
        status = pending;
        pending = null;
        freshPublish = false;
      } finally {
        lock.unlock();
      }
      Outcome outcome = write(status);
      if (outcome == Outcome.DONE) {
        retryDelayNanos = 0;
        continue;
      }
      // Keep it for a retry unless a newer status arrived meanwhile.
      lock.lock();
      try {
        if (pending == null) {
          pending = status;
        }
      } finally {
        lock.unlock();
      }
      retryDelayNanos = retryDelayNanos == 0 ? minIntervalNanos
          : Math.min(retryDelayNanos * 2, MAX_RETRY_DELAY.toNanos());
    }
  }

  private enum Outcome { DONE, RETRY }

  private Outcome write(NodeSchedulingPlanStatus status) {
    JsonNode wanted = serialization.convertValue(status, JsonNode.class);
    if (wanted.equals(lastWritten) && System.nanoTime() - lastWrittenNanos < TRUST_LAST_WRITTEN_NANOS) {
      return Outcome.DONE;
    }
    lastAttemptNanos = System.nanoTime();
    attempted = true;
    try {
      for (int attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
        NodeSchedulingPlan plan = client.resources(NodeSchedulingPlan.class).withName(nodeName).get();
        if (plan == null) {
          return Outcome.RETRY;
        }
        if (plan.getStatus() != null && wanted.equals(serialization.convertValue(plan.getStatus(), JsonNode.class))) {
          remember(wanted);
          return Outcome.DONE;
        }
        plan.setStatus(serialization.clone(status));
        try {
          // PUT with the resourceVersion just read: a concurrent change answers 409 and is re-read.
          client.resource(plan).updateStatus();
          writes.incrementAndGet();
          remember(wanted);
          return Outcome.DONE;
        } catch (KubernetesClientException e) {
          if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
            continue;
          }
          if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
            return Outcome.RETRY;
          }
          throw e;
        }
      }
      writeFailures.incrementAndGet();
      return Outcome.RETRY;
    } catch (RuntimeException e) {
      writeFailures.incrementAndGet();
      return Outcome.RETRY;
    }
  }

  private void remember(JsonNode written) {
    lastWritten = written;
    lastWrittenNanos = System.nanoTime();
  }
}
