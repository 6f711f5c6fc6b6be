package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.proxy.ProxySettings;
import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.HttpTestClient.Response;
import dev.weir.dataplane.testing.SnapshotBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Protocol switches (Upgrade, 101) tunnelled through the proxy, and Expect: 100-continue, over real sockets. */
class UpgradeAndExpectTest {

  static EchoBackend up;
  static Dataplane dp;

  @BeforeAll
  static void start() throws Exception {
    up = EchoBackend.start("up");
    dp = Dataplane.start(
        DataplaneOptions.ephemeral().ioThreads(1).proxy(ProxySettings.defaults().withResponseTimeout(Duration.ofSeconds(10))).build());
    assertTrue(dp.config().apply(new SnapshotBuilder(1).cluster("up", up.endpoint()).host("up.test").prefix("up", "/", "up").build()).accepted());
  }

  @AfterAll
  static void stop() {
    dp.close(Duration.ofSeconds(2));
    up.close();
  }

  private static HttpTestClient upgraded(String protocol, String extraHeaders) {
    HttpTestClient c = HttpTestClient.connect(dp.httpPort());
    c.setReadTimeoutMillis(5_000);
    c.writeRaw(("GET /chat HTTP/1.1\r\nHost: up.test\r\nConnection: keep-alive, Upgrade\r\nUpgrade: " + protocol + "\r\n" + extraHeaders + "\r\n")
        .getBytes(StandardCharsets.ISO_8859_1));
    Response head = c.readResponseHead();
    assertEquals(101, head.status());
    assertEquals(protocol, head.header("upgrade"));
    assertEquals("upgrade", head.header("connection").toLowerCase());
    assertNull(head.header("content-length"));
    assertNull(head.header("transfer-encoding"));
    assertEquals(protocol, head.header("x-seen-upgrade"), "the Upgrade header reaches the upstream");
    assertEquals("upgrade", head.header("x-seen-connection"), "and so does Connection: upgrade (alone)");
    return c;
  }

  private static void roundTrip(HttpTestClient c, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    c.writeRaw(bytes);
    assertArrayEquals(bytes, c.readBytes(bytes.length));
  }

