package io.jthulhu.operator.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * Liveness ({@code /healthz}), readiness ({@code /readyz}: started and no informer failing) and
 * Prometheus metrics ({@code /metrics}) over plain HTTP for the kubelet and the scraper. A failing
 * informer keeps liveness at 200 with a "degraded" body: it retries by itself, and a restart would
 * only meet the same API error again.
 */
public final class HealthServer implements AutoCloseable {
  private final HttpServer server;

  public HealthServer(int port, Supplier<RuntimeInfo> runtime, InformerHealth informers, PrometheusMeterRegistry registry)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/healthz", exchange -> {
      List<String> degraded = informers.degraded();
      respond(exchange, 200, degraded.isEmpty() ? "ok\n" : degradedBody(degraded), "text/plain");
    });
    server.createContext("/readyz", exchange -> {
      if (!runtime.get().isStarted()) {
        respond(exchange, 503, "starting\n", "text/plain");
        return;
      }
      List<String> degraded = informers.degraded();
      respond(exchange, degraded.isEmpty() ? 200 : 503, degraded.isEmpty() ? "ok\n" : degradedBody(degraded), "text/plain");
    });
    server.createContext("/metrics", exchange ->
        respond(exchange, 200, registry.scrape(), "text/plain; version=0.0.4; charset=utf-8"));
    server.start();
  }

  private static String degradedBody(List<String> degraded) {
    return "degraded:\n" + String.join("\n", degraded) + "\n";
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
