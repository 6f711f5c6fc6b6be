package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.H2TestClient;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.SnapshotBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTP/2 from clients (h2c: prior knowledge and Upgrade), proxied to HTTP/1.1 upstreams. */
class Http2DownstreamTest {

  static EchoBackend backend;
  static Dataplane dp;

  @BeforeAll
  static void start() throws Exception {
    backend = EchoBackend.start("h1");
    dp = Dataplane.start(DataplaneOptions.ephemeral().ioThreads(1).build());
    assertTrue(
        dp.config()
            .apply(new SnapshotBuilder(1).cluster("echo", backend.endpoint()).cluster("none").host("h2.test").prefix("r", "/", "echo").host("empty.test").prefix("e", "/", "none").host("exact.test").exact("x", "/only", "echo").host("*").prefix("any", "/", "echo").build())
            .accepted());
  }

  @AfterAll
  static void stop() {
    dp.close(Duration.ofSeconds(2));
    backend.close();
  }

  @Test
  void priorKnowledgeRequestsReachAnHttp11UpstreamWithForwardedHeaders() {
    try (H2TestClient c = H2TestClient.connect(dp.httpPort())) {
      H2TestClient.Response r = c.request("GET", "h2.test", "/hello?x=1", Map.of("x-custom", "yes"), null);
      assertEquals(200, r.status());
      assertEquals("h1", r.echo("backend"));
      assertEquals("/hello?x=1", r.echo("path"));
      assertTrue(r.text().contains("header host: h2.test"), r.text());
      assertTrue(r.text().contains("header x-forwarded-proto: http"), r.text());
      assertTrue(r.text().contains("header x-custom: yes"), r.text());
      assertFalse(r.text().contains("x-http2"), "the conversion's extension headers stay inside the proxy: " + r.text());
      assertNull(r.header("connection"), "no connection-specific headers in HTTP/2");
      assertNull(r.header("transfer-encoding"));
    }
  }

