package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.testing.H2EchoBackend;
import dev.weir.dataplane.testing.H2TestClient;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.UpstreamProtocol;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Routes whose cluster speaks H2C: HTTP/2 to the upstream, trailers through, as gRPC needs. */
class GrpcPassthroughTest {

  static H2EchoBackend grpc;
  static Dataplane dp;
  static int deadPort;

  static final Map<String, String> GRPC_HEADERS = Map.of("content-type", "application/grpc", "te", "trailers");

  @BeforeAll
  static void start() throws Exception {
    grpc = H2EchoBackend.start("grpc");
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    dp = Dataplane.start(DataplaneOptions.ephemeral().ioThreads(1).build());
    assertTrue(
        dp.config()
            .apply(
                new SnapshotBuilder(1)
                    .cluster("grpc", UpstreamProtocol.H2C, grpc.endpoint())
                    .cluster("dead", UpstreamProtocol.H2C, new Endpoint("127.0.0.1", deadPort))
                    .host("grpc.test").prefix("g", "/", "grpc")
                    .host("dead.test").prefix("d", "/", "dead")
                    .build())
            .accepted());
  }

  @AfterAll
  static void stop() {
    dp.close(Duration.ofSeconds(2));
    grpc.close();
  }

  /** A gRPC message: compressed flag, 4-byte big-endian length, payload. */
  static byte[] grpcFrame(String payload) {
    byte[] p = payload.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return ByteBuffer.allocate(5 + p.length).put((byte) 0).putInt(p.length).put(p).array();
  }

  @Test
  void aUnaryCallGetsItsBodyAndItsTrailersThrough() {
    byte[] message = grpcFrame("hello weir");
    try (H2TestClient c = H2TestClient.connect(dp.httpPort())) {
      H2TestClient.Response r = c.request("POST", "grpc.test", "/echo.Echo/Say", GRPC_HEADERS, message);
      assertEquals(200, r.status());
      assertEquals("application/grpc", r.header("content-type"));
      assertArrayEquals(message, r.body());
      assertNotNull(r.trailers(), "trailers arrive as their own header block");
      assertEquals("0", r.trailers().get("grpc-status").toString());
      assertEquals(Integer.toString(message.length), r.trailers().get("x-body-bytes").toString());
      assertEquals("trailers", r.header("x-seen-te"), "TE: trailers reaches the gRPC server");
      assertEquals("grpc.test", r.header("x-seen-authority"));
      assertEquals("/echo.Echo/Say", r.header("x-seen-path"));
      assertEquals("127.0.0.1", r.header("x-seen-forwarded-for"));
      assertNull(r.header("x-http2-stream-id"), "the conversion's extension headers stay inside");
    }
  }

  @Test
  void aTrailersOnlyAnswerStaysOneHeaderBlock() {
    try (H2TestClient c = H2TestClient.connect(dp.httpPort())) {
      H2TestClient.Response r = c.request("POST", "grpc.test", "/trailers-only", GRPC_HEADERS, grpcFrame("x"));
      assertEquals(200, r.status());
      assertEquals("12", r.header("grpc-status"));
      assertEquals(0, r.body().length);
    }
  }

  @Test
  void concurrentCallsShareOneUpstreamConnection() throws Exception {
    int before = grpc.connections();
    try (H2TestClient c = H2TestClient.connect(dp.httpPort())) {
      List<CompletableFuture<H2TestClient.Response>> calls = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        calls.add(c.send("POST", "grpc.test", "/echo.Echo/Say", GRPC_HEADERS, grpcFrame("call " + i)));
      }
      for (int i = 0; i < calls.size(); i++) {
        H2TestClient.Response r = calls.get(i).get(10, TimeUnit.SECONDS);
        assertArrayEquals(grpcFrame("call " + i), r.body());
        assertEquals("0", r.trailers().get("grpc-status").toString());
      }
    }
    assertTrue(grpc.connections() - before <= 1, "one event loop, one endpoint: at most one new connection, got " + (grpc.connections() - before));
  }

  @Test
  void anHttp11ClientReachesAnH2cUpstreamToo() {
    HttpTestClient.Response r = HttpTestClient.get(dp.httpPort(), "grpc.test", "/plain");
    assertEquals(200, r.status());
    assertEquals("grpc", r.header("x-backend"));
  }

  @Test
  void aStreamTheUpstreamResetsIs502() {
    try (H2TestClient c = H2TestClient.connect(dp.httpPort())) {
      H2TestClient.Response r = c.request("POST", "grpc.test", "/reset", GRPC_HEADERS, grpcFrame("x"));
      assertEquals(502, r.status());
      assertEquals(200, c.request("POST", "grpc.test", "/echo.Echo/Say", GRPC_HEADERS, grpcFrame("after")).status(), "the shared connection survives one stream's reset");
    }
  }

  @Test
  void anUnreachableH2cUpstreamIs502() {
    try (H2TestClient c = H2TestClient.connect(dp.httpPort())) {
      assertEquals(502, c.request("POST", "dead.test", "/x", GRPC_HEADERS, grpcFrame("x")).status());
    }
  }

  @Test
  void streamsOverTheServersConcurrencyLimitWaitForASlot() throws Exception {
    try (H2EchoBackend narrow = H2EchoBackend.start("narrow", 2)) {
      assertTrue(
          dp.config()
              .apply(
                  new SnapshotBuilder(dp.config().appliedVersion() + 1)
                      .cluster("grpc", UpstreamProtocol.H2C, grpc.endpoint())
                      .cluster("narrow", UpstreamProtocol.H2C, narrow.endpoint())
                      .cluster("dead", UpstreamProtocol.H2C, new Endpoint("127.0.0.1", deadPort))
                      .host("grpc.test").prefix("g", "/", "grpc")
                      .host("dead.test").prefix("d", "/", "dead")
                      .host("narrow.test").prefix("n", "/", "narrow")
                      .build())
              .accepted());
      try (H2TestClient c = H2TestClient.connect(dp.httpPort())) {
        List<CompletableFuture<H2TestClient.Response>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          calls.add(c.send("POST", "narrow.test", "/s", GRPC_HEADERS, grpcFrame("n" + i)));
        }
        for (CompletableFuture<H2TestClient.Response> f : calls) {
          assertEquals(200, f.get(10, TimeUnit.SECONDS).status());
        }
      }
      assertEquals(1, narrow.connections());
    }
  }
}
