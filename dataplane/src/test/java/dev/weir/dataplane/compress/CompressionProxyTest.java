package dev.weir.dataplane.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.testing.H2TestClient;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.HttpTestClient.Response;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.CompressionPolicy;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.PathMatch;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.UpstreamProtocol;
import dev.weir.snapshot.VirtualHost;
import dev.weir.snapshot.WeightedCluster;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Response compression through the proxy, on real sockets: a JDK HTTP server upstream serves
 * HTML (with a length and chunked), a tiny page, a PNG and a body it encoded itself; the route
 * {@code zip.test} compresses, {@code plain.test} does not. Each body is decoded with an
 * independent decoder and compared with what the upstream sent.
 */
class CompressionProxyTest {

  static HttpServer upstream;
  static Dataplane dp;
  static final byte[] PAGE = Bodies.html(20_000, 1);
  static final byte[] BIG = Bodies.html(300_000, 2);
  static final AtomicReference<String> seenAcceptEncoding = new AtomicReference<>();

  @BeforeAll
  static void start() throws Exception {
    System.setProperty("sun.net.httpserver.nodelay", "true"); // see ScriptedOrigin
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext("/", exchange -> {
      seenAcceptEncoding.set(exchange.getRequestHeaders().getFirst("Accept-Encoding"));
      String path = exchange.getRequestURI().getPath();
      byte[] body;
      long length;
      switch (path) {
        case "/page" -> {
          exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
          exchange.getResponseHeaders().set("ETag", "\"v1\"");
          body = PAGE;
          length = body.length;
        }
        case "/chunked" -> {
          exchange.getResponseHeaders().set("Content-Type", "text/html");
          body = BIG;
          length = 0; // JDK server: 0 means chunked
        }
        case "/tiny" -> {
          exchange.getResponseHeaders().set("Content-Type", "text/html");
          body = "<p>hi</p>".getBytes();
          length = body.length;
        }
        case "/png" -> {
          exchange.getResponseHeaders().set("Content-Type", "image/png");
          body = PAGE;
          length = body.length;
        }
        case "/no-transform" -> {
          exchange.getResponseHeaders().set("Content-Type", "text/html");
          exchange.getResponseHeaders().set("Cache-Control", "no-transform");
          body = PAGE;
          length = body.length;
        }
        default -> {
          exchange.getResponseHeaders().set("Content-Type", "text/plain");
          body = ("no " + path).getBytes();
          length = body.length;
          exchange.sendResponseHeaders(404, length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
          return;
        }
      }
      exchange.sendResponseHeaders(200, length);
      try (OutputStream out = exchange.getResponseBody()) {
        for (int i = 0; i < body.length; i += 4096) {
          out.write(body, i, Math.min(4096, body.length - i)); // several writes: several chunks
        }
      }
    });
    upstream.start();
    Endpoint e = new Endpoint("127.0.0.1", upstream.getAddress().getPort());
    Route zip = new Route("zip", "test", PathMatch.prefix("/"), List.of(), null, List.of(new WeightedCluster("web", 1)))
        .withCaching(null, CompressionPolicy.DEFAULT);
    Route gzipOnly = new Route("gzip-only", "test", PathMatch.prefix("/"), List.of(), null, List.of(new WeightedCluster("web", 1)))
        .withCaching(null, new CompressionPolicy(List.of("gzip"), 0, List.of()));
    Route plain = new Route("plain", "test", PathMatch.prefix("/"), List.of(), null, List.of(new WeightedCluster("web", 1)));
    Snapshot s = new Snapshot(1, "", List.of(new VirtualHost("zip.test", List.of(zip), null, null),
        new VirtualHost("gzip.test", List.of(gzipOnly), null, null), new VirtualHost("plain.test", List.of(plain), null, null)),
        List.of(new Cluster("web", List.of(e), UpstreamProtocol.HTTP1, null, null)), List.of(), null).withComputedHash();
    dp = Dataplane.start(DataplaneOptions.ephemeral().ioThreads(2).build());
    assertTrue(dp.config().apply(s).accepted());
  }

  @AfterAll
  static void stop() {
    dp.close(Duration.ofSeconds(2));
    upstream.stop(0);
  }

  static Response get(String host, String path, String acceptEncoding) {
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      return c.request("GET", host, path, acceptEncoding == null ? Map.of() : Map.of("Accept-Encoding", acceptEncoding), null);
    }
  }