  @Test
  void anUpgradeIsTunnelledBothWaysAndTheUpstreamCloseReachesTheClient() throws Exception {
    int upgradesBefore = up.upgrades();
    try (HttpTestClient c = upgraded("echo-test", "")) {
      assertEquals(upgradesBefore + 1, up.upgrades());
      roundTrip(c, "hello\n");
      roundTrip(c, "GET / HTTP/1.1\r\n\r\n"); // not HTTP any more: relayed as bytes
      // More than the socket buffers hold, written while the echo is read: relayed with backpressure.
      byte[] big = new byte[300 * 1024];
      for (int i = 0; i < big.length; i++) {
        big[i] = EchoBackend.patternByte(i);
      }
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        for (int off = 0; off < big.length; off += 16 * 1024) {
          c.writeRaw(java.util.Arrays.copyOfRange(big, off, Math.min(big.length, off + 16 * 1024)));
        }
      });
      assertArrayEquals(big, c.readBytes(big.length));
      writer.get(10, TimeUnit.SECONDS);
      roundTrip(c, "QUIT\n"); // the upstream closes after echoing this
      assertTrue(c.awaitClosedByServer(), "the upstream's close ends the client connection");
    }
    assertEquals(200, HttpTestClient.get(dp.httpPort(), "up.test", "/after").status());
  }

  @Test
  void theClientClosingATunnelClosesItsUpstreamConnection() {
    int open;
    try (HttpTestClient c = upgraded("echo-test", "")) {
      roundTrip(c, "ping");
      open = up.openConnections();
    }
    Await.until("the tunnel's upstream connection closes (it is never pooled)", Duration.ofSeconds(5), () -> up.openConnections() == open - 1);
  }

  @Test
  void aWebSocketHandshakePassesThrough() {
    String key = "dGhlIHNhbXBsZSBub25jZQ==";
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.setReadTimeoutMillis(5_000);
      c.writeRaw(("GET /socket HTTP/1.1\r\nHost: up.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
              + "\r\nSec-WebSocket-Version: 13\r\nOrigin: http://up.test\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      Response head = c.readResponseHead();
      assertEquals(101, head.status());
      assertEquals("websocket", head.header("upgrade"));
      assertEquals("upgrade", head.header("connection").toLowerCase());
      assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head.header("sec-websocket-accept"));
      assertEquals(EchoBackend.webSocketAccept(key), head.header("sec-websocket-accept"));
      assertEquals(key, head.header("x-seen-sec-websocket-key"));
      assertEquals("13", head.header("x-seen-sec-websocket-version"));
      // A masked text frame "Hi": relayed as it is, and echoed back as it is.
      byte[] frame = {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'H' ^ 1, 'i' ^ 2};
      c.writeRaw(frame);
      assertArrayEquals(frame, c.readBytes(frame.length));
    }
  }

  @Test
  void anUpgradeTheUpstreamIgnoresIsAnOrdinaryResponse() {
    int upgradesBefore = up.upgrades();
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      Response r = c.request("GET", "up.test", "/plain", Map.of("Connection", "Upgrade", "Upgrade", "other-proto"), null);
      assertEquals(200, r.status());
      assertEquals("other-proto", r.echoedHeader("upgrade"));
      assertEquals("upgrade", r.echoedHeader("connection"));
      assertNull(r.header("upgrade"));
      // The connection stays HTTP and keeps serving requests; without Connection: upgrade, Upgrade is hop-by-hop.
      Response next = c.request("GET", "up.test", "/next", Map.of("Upgrade", "echo-test"), null);
      assertEquals(200, next.status());
      assertEquals("/next", next.echo("path"));
      assertNull(next.echoedHeader("upgrade"));
      assertNull(next.echoedHeader("connection"));
    }
    assertEquals(upgradesBefore, up.upgrades());
  }

  @Test
  void anUpgradeRequestWithABodyIsNotAnUpgrade() {
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      Response r = c.request("POST", "up.test", "/body", Map.of("Connection", "Upgrade", "Upgrade", "echo-test"), "abc".getBytes(StandardCharsets.UTF_8));
      assertEquals(200, r.status());
      assertEquals("3", r.echo("body-bytes"));
      assertNull(r.echoedHeader("upgrade"));
    }
  }

  @Test
  void expectContinueIsRelayedBeforeTheBodyIsSent() {
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.setReadTimeoutMillis(5_000);
      byte[] body = new byte[1000];
      java.util.Arrays.fill(body, (byte) 'x');
      c.writeRaw(("PUT /upload HTTP/1.1\r\nHost: up.test\r\nExpect: 100-continue\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      Response interim = c.readResponseHead(); // times out (fails) if the proxy waits for the body
      assertEquals(100, interim.status());
      c.writeRaw(body);
      Response r = c.readResponse(false);
      assertEquals(200, r.status());
      assertEquals("1000", r.echo("body-bytes"));
      assertEquals("/upload", r.echo("path"));
      // And again on the same connection, with a chunked body.
      c.writeRaw("POST /chunked HTTP/1.1\r\nHost: up.test\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      assertEquals(100, c.readResponseHead().status());
      c.writeChunk(body, 0, 400);
      c.endChunks();
      Response r2 = c.readResponse(false);
      assertEquals(200, r2.status());
      assertEquals("400", r2.echo("body-bytes"));
    }
  }

  @Test
  void aTunnelIsClosedOnlyAfterTheIdleTimeoutWithoutTrafficEitherWay() throws Exception {
    Dataplane quick =
        Dataplane.start(DataplaneOptions.ephemeral().ioThreads(1).proxy(ProxySettings.defaults().withClientIdleTimeout(Duration.ofMillis(400))).build());
    try {
      assertTrue(quick.config().apply(new SnapshotBuilder(1).cluster("up", up.endpoint()).host("up.test").prefix("up", "/", "up").build()).accepted());
      try (HttpTestClient c = HttpTestClient.connect(quick.httpPort())) {
        c.setReadTimeoutMillis(3_000);
        c.writeRaw("GET /chat HTTP/1.1\r\nHost: up.test\r\nConnection: Upgrade\r\nUpgrade: echo-test\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(101, c.readResponseHead().status());
        for (int i = 0; i < 8; i++) { // 1.2 s of traffic in 150 ms steps: three idle timeouts long
          Thread.sleep(150);
          roundTrip(c, "tick " + i + "\n");
        }
        long t0 = System.nanoTime();
        assertTrue(c.awaitClosedByServer(), "silent both ways: closed");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 200 && ms < 2_500, "closed after " + ms + " ms");
      }
    } finally {
      quick.close(Duration.ofSeconds(1));
    }
  }
}
