package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.proxy.ProxySettings;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.HttpTestClient.Response;
import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.RoutePolicy;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Per-route timeouts and body limits on real sockets. */
class RoutePolicyTest {

  static EchoBackend backend;
  static Dataplane dp;
  /** Listens with a full accept queue and never accepts: connects to it get no answer (SYNs are dropped). */
  static ServerSocket blackhole;
  static final List<Socket> queueFillers = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    backend = EchoBackend.start("policy");
    blackhole = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
    // Linux keeps backlog + 1 completed connections; beyond that new SYNs are dropped.
    for (int i = 0; i < 3; i++) {
      Socket s = new Socket();
      try {
        s.connect(new InetSocketAddress("127.0.0.1", blackhole.getLocalPort()), 300);
        queueFillers.add(s);
      } catch (java.io.IOException e) {
        s.close();
        break;
      }
    }
    dp = Dataplane.start(DataplaneOptions.ephemeral().ioThreads(1).proxy(ProxySettings.defaults().withResponseTimeout(Duration.ofSeconds(10))).build());
    assertTrue(
        dp.config()
            .apply(
                new SnapshotBuilder(1)
                    .cluster("echo", backend.endpoint())
                    .cluster("blackhole", new Endpoint("127.0.0.1", blackhole.getLocalPort()))
                    .host("limit.test").prefix("limit", "/", "echo", new RoutePolicy(0, 0, 0, 64 * 1024))
                    .host("idle.test").prefix("idle", "/", "echo", new RoutePolicy(0, 0, 300, 0))
                    .host("total.test").prefix("total", "/", "echo", new RoutePolicy(500, 0, 0, 0))
                    .host("connect.test").prefix("connect", "/", "blackhole", new RoutePolicy(0, 300, 0, 0))
                    .host("plain.test").prefix("plain", "/", "echo")
                    .build())
            .accepted());
  }

  @AfterAll
  static void stop() throws Exception {
    dp.close(Duration.ofSeconds(2));
    backend.close();
    for (Socket s : queueFillers) {
      s.close();
    }
    blackhole.close();
  }

  @Test
  void aDeclaredBodyOverTheLimitIs413AndTheClientReadsItWhileStillSending() throws Exception {
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.setReadTimeoutMillis(5_000);
      byte[] body = new byte[1024 * 1024];
      // The proxy answers at the head; the client goes on writing its megabyte, which the lingering
      // close reads and drops, so the answer is not destroyed by a reset.
      CompletableFuture<Void> upload =
          CompletableFuture.runAsync(
              () -> {
                try {
                  c.writeRaw(("POST /up HTTP/1.1\r\nHost: limit.test\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes());
                  c.writeRaw(body);
                } catch (RuntimeException e) {
                  // the proxy may close once it has read enough; the answer is what counts
                }
              });
      Response r = c.readResponse(false);
      assertEquals(413, r.status());
      assertEquals("close", r.header("connection"));
      assertTrue(c.awaitClosedByServer());
      upload.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aChunkedBodyCrossingTheLimitIs413() {
    long before = backend.bodyBytesReceived();
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.setReadTimeoutMillis(5_000);
      c.startChunked("POST", "limit.test", "/up", Map.of());
      byte[] piece = new byte[16 * 1024];
      CompletableFuture<Response> answer = CompletableFuture.supplyAsync(() -> c.readResponse(false));
      try {
        for (int i = 0; i < 64 && !answer.isDone(); i++) {
          c.writeChunk(piece, 0, piece.length);
        }
      } catch (RuntimeException e) {
        // closed by the proxy after its answer
      }
      Response r = answer.join();
      assertEquals(413, r.status());
      assertTrue(c.awaitClosedByServer());
    }
    assertTrue(backend.bodyBytesReceived() - before <= 64 * 1024, "the upstream never gets more than the limit");
  }

  @Test
  void aBodyUnderTheLimitPasses() {
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      Response r = c.request("POST", "limit.test", "/up", Map.of(), new byte[64 * 1024]);
      assertEquals(200, r.status());
      assertEquals("65536", r.echo("body-bytes"));
    }
  }

  @Test
  void theRoutesIdleTimeoutGives504() {
    long t0 = System.nanoTime();
    Response r = HttpTestClient.get(dp.httpPort(), "idle.test", "/hang");
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertEquals(504, r.status());
    assertTrue(ms >= 250 && ms < 5_000, "answered after " + ms + " ms");
    assertEquals(200, HttpTestClient.get(dp.httpPort(), "idle.test", "/delay/100").status(), "an answer within the idle timeout passes");
  }

  @Test
  void theRoutesRequestTimeoutGives504() {
    long t0 = System.nanoTime();
    Response r = HttpTestClient.get(dp.httpPort(), "total.test", "/delay/3000");
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertEquals(504, r.status());
    assertTrue(ms >= 450 && ms < 2_500, "answered after " + ms + " ms");
  }

  @Test
  void aConnectThatGetsNoAnswerIs504AfterTheRoutesConnectTimeout() {
    long t0 = System.nanoTime();
    Response r = HttpTestClient.get(dp.httpPort(), "connect.test", "/");
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertEquals(504, r.status(), r.text());
    assertTrue(ms >= 250 && ms < 3_000, "answered after " + ms + " ms");
  }

  @Test
  void routesWithoutAPolicyKeepTheDefaults() {
    Response r = HttpTestClient.get(dp.httpPort(), "plain.test", "/delay/700");
    assertEquals(200, r.status());
  }
}
