package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.proxy.ProxySettings;
import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.RawConnection;
import dev.weir.dataplane.testing.RawConnection.End;
import dev.weir.dataplane.testing.RawConnection.Received;
import dev.weir.dataplane.testing.RecordingBackend;
import dev.weir.dataplane.testing.SnapshotBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Clients (and upstreams) that misbehave at the TCP level, over real sockets: half-closes, vanishing
 * mid-request and mid-response, resets, hangs, oversized or garbage heads. Whatever they do, the
 * proxy answers what it can, closes what it must, never hangs a connection, leaks nothing (the leak
 * detector runs at paranoid), and keeps serving everyone else. Every wait is bounded by a few seconds.
 */
class HostileClientTest {

  static final int WAIT_MS = 3_000;
  static final Duration RESPONSE_TIMEOUT = Duration.ofMillis(800);

  private EchoBackend echo;
  private RecordingBackend rec;
  private Dataplane dp;

  private void start(ProxySettings settings) throws Exception {
    echo = EchoBackend.start("hostile");
    rec = RecordingBackend.start();
    dp = Dataplane.start(DataplaneOptions.ephemeral().ioThreads(1).proxy(settings).build());
    assertTrue(
        dp.config()
            .apply(
                new SnapshotBuilder(1)
                    .cluster("echo", echo.endpoint())
                    .cluster("rec", rec.endpoint())
                    .host("echo.test").prefix("echo", "/", "echo")
                    .host("rec.test").prefix("rec", "/", "rec")
                    .build())
            .accepted());
  }

  private void start() throws Exception {
    start(ProxySettings.defaults().withResponseTimeout(RESPONSE_TIMEOUT));
  }

  @AfterEach
  void stop() {
    if (dp != null) {
      dp.close(Duration.ofSeconds(1));
    }
    if (echo != null) {
      echo.close();
    }
    if (rec != null) {
      rec.close();
    }
  }

  /** The proxy still serves a well-behaved client on a new connection. */
  private void stillServes() {
    HttpTestClient.Response ok = HttpTestClient.get(dp.httpPort(), "echo.test", "/after");
    assertEquals(200, ok.status());
    assertEquals("/after", ok.echo("path"));
  }

  private static String post(String host, String path, long length) {
    return "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: " + length + "\r\n\r\n";
  }

  // ---- half-closing clients ----

