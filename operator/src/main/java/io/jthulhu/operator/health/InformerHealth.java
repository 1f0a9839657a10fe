package io.jthulhu.operator.health;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Informer failures as health and metrics instead of a process exit: an informer that cannot list or
 * watch keeps retrying with back-off (the API server may be back in a minute, and a restart would list
 * everything again), while the operator reports itself degraded and counts each failure.
 *
 * <p>An informer fails when it has not synced within the start-up grace (its initial list keeps
 * failing), when it loses its watch after having synced, or when it stops for good.
 */
public final class InformerHealth implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InformerHealth.class);
  static final String FAILURES = "jthulhu.informer.failures";

  private final Supplier<RuntimeInfo> runtime;
  private final MeterRegistry registry;
  private final long graceEndsNanos;
  private final Map<String, String> failing = new ConcurrentHashMap<>();
  private final Map<String, String> stopped = new ConcurrentHashMap<>();
  private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "informer-health");
    thread.setDaemon(true);
    return thread;
  });

  public InformerHealth(Supplier<RuntimeInfo> runtime, MeterRegistry registry, Duration startupGrace, Duration pollInterval) {
    this.runtime = runtime;
    this.registry = registry;
    this.graceEndsNanos = System.nanoTime() + startupGrace.toNanos();
    Gauge.builder("jthulhu.informers.degraded", this, health -> health.degraded().size())
        .description("Informers currently failing to list or watch (retrying) or stopped")
        .register(registry);
    poller.scheduleWithFixedDelay(this::pollSafely, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** JOSDK's informer-stopped handler: record and report, never exit. */
  public void informerStopped(SharedIndexInformer<?> informer, Throwable cause) {
    if (cause == null) {
      return; // an orderly stop, as when the operator shuts down
    }
    String name = HasMetadata.getFullResourceName(informer.getApiTypeClass());
    String reason = "stopped: " + cause.getMessage();
    LOG.error("informer for {} {}; its cache no longer follows the API server", name, reason, cause);
    if (stopped.put(name, reason) == null) {
      failure(name);
    }
  }

  /** Failing informers with the reason, sorted by name; empty when all are healthy. */
  public List<String> degraded() {
    Map<String, String> all = new TreeMap<>(failing);
    all.putAll(stopped);
    List<String> lines = new ArrayList<>();
    all.forEach((name, reason) -> lines.add(name + " " + reason));
    return lines;
  }

  private void pollSafely() {
    try {
      poll();
    } catch (RuntimeException e) {
      // The poller must survive whatever the runtime view throws while the operator starts or stops.
      LOG.debug("informer health check failed", e);
    }
  }

  void poll() {
    RuntimeInfo info = runtime.get();
    Map<String, String> now = new TreeMap<>();
    boolean graceOver = System.nanoTime() - graceEndsNanos > 0;
    info.unhealthyInformerWrappingEventSourceHealthIndicator().forEach((controller, sources) ->
        sources.forEach((source, indicator) -> {
          String name = controller + "/" + source;
          boolean everSynced = anySynced(indicator);
          if (everSynced || graceOver) {
            now.put(name, "is not watching; retrying with back-off");
          }
        }));
    for (Map.Entry<String, String> entry : now.entrySet()) {
      if (failing.put(entry.getKey(), entry.getValue()) == null) {
        LOG.warn("informer {} {}", entry.getKey(), entry.getValue());
        failure(entry.getKey());
      }
    }
    failing.keySet().removeIf(name -> {
      boolean recovered = !now.containsKey(name);
      if (recovered) {
        LOG.info("informer {} is watching again", name);
      }
      return recovered;
    });
  }

  private static boolean anySynced(InformerWrappingEventSourceHealthIndicator<?> indicator) {
    return indicator.informerHealthIndicators().values().stream().anyMatch(InformerHealthIndicator::hasSynced);
  }

  private void failure(String informer) {
    Counter.builder(FAILURES)
        .description("Informer failures: initial list not synced in time, watch lost, or informer stopped")
        .tag("informer", informer)
        .register(registry)
        .increment();
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
