package dev.weir.dataplane.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import dev.weir.snapshot.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A test origin on 127.0.0.1 whose answers a test scripts per path ({@link #on}): each request is
 * counted and its headers kept, so a test can assert what reached the origin. Unscripted paths get
 * 404 with no caching headers.
 */
public final class ScriptedOrigin implements AutoCloseable {

  /** One answer: status, headers (name, value pairs), body; {@code delayMillis} before answering. */
  public record Reply(int status, List<String> headers, byte[] body, long delayMillis) {
    public static Reply of(int status, String body, String... headers) {
      return new Reply(status, List.of(headers), body.getBytes(), 0);
    }

    public Reply delayed(long millis) {
      return new Reply(status, headers, body, millis);
    }
  }

  /** What the origin saw of one request. */
  public record Seen(String method, String path, Headers headers) {
    public String header(String name) {
      return headers.getFirst(name);
    }
  }

  private final HttpServer server;
  private final Map<String, Function<Seen, Reply>> scripts = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final List<Seen> seen = java.util.Collections.synchronizedList(new ArrayList<>());

  static {
    // The JDK server writes the head and the body separately; without TCP_NODELAY the body waits for the
    // head's ACK, which the proxy's kernel delays (40 ms per response on Linux).
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private ScriptedOrigin() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "scripted-origin");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        in.readAllBytes();
      }
      String target = exchange.getRequestURI().toString();
      Seen s = new Seen(exchange.getRequestMethod(), target, exchange.getRequestHeaders());
      seen.add(s);
      counts.computeIfAbsent(exchange.getRequestURI().getPath(), k -> new AtomicInteger()).incrementAndGet();
      Function<Seen, Reply> script = scripts.get(exchange.getRequestURI().getPath());
      Reply r = script == null ? Reply.of(404, "not scripted") : script.apply(s);
      if (r.delayMillis() > 0) {
        try {
          Thread.sleep(r.delayMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      for (int i = 0; i + 1 < r.headers().size(); i += 2) {
        exchange.getResponseHeaders().add(r.headers().get(i), r.headers().get(i + 1));
      }
      boolean bodiless = r.status() == 304 || r.status() == 204 || "HEAD".equals(exchange.getRequestMethod());
      exchange.sendResponseHeaders(r.status(), bodiless ? -1 : r.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        if (!bodiless) {
          out.write(r.body());
        }
      }
    });
    server.start();
  }

  public static ScriptedOrigin start() {
    try {
      return new ScriptedOrigin();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Answers requests for {@code path} (query ignored) with {@code script}. */
  public ScriptedOrigin on(String path, Function<Seen, Reply> script) {
    scripts.put(path, script);
    return this;
  }

  /** Requests the origin got for {@code path} (query ignored). */
  public int count(String path) {
    AtomicInteger n = counts.get(path);
    return n == null ? 0 : n.get();
  }

  /** The last request the origin got for {@code path}, or null. */
  public Seen last(String path) {
    synchronized (seen) {
      for (int i = seen.size() - 1; i >= 0; i--) {
        if (seen.get(i).path().equals(path) || seen.get(i).path().startsWith(path + "?")) {
          return seen.get(i);
        }
      }
    }
    return null;
  }

  public Endpoint endpoint() {
    return new Endpoint("127.0.0.1", server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
