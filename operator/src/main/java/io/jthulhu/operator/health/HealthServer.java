package io.jthulhu.operator.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Liveness ({@code /healthz}: all informers healthy), readiness ({@code /readyz}: operator started)
 * and Prometheus metrics ({@code /metrics}) over plain HTTP for the kubelet and the scraper.
 */
public final class HealthServer implements AutoCloseable {
  private final HttpServer server;

  public HealthServer(int port, Supplier<RuntimeInfo> runtime, PrometheusMeterRegistry registry) throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/healthz", exchange -> {
      RuntimeInfo info = runtime.get();
      boolean healthy = info.allEventSourcesAreHealthy();
      respond(exchange, healthy ? 200 : 503, healthy ? "ok\n" : "unhealthy: " + info.unhealthyEventSources() + "\n", "text/plain");
    });
    server.createContext("/readyz", exchange -> {
      boolean ready = runtime.get().isStarted();
      respond(exchange, ready ? 200 : 503, ready ? "ok\n" : "starting\n", "text/plain");
    });
    server.createContext("/metrics", exchange ->
        respond(exchange, 200, registry.scrape(), "text/plain; version=0.0.4; charset=utf-8"));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int code, String body, String contentType) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
