package io.jthulhu.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The node daemon's metrics, in a Prometheus registry of its own.
 *
 * <p>Threads: the setters and {@link #updatePods} may be called from any thread (pod updates are
 * serialised among themselves); scrapes run on the HTTP thread and read only published state:
 * atomics, immutable {@link PodSample}s and concurrent maps.
 */
public final class NodeMetrics {

    /** Upper bounds of the run-queue wait buckets the BPF side counts, in seconds; +Inf follows. */
    public static final double[] WAIT_BUCKET_SECONDS = {5e-6, 10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3,
        2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 1.0};

    /** Ejection reasons kept as label values; anything else is "other", so the series stay few. */
    public static final Set<String> EJECTION_REASONS = Set.of("restart_requested", "error", "stall", "other");

    static final String WAIT_HISTOGRAM = "jthulhu_pod_runqueue_wait_seconds";

    /** A BPF counter key becomes part of a metric name: nothing but what a name may hold. */
    private static final Pattern COUNTER_KEY = Pattern.compile("[a-z][a-z0-9_]*");
    /** Bounds how often one scrape's many BPF counters call the snapshot supplier: once per scrape, in practice. */
    private static final long COUNTER_REFRESH_NANOS = 100_000_000L;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Private copy: the public array can be written to by anyone. */
    private final double[] waitBounds = WAIT_BUCKET_SECONDS.clone();

    private final AtomicInteger attached = new AtomicInteger();
    private final AtomicLong planGeneration = new AtomicLong();
    private final AtomicInteger failStatic = new AtomicInteger();
    private final AtomicInteger podsApplied = new AtomicInteger();
    private final AtomicInteger podsUnresolved = new AtomicInteger();
    private final AtomicInteger schedExtSupported = new AtomicInteger();
    private final Counter restarts;
    private final Map<String, Counter> ejections = new HashMap<>();

    private final BpfCounters bpfCounters = new BpfCounters();

    /** Keyed by namespace/pod; values are replaced, never mutated, so scrapes see whole samples. */
    private final Map<String, PodMeters> pods = new ConcurrentHashMap<>();
    /** CPU nanoseconds per class, monotonic: grows by each pod's increase, keeps what departed pods used. */
    private final Map<String, AtomicLong> classCpuNanos = new ConcurrentHashMap<>();

    public NodeMetrics() {
        gauge("jthulhu.scheduler.attached", "1 while the sched_ext scheduler is attached", attached);
        restarts = Counter.builder("jthulhu.scheduler.restarts")
                .description("Times the scheduler was attached again after it stopped")
                .register(registry);
        for (String reason : EJECTION_REASONS) {
            // Registered up front so a rate() over them starts at 0 rather than at the first ejection.
            ejections.put(reason, Counter.builder("jthulhu.scheduler.ejections")
                    .description("Times the kernel ejected the scheduler, by reason")
                    .tag("reason", reason)
                    .register(registry));
        }
        gauge("jthulhu.plan.generation.applied", "Generation of the node plan in force", planGeneration);
        gauge("jthulhu.plan.failstatic", "1 while the daemon keeps the last plan because it cannot get a new one",
                failStatic);
        gauge("jthulhu.plan.pods.applied", "Pods of the plan whose cgroup was found and applied", podsApplied);
        gauge("jthulhu.plan.pods.unresolved", "Pods of the plan whose cgroup was not found", podsUnresolved);
        gauge("jthulhu.kernel.sched_ext.supported", "1 if the kernel offers sched_ext", schedExtSupported);
        registry.getPrometheusRegistry().register(new WaitHistogramCollector());
    }