  @Test
  void manyConcurrentStreamsOnOneConnection() throws Exception {
    try (H2TestClient c = H2TestClient.connect(dp.httpPort())) {
      List<CompletableFuture<H2TestClient.Response>> all = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        all.add(c.send("GET", "h2.test", "/delay/" + (i % 5 * 20) + "?n=" + i, Map.of(), null));
      }
      for (int i = 0; i < all.size(); i++) {
        H2TestClient.Response r = all.get(i).get(10, TimeUnit.SECONDS);
        assertEquals(200, r.status());
        assertTrue(r.echo("path").endsWith("?n=" + i), "each stream gets its own answer");
      }
    }
  }

  @Test
  void bodiesStreamBothWaysUnderFlowControl() {
    byte[] upload = new byte[3 * 1024 * 1024 + 7];
    for (int i = 0; i < upload.length; i++) {
      upload[i] = (byte) (i * 31);
    }
    CRC32 crc = new CRC32();
    crc.update(upload);
    try (H2TestClient c = H2TestClient.connect(dp.httpPort())) {
      H2TestClient.Response up = c.request("POST", "h2.test", "/upload", Map.of("content-type", "application/octet-stream"), upload);
      assertEquals(200, up.status());
      assertEquals(Integer.toString(upload.length), up.echo("body-bytes"));
      assertEquals(Long.toHexString(crc.getValue()), up.echo("body-crc32"));
      H2TestClient.Response down = c.get("h2.test", "/bytes/5000000");
      assertEquals(200, down.status());
      assertEquals(5_000_000, down.body().length);
      for (int i = 0; i < down.body().length; i += 4999) {
        assertEquals(EchoBackend.patternByte(i), down.body()[i]);
      }
    }
  }

  @Test
  void theProxysOwnAnswersGoOutOnTheStream() {
    try (H2TestClient c = H2TestClient.connect(dp.httpPort())) {
      assertEquals(404, c.get("exact.test", "/other").status());
      assertEquals(503, c.get("empty.test", "/").status());
      assertEquals(200, c.get("h2.test", "/").status(), "the connection outlives those answers");
      assertTrue(c.isOpen());
    }
  }

  @Test
  void anUpgradeFromHttp11SwitchesTheConnectionToHttp2() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
    URI uri = URI.create("http://127.0.0.1:" + dp.httpPort() + "/up?first");
    HttpResponse<String> first =
        client.send(HttpRequest.newBuilder(uri).header("x-probe", "1").timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, first.statusCode(), first.body());
    assertEquals(HttpClient.Version.HTTP_2, first.version(), "the 101 switched the connection");
    assertTrue(first.body().contains("path=/up?first"), first.body());
    assertFalse(first.body().contains("header upgrade"), "the upgrade headers were for us, not the upstream: " + first.body());
    assertFalse(first.body().contains("http2-settings"), first.body());
    HttpResponse<String> second =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.httpPort() + "/up?second")).POST(HttpRequest.BodyPublishers.ofString("payload")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(HttpClient.Version.HTTP_2, second.version());
    assertTrue(second.body().contains("body-bytes=7"), second.body());
  }

  @Test
  void http11ClientsAndWebSocketStyleUpgradesAreUntouched() {
    HttpTestClient.Response r = HttpTestClient.get(dp.httpPort(), "h2.test", "/plain");
    assertEquals(200, r.status());
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.writeRaw("GET /ws HTTP/1.1\r\nHost: h2.test\r\nConnection: Upgrade\r\nUpgrade: echo-test\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      HttpTestClient.Response head = c.readResponseHead();
      assertEquals(101, head.status());
      c.writeRaw("ping\n".getBytes(StandardCharsets.ISO_8859_1));
      assertEquals("ping\n", new String(c.readBytes(5), StandardCharsets.ISO_8859_1));
      c.writeRaw("QUIT\n".getBytes(StandardCharsets.ISO_8859_1));
    }
  }

  @Test
  void withH2cOffThePrefaceIsNotHttp2() throws Exception {
    Dataplane off = Dataplane.start(DataplaneOptions.ephemeral().ioThreads(1).h2c(false).build());
    try (HttpTestClient c = HttpTestClient.connect(off.httpPort())) {
      c.writeRaw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      HttpTestClient.Response r = c.readResponse(false);
      assertEquals(505, r.status(), "an HTTP/1.1 server does not speak HTTP/2.0");
      assertTrue(c.awaitClosedByServer());
    } finally {
      off.close(Duration.ofSeconds(1));
    }
  }

  @Test
  void connectionsAreCountedOncePerConnectionNotPerStream() {
    try (H2TestClient c = H2TestClient.connect(dp.httpPort())) {
      for (int i = 0; i < 5; i++) {
        assertEquals(200, c.get("h2.test", "/").status());
      }
      Await.until("one connection counted while five streams were served", () -> activeConnections() == 1);
    }
    Await.until("the closed connection uncounted", () -> activeConnections() == 0);
  }

  /** The active-connections gauge, from the admin endpoint (whose own connection is not a proxy one). */
  static double activeConnections() {
    String metrics = HttpTestClient.get(dp.adminPort(), "localhost", "/metrics").text();
    for (String line : metrics.split("\n")) {
      if (line.startsWith("weir_dataplane_connections_active")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no connections gauge in " + metrics);
  }

  @Test
  void drainSendsGoAwayAndLetsOpenStreamsFinish() throws Exception {
    Dataplane d = Dataplane.start(DataplaneOptions.ephemeral().ioThreads(1).build());
    assertTrue(d.config().apply(new SnapshotBuilder(1).cluster("echo", backend.endpoint()).host("h2.test").prefix("r", "/", "echo").build()).accepted());
    try (H2TestClient c = H2TestClient.connect(d.httpPort())) {
      assertEquals(200, c.get("h2.test", "/warm").status());
      CompletableFuture<H2TestClient.Response> slow = c.send("GET", "h2.test", "/delay/500", Map.of(), null);
      Thread.sleep(100);
      CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> d.close(Duration.ofSeconds(5)));
      H2TestClient.Response r = slow.get(5, TimeUnit.SECONDS);
      assertEquals(200, r.status(), "the stream in flight finished");
      Await.until("GOAWAY", Duration.ofSeconds(5), c::goAwayReceived);
      closing.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aMalformedH2cUpgradeRequestIs400NotAProtocolSwitch() {
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.writeRaw(
          ("GET / HTTP/1.1\r\nHost: h2.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
                  + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nx")
              .getBytes(StandardCharsets.ISO_8859_1));
      HttpTestClient.Response r = c.readResponse(false);
      assertEquals(400, r.status());
      assertTrue(c.awaitClosedByServer());
    }
  }

  @Test
  void anH2cUpgradeWithoutSettingsIsServedAsHttp11AndNotForwarded() {
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.writeRaw("GET /no-settings HTTP/1.1\r\nHost: h2.test\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      HttpTestClient.Response r = c.readResponse(false);
      assertEquals(200, r.status());
      assertFalse(r.text().contains("header upgrade"), "an upstream must never be offered h2c: " + r.text());
      assertEquals(200, c.get("h2.test", "/again").status(), "the connection goes on as HTTP/1.1");
    }
  }

  @Test
  void streamsReuseKeptAliveUpstreamConnections() {
    try (H2TestClient c = H2TestClient.connect(dp.httpPort())) {
      assertEquals(200, c.get("h2.test", "/warm").status());
      int before = backend.connectionsAccepted();
      for (int i = 0; i < 20; i++) {
        assertEquals(200, c.get("h2.test", "/again?" + i).status()); // HEADERS with END_STREAM: one whole request
      }
      assertTrue(backend.connectionsAccepted() - before <= 1, "upstream connections opened for 20 requests: " + (backend.connectionsAccepted() - before));
    }
  }
}
