package dev.weir.controller.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * {@code /healthz}, {@code /readyz} and {@code /metrics}. The JDK's HTTP server is plenty for a few
 * probe and scrape requests a minute, and keeps Netty's event loops for the control channel.
 */
final class AdminServer implements AutoCloseable {
  private final HttpServer server;

  AdminServer(String bind, int port, BooleanSupplier ready, PrometheusMeterRegistry metrics) throws IOException {
    server = HttpServer.create(new InetSocketAddress(bind, port), 16);
    server.createContext("/healthz", ex -> respond(ex, 200, "ok\n", "text/plain"));
    server.createContext("/readyz", ex -> {
      boolean r = ready.getAsBoolean();
      respond(ex, r ? 200 : 503, r ? "ready\n" : "not ready (caches not synced yet)\n", "text/plain");
    });
    server.createContext("/metrics", ex -> respond(ex, 200, metrics.scrape(), "text/plain; version=0.0.4; charset=utf-8"));
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "weir-admin");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange ex, int status, String body, String type) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    if ("HEAD".equals(ex.getRequestMethod())) {
      ex.sendResponseHeaders(status, -1);
      ex.close();
      return;
    }
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