    private void gauge(String name, String description, Number value) {
        Gauge.builder(name, value, Number::doubleValue).description(description).strongReference(true)
                .register(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public void setAttached(boolean value) {
        attached.set(value ? 1 : 0);
    }

    public void recordRestart() {
        restarts.increment();
    }

    /** Counts an ejection; a reason outside {@link #EJECTION_REASONS} counts as "other". */
    public void recordEjection(String reason) {
        String key = reason == null ? "other" : reason.toLowerCase(Locale.ROOT);
        ejections.getOrDefault(key, ejections.get("other")).increment();
    }

    public void setPlanGeneration(long generation) {
        planGeneration.set(generation);
    }

    public void setFailStatic(boolean value) {
        failStatic.set(value ? 1 : 0);
    }

    public void setPlanPods(int applied, int unresolved) {
        podsApplied.set(applied);
        podsUnresolved.set(unresolved);
    }

    public void setSchedExtSupported(boolean value) {
        schedExtSupported.set(value ? 1 : 0);
    }

    /**
     * Exposes each key of the snapshot as {@code jthulhu_bpf_<key>_total}. The supplier is called
     * at scrape time (at most once per scrape) and may return an empty map while the scheduler is
     * detached. The counters never go down: values that drop (a new BPF program starting from 0)
     * are added on top of what was counted before. Keys must be cumulative counts
     * ({@code [a-z][a-z0-9_]*}); others are ignored. Calling again replaces the supplier and keeps
     * the totals.
     */
    public void registerSchedulerCounters(Supplier<Map<String, Long>> counters) {
        bpfCounters.supplier = Objects.requireNonNull(counters, "counters");
        bpfCounters.refresh(true);
    }

    /**
     * Replaces the per-pod series with these samples: pods not in the list lose their series.
     * A pod whose policy or class changed gets new series under the new labels.
     */
    public synchronized void updatePods(List<PodSample> samples) {
        Map<String, PodSample> latest = new LinkedHashMap<>();
        for (PodSample sample : samples) {
            latest.put(sample.namespace() + "/" + sample.pod(), sample);
        }
        for (Map.Entry<String, PodSample> entry : latest.entrySet()) {
            PodSample sample = entry.getValue();
            PodMeters current = pods.get(entry.getKey());
            long previousCpu = 0;
            if (current != null) {
                PodSample old = current.sample;
                previousCpu = old.cpuTimeNanos();
                if (!old.policy().equals(sample.policy()) || !old.schedulingClass().equals(sample.schedulingClass())) {
                    current.remove(registry);
                    current = null;
                }
            }
            if (current == null) {
                current = new PodMeters(sample, registry);
                pods.put(entry.getKey(), current);
            } else {
                current.sample = sample;
            }
            // A drop means new counters (pod recreated under the same name, BPF reloaded): all of it is new CPU.
            long delta = sample.cpuTimeNanos() >= previousCpu ? sample.cpuTimeNanos() - previousCpu : sample.cpuTimeNanos();
            classCounter(sample.schedulingClass()).addAndGet(delta);
        }
        pods.entrySet().removeIf(entry -> {
            if (latest.containsKey(entry.getKey())) {
                return false;
            }
            entry.getValue().remove(registry);
            return true;
        });
    }

    private AtomicLong classCounter(String schedulingClass) {
        return classCpuNanos.computeIfAbsent(schedulingClass, c -> {
            AtomicLong nanos = new AtomicLong();
            FunctionCounter.builder("jthulhu.class.cpu", nanos, n -> n.get() / 1e9)
                    .description("CPU time of the pods of a scheduling class, including pods gone since")
                    .baseUnit("seconds")
                    .tag("class", c)
                    .register(registry);
            return nanos;
        });
    }

    /** The Micrometer meters of one pod; the histogram is rendered from {@link #sample} by the collector. */
    private static final class PodMeters {
        volatile PodSample sample;
        private final List<Meter> meters;

        PodMeters(PodSample first, MeterRegistry registry) {
            sample = first;
            String[] tags = {"namespace", first.namespace(), "pod", first.pod(), "policy", first.policy(),
                "class", first.schedulingClass()};
            meters = List.of(
                    FunctionCounter.builder("jthulhu.pod.cpu", this, m -> m.sample.cpuTimeNanos() / 1e9)
                            .description("CPU time of the pod's tasks").baseUnit("seconds").tags(tags)
                            .register(registry),
                    FunctionCounter.builder("jthulhu.pod.context.switches", this, m -> m.sample.contextSwitches())
                            .description("Context switches of the pod's tasks").tags(tags)
                            .register(registry));
        }

        void remove(MeterRegistry registry) {
            meters.forEach(registry::remove);
        }
    }

    /**
     * Renders each pod's BPF-counted buckets as a classic Prometheus histogram through the client
     * model Micrometer's registry is built on: Micrometer has no meter for buckets counted elsewhere.
     */
    private final class WaitHistogramCollector implements MultiCollector {
        @Override
        public MetricSnapshots collect() {
            if (pods.isEmpty()) {
                return new MetricSnapshots();
            }
            HistogramSnapshot.Builder histogram = HistogramSnapshot.builder()
                    .name(WAIT_HISTOGRAM)
                    .help("Time the pod's tasks waited runnable before they ran")
                    .unit(Unit.SECONDS);
            for (PodMeters meters : pods.values()) {
                PodSample s = meters.sample;
                ClassicHistogramBuckets.Builder buckets = ClassicHistogramBuckets.builder();
                for (int i = 0; i < waitBounds.length; i++) {
                    buckets.bucket(waitBounds[i], s.waitBucket(i));
                }
                buckets.bucket(Double.POSITIVE_INFINITY, s.waitBucket(waitBounds.length));
                histogram.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(buckets.build())
                        .sum(s.waitSumNanos() / 1e9)
                        .labels(Labels.of("namespace", s.namespace(), "pod", s.pod(), "policy", s.policy(),
                                "class", s.schedulingClass()))
                        .build());
            }
            return MetricSnapshots.of(histogram.build());
        }
    }

    /** BPF counters read from a snapshot supplier at scrape time, kept monotonic across reloads. */
    private final class BpfCounters {
        volatile Supplier<Map<String, Long>> supplier = Map::of;
        private final Map<String, Total> totals = new ConcurrentHashMap<>();
        private long refreshedAt;
        private boolean refreshed;

        synchronized void refresh(boolean force) {
            long now = System.nanoTime();
            if (!force && refreshed && now - refreshedAt < COUNTER_REFRESH_NANOS) {
                return;
            }
            refreshed = true;
            refreshedAt = now;
            Map<String, Long> snapshot;
            try {
                snapshot = supplier.get();
            } catch (RuntimeException e) {
                // A failed read is a detached scheduler to the scrape: keep the totals as they are.
                return;
            }
            if (snapshot == null) {
                return;
            }
            snapshot.forEach((key, value) -> {
                if (value != null && COUNTER_KEY.matcher(key).matches()) {
                    totals.computeIfAbsent(key, this::register).observe(value);
                }
            });
        }

        private Total register(String key) {
            Total total = new Total();
            FunctionCounter.builder("jthulhu.bpf." + key, total, t -> {
                refresh(false);
                return t.value();
            }).description("BPF scheduler counter " + key).register(registry);
            return total;
        }
    }

    /** One BPF counter: what earlier programs counted ({@code base}) plus the current reading. */
    private static final class Total {
        private long base;
        private long last;

        synchronized void observe(long value) {
            if (value < last) {
                base += last;
            }
            last = value;
        }

        synchronized double value() {
            return base + last;
        }
    }
}