  /**
   * On epoll the proxy sees the FIN at once (EPOLLRDHUP makes the channel read although AUTO_READ is
   * off); the listener allows half-closed connections, so the answer still goes out, and the
   * connection closes after it.
   */
  @Test
  void aClientThatHalfClosesAfterACompleteRequestGetsTheWholeResponse() throws Exception {
    start();
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.setReadTimeoutMillis(WAIT_MS);
      c.writeRaw("GET /delay/200 HTTP/1.1\r\nHost: echo.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      c.shutdownOutput(); // the FIN arrives while the proxy waits on the upstream
      HttpTestClient.Response r = c.readResponse(false);
      assertEquals(200, r.status());
      assertEquals("/delay/200", r.echo("path"));
      assertTrue(c.awaitClosedByServer(), "closed after the response");
    }
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.setReadTimeoutMillis(WAIT_MS);
      // A streamed (chunked) response larger than the socket buffers, with a body upload before the FIN.
      byte[] body = new byte[10_000];
      c.writeRaw((post("echo.test", "/bytes/400000", body.length)).getBytes(StandardCharsets.US_ASCII));
      c.writeRaw(body);
      c.shutdownOutput();
      HttpTestClient.Response r = c.readResponse(false);
      assertEquals(200, r.status());
      assertEquals(400_000, r.body().length);
      assertTrue(c.awaitClosedByServer(), "closed after the response");
    }
    stillServes();
  }

  @Test
  void pipelinedRequestsBeforeAHalfCloseAreAllAnswered() throws Exception {
    start();
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.setReadTimeoutMillis(WAIT_MS);
      c.writeRaw(("GET /delay/100?1 HTTP/1.1\r\nHost: echo.test\r\n\r\n" + "GET /a?2 HTTP/1.1\r\nHost: echo.test\r\n\r\n" + "GET /b?3 HTTP/1.1\r\nHost: echo.test\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      c.shutdownOutput();
      assertEquals("/delay/100?1", c.readResponse(false).echo("path"));
      assertEquals("/a?2", c.readResponse(false).echo("path"));
      assertEquals("/b?3", c.readResponse(false).echo("path"));
      assertTrue(c.awaitClosedByServer(), "closed after the last answer");
    }
  }

  @Test
  void aHalfCloseInsideATunnelReachesTheUpstream() throws Exception {
    start();
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.setReadTimeoutMillis(WAIT_MS);
      c.writeRaw("GET /ws HTTP/1.1\r\nHost: echo.test\r\nConnection: Upgrade\r\nUpgrade: echo-test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals(101, c.readResponseHead().status());
      c.writeRaw("last words\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals("last words\n", new String(c.readBytes(11), StandardCharsets.US_ASCII));
      c.shutdownOutput(); // the echo upstream closes when it sees the end of its input; so does the tunnel then
      assertTrue(c.awaitClosedByServer(), "the upstream saw the half-close and ended the tunnel");
    }
    stillServes();
  }

  @Test
  void aClientThatHalfClosesMidBodyDoesNotHangTheProxy() throws Exception {
    start();
    try (RawConnection c = RawConnection.open(dp.httpPort())) {
      c.write(post("rec.test", "/upload", 100_000) + "x".repeat(1_000));
      Await.until("the upstream has the request head", Duration.ofSeconds(2), () -> rec.targets().contains("/upload"));
      c.shutdownOutput(); // 99,000 bytes short
      Received r = c.readAll(WAIT_MS);
      assertNotEquals(End.TIMEOUT, r.end(), "the proxy must close a connection whose request can never complete: " + r);
      assertTrue(r.status() == -1 || r.status() == 400, r.toString());
    }
    // The upstream connection carried half a request: it is closed, never pooled.
    Await.until("upstream connection closed", Duration.ofSeconds(2), () -> rec.openConnections() == 0);
    stillServes();
  }

  // ---- clients that vanish ----

  @Test
  void aClientThatVanishesMidBodyClosesItsUpstreamConnection() throws Exception {
    start();
    for (boolean reset : new boolean[] {false, true}) {
      int before = rec.targets().size();
      RawConnection c = RawConnection.open(dp.httpPort());
      c.write(post("rec.test", "/upload-" + reset, 100_000) + "x".repeat(1_000));
      Await.until("the upstream has the request head", Duration.ofSeconds(2), () -> rec.targets().size() > before);
      if (reset) {
        c.reset();
      } else {
        c.close();
      }
      Await.until("upstream connection closed (" + (reset ? "RST" : "FIN") + ")", Duration.ofSeconds(2), () -> rec.openConnections() == 0);
    }
    stillServes();
    // The recording upstream works too, on a fresh upstream connection.
    HttpTestClient.Response ok = HttpTestClient.get(dp.httpPort(), "rec.test", "/fresh");
    assertEquals("ok /fresh", ok.text());
  }

  @Test
  void aClientThatVanishesMidResponseClosesItsUpstreamConnection() throws Exception {
    start();
    for (boolean reset : new boolean[] {false, true}) {
      RawConnection c = RawConnection.open(dp.httpPort());
      c.socket().setReceiveBufferSize(8 * 1024);
      c.write("GET /bytes/50000000 HTTP/1.1\r\nHost: echo.test\r\n\r\n");
      Received some = c.read(64 * 1024, WAIT_MS);
      assertEquals(End.COUNT, some.end(), "the response was streaming: " + some.end());
      assertEquals(200, some.status());
      if (reset) {
        c.reset();
      } else {
        c.close();
      }
      // A response cut short cannot leave its upstream connection reusable.
      Await.until("upstream connection closed (" + (reset ? "RST" : "FIN") + ")", Duration.ofSeconds(2), () -> echo.openConnections() == 0);
    }
    stillServes();
  }

  // ---- upstreams that misbehave ----

  @Test
  void anUpstreamThatResetsBeforeAnsweringIs502AndTheClientConnectionStaysUsable() throws Exception {
    start();
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.setReadTimeoutMillis(WAIT_MS);
      HttpTestClient.Response r = c.get("rec.test", "/rst");
      assertEquals(502, r.status());
      // Nothing of the response had been sent: the client connection is fine for the next request.
      assertEquals("ok /next", c.get("rec.test", "/next").text());
    }
  }

  @Test
  void anUpstreamThatResetsMidResponseClosesTheClientConnection() throws Exception {
    start();
    try (RawConnection c = RawConnection.open(dp.httpPort())) {
      c.write("GET /rst-mid HTTP/1.1\r\nHost: rec.test\r\n\r\n");
      Received r = c.readAll(WAIT_MS);
      assertNotEquals(End.TIMEOUT, r.end(), "the client must learn the response is cut short: " + r.end());
      assertEquals(200, r.status(), "the head was already sent");
      assertTrue(r.head().contains("content-length: 1048576"), r.head());
      int bodyBytes = r.text().length() - r.text().indexOf("\r\n\r\n") - 4;
      assertTrue(bodyBytes < 1 << 20, "the body is cut short: " + bodyBytes);
    }
    stillServes();
  }

  @Test
  void anUpstreamThatHangsIs504AfterTheResponseTimeout() throws Exception {
    start();
    long t0 = System.nanoTime();
    Received r = RawConnection.exchange(dp.httpPort(), "GET /hang HTTP/1.1\r\nHost: rec.test\r\nConnection: close\r\n\r\n", WAIT_MS);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(504, r.status(), r.toString());
    assertEquals(End.EOF, r.end(), r.toString());
    assertTrue(ms >= RESPONSE_TIMEOUT.toMillis() - 50 && ms < WAIT_MS, "took " + ms + " ms");
    Await.until("the hung upstream connection is closed", Duration.ofSeconds(2), () -> rec.openConnections() == 0);
    stillServes();
  }

  // ---- oversized and garbage heads ----

  @Test
  void anOversizedRequestLineIs414AndClosed() throws Exception {
    start();
    String target = "/" + "a".repeat(ProxySettings.defaults().maxInitialLineLength() + 100);
    Received r = RawConnection.exchange(dp.httpPort(), "GET " + target + " HTTP/1.1\r\nHost: echo.test\r\n\r\n", WAIT_MS);
    assertClosedWith(414, r);
    stillServes();
  }

  @Test
  void oversizedHeadersAre431AndClosed() throws Exception {
    start();
    String big = "b".repeat(ProxySettings.defaults().maxHeaderSize() + 100);
    Received r = RawConnection.exchange(dp.httpPort(), "GET / HTTP/1.1\r\nHost: echo.test\r\nX-Big: " + big + "\r\n\r\n", WAIT_MS);
    assertClosedWith(431, r);
    stillServes();
  }

  @Test
  void tooManyHeadersAre431AndClosed() throws Exception {
    start(ProxySettings.defaults().withResponseTimeout(RESPONSE_TIMEOUT).withMaxHeaderCount(10));
    StringBuilder head = new StringBuilder("GET /many HTTP/1.1\r\nHost: echo.test\r\n");
    for (int i = 1; i < 10; i++) {
      head.append("X-").append(i).append(": v\r\n");
    }
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.writeRaw((head + "\r\n").getBytes(StandardCharsets.US_ASCII));
      assertEquals(200, c.readResponse(false).status(), "10 fields are allowed");
    }
    Received r = RawConnection.exchange(dp.httpPort(), head + "X-10: v\r\n\r\n", WAIT_MS);
    assertClosedWith(431, r);
    stillServes();
  }

  @Test
  void garbageIs400AndClosedWithoutWaitingForALineEnd() throws Exception {
    start();
    Random random = new Random(42);
    for (int i = 0; i < 5; i++) {
      byte[] garbage = new byte[200];
      random.nextBytes(garbage);
      garbage[0] = 0x16; // what a TLS ClientHello starts with, sent to the plain HTTP port
      garbage[1] = 0x03;
      long t0 = System.nanoTime();
      Received r;
      try (RawConnection c = RawConnection.open(dp.httpPort())) {
        c.write(garbage);
        r = c.readAll(WAIT_MS);
      }
      assertClosedWith(400, r);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms < 1_000, "answered at once, not at a timeout: " + ms + " ms");
    }
    stillServes();
  }

  @Test
  void aPipelineOfRequestsBehindAMalformedOneIsDropped() throws Exception {
    start();
    StringBuilder pipeline = new StringBuilder("GET /first HTTP/1.1\r\nHost: rec.test\r\n\r\n");
    pipeline.append("GET /bad HTTP/1.1\r\nHost: rec.test\r\nX-A: one\r\n folded\r\n\r\n");
    for (int i = 0; i < 20; i++) {
      pipeline.append("GET /behind-").append(i).append(" HTTP/1.1\r\nHost: rec.test\r\n\r\n");
    }
    Received r = RawConnection.exchange(dp.httpPort(), pipeline.toString(), WAIT_MS);
    assertEquals(End.EOF, r.end(), r.toString());
    assertEquals(2, r.responses(), "the first request's answer, then the 400: " + r);
    assertTrue(r.text().contains("ok /first"), r.toString());
    assertTrue(r.text().contains("HTTP/1.1 400 Bad Request"), r.toString());
    stillServes();
    assertEquals(List.of("/first"), rec.targets());
  }

  private static void assertClosedWith(int status, Received r) {
    assertEquals(status, r.status(), r.toString());
    assertTrue(r.head().contains("\r\nconnection: close\r\n"), r.toString());
    assertEquals(End.EOF, r.end(), "closed after the error: " + r);
  }
}