  @Test
  void eachCodingRoundTripsWithALengthKnownUpFront() {
    for (ContentCoding coding : List.of(ContentCoding.GZIP, ContentCoding.BROTLI, ContentCoding.ZSTD)) {
      Response r = get("zip.test", "/page", coding.token());
      assertEquals(200, r.status());
      assertEquals(coding.token(), r.header("content-encoding"), coding + ": " + r.headers());
      assertEquals("Accept-Encoding", r.header("vary"));
      assertEquals("W/\"v1\"", r.header("etag"), "a strong ETag is weakened");
      assertNull(r.header("content-length"), "the origin's length is not the encoded body's");
      assertTrue(r.body().length < PAGE.length / 3, coding + " shrinks HTML: " + r.body().length);
      assertArrayEquals(PAGE, Bodies.decode(coding, r.body()), coding + " decodes to the upstream's bytes");
    }
    assertEquals("zstd", get("zip.test", "/page", "gzip, deflate, br, zstd").header("content-encoding"), "a browser's header: zstd first");
    assertEquals("br", get("zip.test", "/page", "gzip;q=0.5, br").header("content-encoding"), "q-values decide");
    assertEquals("gzip", get("gzip.test", "/page", "gzip, deflate, br, zstd").header("content-encoding"), "only what the route offers");
    assertEquals("gzip, deflate, br, zstd", seenAcceptEncoding.get(), "the upstream still sees the client's Accept-Encoding");
  }

  @Test
  void aChunkedBodyIsStreamedCompressed() {
    for (ContentCoding coding : List.of(ContentCoding.GZIP, ContentCoding.BROTLI, ContentCoding.ZSTD)) {
      Response r = get("zip.test", "/chunked", coding.token());
      assertEquals(coding.token(), r.header("content-encoding"));
      assertEquals("chunked", r.header("transfer-encoding"));
      assertNull(r.header("content-length"));
      assertArrayEquals(BIG, Bodies.decode(coding, r.body()), coding + " over many chunks");
    }
  }

  @Test
  void keepAliveCarriesCompressedAndPlainResponsesInTurn() {
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      for (int i = 0; i < 6; i++) {
        String path = i % 3 == 0 ? "/page" : i % 3 == 1 ? "/png" : "/chunked";
        Response r = c.request("GET", "zip.test", path, Map.of("Accept-Encoding", "gzip"), null);
        assertEquals(200, r.status());
        byte[] body = "gzip".equals(r.header("content-encoding")) ? Bodies.decode(ContentCoding.GZIP, r.body()) : r.body();
        assertArrayEquals(path.equals("/chunked") ? BIG : PAGE, body, path);
        assertEquals(path.equals("/png") ? null : "gzip", r.header("content-encoding"), path);
      }
    }
  }

  @Test
  void whatIsNotCompressed() {
    Response none = get("zip.test", "/page", null);
    assertNull(none.header("content-encoding"));
    assertEquals("Accept-Encoding", none.header("vary"), "could have been compressed: caches must know");
    assertArrayEquals(PAGE, none.body());
    assertNull(get("zip.test", "/page", "identity").header("content-encoding"));
    assertNull(get("zip.test", "/page", "gzip;q=0").header("content-encoding"));
    assertNull(get("zip.test", "/tiny", "gzip").header("content-encoding"), "below the minimum size");
    assertNull(get("zip.test", "/png", "gzip").header("content-encoding"), "not a compressible type");
    assertNull(get("zip.test", "/no-transform", "gzip").header("content-encoding"), "no-transform");
    Response plain = get("plain.test", "/page", "gzip");
    assertNull(plain.header("content-encoding"), "a route without compression");
    assertNull(plain.header("vary"));
    assertEquals(404, get("zip.test", "/missing", "gzip").status());
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      Response head = c.request("HEAD", "zip.test", "/page", Map.of("Accept-Encoding", "gzip"), null);
      assertNull(head.header("content-encoding"), "HEAD");
      Response range = c.request("GET", "zip.test", "/page", Map.of("Accept-Encoding", "gzip", "Range", "bytes=0-9"), null);
      assertNull(range.header("content-encoding"), "a Range request");
    }
  }

  @Test
  void http2StreamsAreCompressedToo() throws Exception {
    try (H2TestClient h2 = H2TestClient.connect(dp.httpPort())) {
      H2TestClient.Response r = h2.request("GET", "zip.test", "/page", Map.of("accept-encoding", "br"), null);
      assertEquals(200, r.status());
      assertEquals("br", r.header("content-encoding"));
      assertArrayEquals(PAGE, Bodies.decode(ContentCoding.BROTLI, r.body()));
    }
  }
}
