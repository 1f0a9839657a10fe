package io.jthulhu.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The endpoints over real HTTP, with the exposition parsed back into numbers. */
class NodeHttpServerTest {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicBoolean live = new AtomicBoolean(true);
    private final AtomicReference<String> notReady = new AtomicReference<>();
    private NodeMetrics metrics;
    private NodeHttpServer server;

    @BeforeEach
    void start() throws IOException {
        metrics = new NodeMetrics();
        server = new NodeHttpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), metrics.registry(),
                live::get, notReady::get);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** One sample line of the text format: name, labels, value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    static List<Sample> parse(String exposition) {
        List<Sample> samples = new ArrayList<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            assertThat(m.matches()).as("sample line %s", line).isTrue();
            Map<String, String> labels = new TreeMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                int end = 0;
                while (l.find()) {
                    assertThat(l.start()).as("labels of %s", line).isEqualTo(end);
                    labels.put(l.group(1), l.group(1).equals("le") ? le(l.group(2)) : l.group(2));
                    end = l.end();
                }
                assertThat(end).as("labels of %s", line).isEqualTo(m.group(2).length());
            }
            String v = m.group(3);
            double value = v.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(v);
            samples.add(new Sample(m.group(1), labels, value));
        }
        return samples;
    }

    /** The value of the only sample with this name whose labels include {@code labels}; fails if none or several. */
    static double value(List<Sample> samples, String name, String... labels) {
        Map<String, String> wanted = new HashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i].equals("le") ? le(labels[i + 1]) : labels[i + 1]);
        }
        List<Sample> hits = samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(wanted.entrySet()))
                .toList();
        assertThat(hits).as("%s%s", name, wanted).hasSize(1);
        return hits.get(0).value();
    }

    /** Bucket bounds compared as numbers: "0.001" and "1.0E-3" are the same bucket. */
    private static String le(String bound) {
        return bound.equals("+Inf") ? bound : Double.toString(Double.parseDouble(bound));
    }

    static boolean has(List<Sample> samples, String name, String label, String value) {
        return samples.stream().anyMatch(s -> s.name().equals(name) && value.equals(s.labels().get(label)));
    }

    private List<Sample> scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        return parse(response.body());
    }

    @Test
    void healthzFollowsLiveness() throws Exception {
        HttpResponse<String> ok = get("/healthz");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("ok\n");
        live.set(false);
        assertThat(get("/healthz").statusCode()).isEqualTo(503);
    }

    @Test
    void readyzGivesTheReasonWhenNotReady() throws Exception {
        HttpResponse<String> ready = get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("ok\n");

        notReady.set("scheduler not attached: sched_ext disabled");
        HttpResponse<String> notYet = get("/readyz");
        assertThat(notYet.statusCode()).isEqualTo(503);
        assertThat(notYet.body()).contains("scheduler not attached: sched_ext disabled");
    }

    @Test
    void unknownPathsAreNotFound() throws Exception {
        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        assertThat(get("/healthz/extra").statusCode()).isEqualTo(404);
        assertThat(get("/metricsx").statusCode()).isEqualTo(404);
    }

    @Test
    void servesOnTheNamedDaemonThread() throws Exception {
        AtomicReference<Thread> thread = new AtomicReference<>();
        try (NodeHttpServer probe = new NodeHttpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                metrics.registry(), () -> {
                    thread.set(Thread.currentThread());
                    return true;
                }, () -> null)) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + probe.port() + "/healthz")).build();
            assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
        assertThat(thread.get().getName()).isEqualTo("jthulhu-http");
        assertThat(thread.get().isDaemon()).isTrue();
    }

    @Test
    void closeReturnsQuicklyAndFreesThePort() throws Exception {
        int port = server.port();
        long start = System.nanoTime();
        server.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void schedulerAndPlanGauges() throws Exception {
        metrics.setAttached(true);
        metrics.recordRestart();
        metrics.recordRestart();
        metrics.recordEjection("stall");
        metrics.recordEjection("something the kernel said");
        metrics.recordEjection(null);
        metrics.setPlanGeneration(42);
        metrics.setFailStatic(true);
        metrics.setPlanPods(7, 2);
        metrics.setSchedExtSupported(true);

        List<Sample> s = scrape();
        assertThat(value(s, "jthulhu_scheduler_attached")).isEqualTo(1);
        assertThat(value(s, "jthulhu_scheduler_restarts_total")).isEqualTo(2);
        assertThat(value(s, "jthulhu_scheduler_ejections_total", "reason", "stall")).isEqualTo(1);
        assertThat(value(s, "jthulhu_scheduler_ejections_total", "reason", "other")).isEqualTo(2);
        assertThat(value(s, "jthulhu_scheduler_ejections_total", "reason", "error")).isEqualTo(0);
        assertThat(value(s, "jthulhu_scheduler_ejections_total", "reason", "restart_requested")).isEqualTo(0);
        assertThat(s.stream().filter(x -> x.name().equals("jthulhu_scheduler_ejections_total"))).hasSize(4);
        assertThat(value(s, "jthulhu_plan_generation_applied")).isEqualTo(42);
        assertThat(value(s, "jthulhu_plan_failstatic")).isEqualTo(1);
        assertThat(value(s, "jthulhu_plan_pods_applied")).isEqualTo(7);
        assertThat(value(s, "jthulhu_plan_pods_unresolved")).isEqualTo(2);
        assertThat(value(s, "jthulhu_kernel_sched_ext_supported")).isEqualTo(1);

        metrics.setAttached(false);
        metrics.setFailStatic(false);
        s = scrape();
        assertThat(value(s, "jthulhu_scheduler_attached")).isEqualTo(0);
        assertThat(value(s, "jthulhu_plan_failstatic")).isEqualTo(0);
    }

    @Test
    void bpfCountersFollowTheSnapshotAndNeverGoDown() throws Exception {
        AtomicReference<Map<String, Long>> snapshot = new AtomicReference<>(Map.of("queued", 10L, "java_dispatched", 7L));
        metrics.registerSchedulerCounters(snapshot::get);
        List<Sample> s = scrape();
        assertThat(value(s, "jthulhu_bpf_queued_total")).isEqualTo(10);
        assertThat(value(s, "jthulhu_bpf_java_dispatched_total")).isEqualTo(7);

        snapshot.set(Map.of("queued", 25L, "java_dispatched", 9L, "direct_idle", 3L, "Bad-Key", 1L));
        Thread.sleep(150); // past the per-scrape coalescing window
        s = scrape();
        assertThat(value(s, "jthulhu_bpf_queued_total")).isEqualTo(25);

        // detached: the counters hold
        snapshot.set(Map.of());
        Thread.sleep(150);
        s = scrape();
        assertThat(value(s, "jthulhu_bpf_queued_total")).isEqualTo(25);
        assertThat(value(s, "jthulhu_bpf_direct_idle_total")).isEqualTo(3);
        assertThat(s.stream().noneMatch(x -> x.name().toLowerCase().contains("bad"))).isTrue();

        // a reloaded BPF program counts from 0 again: the total continues from where it was
        snapshot.set(Map.of("queued", 4L, "java_dispatched", 9L, "direct_idle", 3L));
        Thread.sleep(150);
        s = scrape();
        assertThat(value(s, "jthulhu_bpf_queued_total")).isEqualTo(29);
        assertThat(value(s, "jthulhu_bpf_java_dispatched_total")).isEqualTo(9);
    }

    private static long[] buckets(long... firstCounts) {
        long[] b = new long[NodeMetrics.WAIT_BUCKET_SECONDS.length + 1];
        System.arraycopy(firstCounts, 0, b, 0, firstCounts.length);
        return b;
    }

    @Test
    void podCountersAndWaitHistogram() throws Exception {
        // non-cumulative: 1 wait <=5us, 2 <=10us, ..., bucket 7 is le=0.001; the last entry is +Inf
        long[] waits = buckets(1, 2, 3, 4, 5, 6, 7, 8);
        waits[waits.length - 1] = 9;
        waits[NodeMetrics.WAIT_BUCKET_SECONDS.length - 1] = 10; // le=1.0
        metrics.updatePods(List.of(
                new PodSample("shop", "web-0", "latency", "interactive", 2_500_000_000L, 1234, waits, 3_250_000_000L),
                new PodSample("batch", "etl-1", "throughput", "batch", 10_000_000_000L, 99, buckets(0, 0, 5), 75_000L)));

        List<Sample> s = scrape();
        String[] web = {"namespace", "shop", "pod", "web-0", "policy", "latency", "class", "interactive"};
        assertThat(value(s, "jthulhu_pod_cpu_seconds_total", web)).isCloseTo(2.5, within(1e-9));
        assertThat(value(s, "jthulhu_pod_context_switches_total", web)).isEqualTo(1234);
        assertThat(value(s, "jthulhu_pod_cpu_seconds_total", "pod", "etl-1", "class", "batch")).isCloseTo(10, within(1e-9));

        String h = "jthulhu_pod_runqueue_wait_seconds";
        assertThat(value(s, h + "_bucket", concat(web, "le", "5e-6"))).isEqualTo(1);
        assertThat(value(s, h + "_bucket", concat(web, "le", "10e-6"))).isEqualTo(3);
        assertThat(value(s, h + "_bucket", concat(web, "le", "0.001"))).isEqualTo(1 + 2 + 3 + 4 + 5 + 6 + 7 + 8);
        assertThat(value(s, h + "_bucket", concat(web, "le", "0.25"))).isEqualTo(36);
        assertThat(value(s, h + "_bucket", concat(web, "le", "1.0"))).isEqualTo(46);
        assertThat(value(s, h + "_bucket", concat(web, "le", "+Inf"))).isEqualTo(55);
        assertThat(value(s, h + "_count", web)).isEqualTo(55);
        assertThat(value(s, h + "_sum", web)).isCloseTo(3.25, within(1e-9));
        assertThat(s.stream().filter(x -> x.name().equals(h + "_bucket") && "web-0".equals(x.labels().get("pod"))))
                .hasSize(NodeMetrics.WAIT_BUCKET_SECONDS.length + 1);
        assertThat(value(s, h + "_bucket", "pod", "etl-1", "le", "25e-6")).isEqualTo(5);
        assertThat(value(s, h + "_sum", "pod", "etl-1")).isCloseTo(75e-6, within(1e-12));

        assertThat(value(s, "jthulhu_class_cpu_seconds_total", "class", "interactive")).isCloseTo(2.5, within(1e-9));
        assertThat(value(s, "jthulhu_class_cpu_seconds_total", "class", "batch")).isCloseTo(10, within(1e-9));

        // etl-1 leaves, web-0 runs on: its series go, the class totals keep what it used
        metrics.updatePods(List.of(
                new PodSample("shop", "web-0", "latency", "interactive", 3_000_000_000L, 1300, waits, 3_250_000_000L)));
        s = scrape();
        assertThat(has(s, "jthulhu_pod_cpu_seconds_total", "pod", "etl-1")).isFalse();
        assertThat(has(s, "jthulhu_pod_context_switches_total", "pod", "etl-1")).isFalse();
        assertThat(has(s, h + "_bucket", "pod", "etl-1")).isFalse();
        assertThat(has(s, h + "_count", "pod", "etl-1")).isFalse();
        assertThat(value(s, "jthulhu_pod_cpu_seconds_total", web)).isCloseTo(3.0, within(1e-9));
        assertThat(value(s, "jthulhu_class_cpu_seconds_total", "class", "interactive")).isCloseTo(3.0, within(1e-9));
        assertThat(value(s, "jthulhu_class_cpu_seconds_total", "class", "batch")).isCloseTo(10, within(1e-9));
    }

    @Test
    void podChangingClassMovesToNewSeriesAndAllPodsCanLeave() throws Exception {
        metrics.updatePods(List.of(new PodSample("a", "p", "pol", "batch", 1_000_000_000L, 1, buckets(1), 1000)));
        metrics.updatePods(List.of(new PodSample("a", "p", "pol", "interactive", 1_500_000_000L, 2, buckets(2), 2000)));
        List<Sample> s = scrape();
        assertThat(has(s, "jthulhu_pod_cpu_seconds_total", "class", "batch")).isFalse();
        assertThat(value(s, "jthulhu_pod_cpu_seconds_total", "pod", "p", "class", "interactive")).isCloseTo(1.5, within(1e-9));
        assertThat(value(s, "jthulhu_pod_runqueue_wait_seconds_count", "pod", "p")).isEqualTo(2);
        // the 0.5 s used since the move is the new class's
        assertThat(value(s, "jthulhu_class_cpu_seconds_total", "class", "interactive")).isCloseTo(0.5, within(1e-9));
        assertThat(value(s, "jthulhu_class_cpu_seconds_total", "class", "batch")).isCloseTo(1.0, within(1e-9));

        metrics.updatePods(List.of());
        s = scrape();
        assertThat(s.stream().noneMatch(x -> x.name().startsWith("jthulhu_pod_"))).isTrue();
    }

    @Test
    void malformedSamplesAreRefused() {
        assertThatThrownBy(() -> new PodSample("a", "p", "x", "y", 0, 0, new long[3], 0))
                .isInstanceOf(IllegalArgumentException.class);
        long[] b = buckets(1);
        PodSample sample = new PodSample("a", "p", null, null, 0, 0, b, 0);
        b[0] = 99; // the caller's array is not shared
        assertThat(sample.waitBuckets()[0]).isEqualTo(1);
        assertThat(sample.policy()).isEqualTo("none");
    }

    private static String[] concat(String[] labels, String... more) {
        String[] all = new String[labels.length + more.length];
        System.arraycopy(labels, 0, all, 0, labels.length);
        System.arraycopy(more, 0, all, labels.length, more.length);
        return all;
    }
}
