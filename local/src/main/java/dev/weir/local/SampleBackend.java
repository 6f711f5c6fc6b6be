package dev.weir.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A tiny echo server standing in for an application pod in local mode: it answers every request with
 * its own name and what it received, so that a {@code curl} through Weir shows where the request went.
 */
public final class SampleBackend implements AutoCloseable {
  private final String name;
  private final HttpServer server;
  private final ExecutorService executor;

  private SampleBackend(String name, HttpServer server, ExecutorService executor) {
    this.name = name;
    this.server = server;
    this.executor = executor;
  }

  public static SampleBackend start(String name, String bind, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 128);
    ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "backend-" + name);
      t.setDaemon(true);
      return t;
    });
    SampleBackend backend = new SampleBackend(name, server, executor);
    server.createContext("/", backend::handle);
    server.setExecutor(executor);
    server.start();
    return backend;
  }

  private void handle(HttpExchange ex) throws IOException {
    long received = 0;
    try (InputStream in = ex.getRequestBody()) {
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) > 0; ) received += n;
    }
    StringBuilder body = new StringBuilder();
    body.append("backend: ").append(name).append('\n');
    body.append("request: ").append(ex.getRequestMethod()).append(' ').append(ex.getRequestURI()).append('\n');
    body.append("body-bytes: ").append(received).append('\n');
    Map<String, List<String>> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    sorted.putAll(ex.getRequestHeaders());
    sorted.forEach((k, v) -> v.forEach(value -> body.append(k.toLowerCase()).append(": ").append(value).append('\n')));
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.getResponseHeaders().set("X-Backend", name);
    String maxAge = maxAge(ex.getRequestURI().getRawQuery());
    if (maxAge != null) {
      ex.getResponseHeaders().set("Cache-Control", "public, max-age=" + maxAge); // lets a cached route store it
    }
    ex.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The {@code max-age=N} of a query such as {@code ?max-age=60}, or null. */
  static String maxAge(String query) {
    if (query == null) {
      return null;
    }
    for (String part : query.split("&")) {
      if (part.startsWith("max-age=") && part.substring(8).matches("[0-9]{1,9}")) {
        return part.substring(8);
      }
    }
    return null;
  }

  public String name() {
    return name;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
