package io.jthulhu.node.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The node daemon's probes and metrics over plain HTTP: {@code /healthz} (liveness),
 * {@code /readyz} (readiness, with the reason when not ready) and {@code /metrics} (Prometheus text).
 *
 * <p>Requests are served one at a time on a single daemon thread, "jthulhu-http": the kubelet and
 * one scraper are the only clients, and the scheduler's own threads must not compete with a pool.
 */
public final class NodeHttpServer implements AutoCloseable {

    static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * Binds and starts serving. {@code readiness} returns null when ready, else why not; both
     * suppliers run on the HTTP thread, so they must be cheap and thread-safe.
     */
    public NodeHttpServer(InetSocketAddress address, PrometheusMeterRegistry registry, BooleanSupplier live,
            Supplier<String> readiness) throws IOException {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(live, "live");
        Objects.requireNonNull(readiness, "readiness");
        server = HttpServer.create(Objects.requireNonNull(address, "address"), 0);
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread thread = new Thread(task, "jthulhu-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        // One context for every path: createContext matches by prefix, and /healthzfoo must be a 404.
        server.createContext("/", exchange -> {
            try {
                serve(exchange, registry, live, readiness);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    /** The bound port: the one asked for, or the one the kernel chose for port 0. */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void serve(HttpExchange exchange, PrometheusMeterRegistry registry, BooleanSupplier live,
            Supplier<String> readiness) throws IOException {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            respond(exchange, 405, "method not allowed\n", TEXT);
            return;
        }
        switch (exchange.getRequestURI().getPath()) {
            case "/healthz" -> {
                boolean ok = probe(live);
                respond(exchange, ok ? 200 : 503, ok ? "ok\n" : "not live\n", TEXT);
            }
            case "/readyz" -> {
                String reason = notReadyReason(readiness);
                respond(exchange, reason == null ? 200 : 503, reason == null ? "ok\n" : reason + "\n", TEXT);
            }
            case "/metrics" -> {
                String body;
                try {
                    body = registry.scrape();
                } catch (RuntimeException e) {
                    respond(exchange, 500, "scrape failed: " + e + "\n", TEXT);
                    return;
                }
                respond(exchange, 200, body, METRICS_CONTENT_TYPE);
            }
            default -> respond(exchange, 404, "not found\n", TEXT);
        }
    }

    /** A liveness check that throws is a failed check, not a dead HTTP thread. */
    private static boolean probe(BooleanSupplier live) {
        try {
            return live.getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String notReadyReason(Supplier<String> readiness) {
        try {
            return readiness.get();
        } catch (RuntimeException e) {
            return "readiness check failed: " + e;
        }
    }

    private static void respond(HttpExchange exchange, int code, String body, String contentType) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        // -1: no body at all, which is what a HEAD response must carry.
        exchange.sendResponseHeaders(code, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Stops accepting at once and gives an exchange in progress well under a second to finish. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(500, TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
