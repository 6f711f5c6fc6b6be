package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.proxy.ProxySettings;
import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.HttpTestClient.Response;
import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.WeightedCluster;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The proxy over real sockets: one dataplane (one I/O thread, so pooling is deterministic) and two echo backends. */
class ProxyIntegrationTest {

  static EchoBackend a;
  static EchoBackend b;
  static Dataplane dp;
  static int deadPort;

  @BeforeAll
  static void start() throws Exception {
    a = EchoBackend.start("a");
    b = EchoBackend.start("b");
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort(); // nothing listens here once closed
    }
    dp =
        Dataplane.start(
            DataplaneOptions.ephemeral()
                .ioThreads(1)
                .proxy(ProxySettings.defaults().withResponseTimeout(Duration.ofSeconds(10)))
                .build());
    apply(baseline(1));
  }

  @AfterAll
  static void stop() {
    dp.close(Duration.ofSeconds(2));
    a.close();
    b.close();
  }

  static Snapshot baseline(long version) {
    return new SnapshotBuilder(version)
        .cluster("a", a.endpoint())
        .cluster("b", b.endpoint())
        .cluster("ab", a.endpoint(), b.endpoint())
        .cluster("empty")
        .cluster("dead", new Endpoint("127.0.0.1", deadPort))
        .host("a.test").prefix("a-root", "/", "a").exact("a-exact-b", "/to-b", "b")
        .host("b.test").prefix("b-root", "/", "b")
        .host("*.wild.test").prefix("wild", "/", "b")
        .host("weighted.test").weighted("weighted", "/", new WeightedCluster("a", 3), new WeightedCluster("b", 1), new WeightedCluster("a", 0))
        // Round robin asked for: the default balancer is least request (random among equals when idle).
        .host("rr.test").route(new dev.weir.snapshot.Route("rr", "test", dev.weir.snapshot.PathMatch.prefix("/"), java.util.List.of(), null,
            java.util.List.of(new dev.weir.snapshot.WeightedCluster("ab", 1)))
            .withTraffic(dev.weir.snapshot.LoadBalancer.of(dev.weir.snapshot.LoadBalancer.Policy.ROUND_ROBIN), null, null))
        .host("errors.test").prefix("empty", "/empty", "empty").prefix("dead", "/dead", "dead").prefix("slow", "/", "a")
        .build();
  }

  static void apply(Snapshot s) {
    // The dataplane refuses versions older than the applied one, and the tests run in no set order:
    // number every snapshot above the last one, as a controller would.
    assertTrue(dp.config().apply(s.withVersion(dp.config().appliedVersion() + 1)).accepted());
  }

  static Response get(String host, String path) {
    return HttpTestClient.get(dp.httpPort(), host, path);
  }

  @Test
  void routesByHostAndPath() {
    assertEquals("a", get("a.test", "/anything").echo("backend"));
    assertEquals("b", get("a.test", "/to-b").echo("backend"));
    assertEquals("a", get("a.test", "/to-b/more").echo("backend"));
    assertEquals("b", get("b.test", "/").echo("backend"));
    assertEquals("b", get("x.wild.test:8080", "/").echo("backend"));
    Response r = get("a.test", "/p?q=1");
    assertEquals(200, r.status());
    assertEquals("GET", r.echo("method"));
    assertEquals("/p?q=1", r.echo("path"));
    assertEquals("127.0.0.1", r.echoedHeader("x-forwarded-for"));
    assertEquals("http", r.echoedHeader("x-forwarded-proto"));
    assertEquals("a.test", r.echoedHeader("x-forwarded-host"));
    assertTrue(r.echoedHeader("x-request-id").matches("[0-9a-f]{32}"));
  }

  @Test
  void noRouteIs404() {
    Response r = get("nowhere.test", "/");
    assertEquals(404, r.status());
    assertEquals("404 Not Found: no route for this host and path\n", r.text());
    assertEquals(404, get("a.b.wild.test", "/").status(), "a wildcard matches one label only");
  }

  @Test
  void noEndpointsIs503() {
    assertEquals(503, get("errors.test", "/empty").status());
  }

  @Test
  void refusedConnectionIs502() {
    Response r = get("errors.test", "/dead");
    assertEquals(502, r.status());
    assertTrue(r.text().startsWith("502 Bad Gateway"));
  }

  @Test
  void upstreamClosingWithoutAnswerIs502() {
    assertEquals(502, get("errors.test", "/close").status());
  }

  @Test
  void upstreamTimeoutIs504() throws Exception {
    // A dataplane of its own: the shared one has a timeout long enough for slow test machines.
    try (Dataplane quick =
        Dataplane.start(DataplaneOptions.ephemeral().proxy(ProxySettings.defaults().withResponseTimeout(Duration.ofMillis(500))).build())) {
      assertTrue(quick.config().apply(baseline(1)).accepted());
      long start = System.nanoTime();
      Response r = HttpTestClient.get(quick.httpPort(), "errors.test", "/hang");
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(504, r.status());
      assertEquals("504 Gateway Timeout: upstream did not answer in time\n", r.text());
      assertTrue(ms >= 450 && ms < 5_000, "took " + ms + " ms");
    }
  }

  @Test
  void malformedRequestIs400() {
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.writeRaw("GET / HTTP/1.1\r\nHost: a.test\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      Response r = c.readResponse(false);
      assertEquals(400, r.status());
      assertEquals("close", r.header("connection"));
      assertTrue(c.awaitClosedByServer());
    }
  }

  @Test
  void weightedRoundRobinSplitsByWeight() {
    Map<String, Integer> counts = new HashMap<>();
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      for (int i = 0; i < 40; i++) {
        counts.merge(c.get("weighted.test", "/").echo("backend"), 1, Integer::sum);
      }
    }
    assertEquals(Map.of("a", 30, "b", 10), counts);
  }

  @Test
  void endpointsOfAClusterTakeTurns() {
    Map<String, Integer> counts = new HashMap<>();
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      for (int i = 0; i < 10; i++) {
        counts.merge(c.get("rr.test", "/").echo("backend"), 1, Integer::sum);
      }
    }
    assertEquals(Map.of("a", 5, "b", 5), counts);
  }

  @Test
  void upstreamConnectionsAreKeptAliveAndReused() {
    EchoBackend c = EchoBackend.start("reuse");
    try {
      apply(withExtraHost(baseline(2), "reuse.test", c));
      try (HttpTestClient client = HttpTestClient.connect(dp.httpPort())) {
        for (int i = 0; i < 5; i++) {
          assertEquals(200, client.get("reuse.test", "/").status());
        }
      }
      for (int i = 0; i < 5; i++) {
        assertEquals(200, get("reuse.test", "/").status(), "new downstream connections share the upstream pool");
      }
      assertEquals(10, c.requests());
      assertEquals(1, c.connectionsAccepted());
    } finally {
      apply(baseline(3));
      c.close();
    }
  }

  @Test
  void aPooledConnectionTheUpstreamClosedIsNotReused() {
    EchoBackend c = EchoBackend.start("closer");
    try {
      apply(withExtraHost(baseline(4), "closer.test", c));
      assertEquals(200, get("closer.test", "/close-after").status());
      Await.until("upstream closed its side", () -> c.openConnections() == 0);
      Response r = get("closer.test", "/again");
      assertEquals(200, r.status());
      assertEquals("closer", r.echo("backend"));
      assertEquals(2, c.connectionsAccepted());
    } finally {
      apply(baseline(5));
      c.close();
    }
  }

  @Test
  void streamsALargeChunkedUploadWithoutAggregating() {
    byte[] data = new byte[8 * 1024 * 1024];
    new java.util.Random(7).nextBytes(data);
    long before = a.bodyBytesReceived();
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.startChunked("POST", "a.test", "/upload", Map.of());
      c.writeChunk(data, 0, 256 * 1024);
      // The backend sees the body while the client is still sending it: nothing waits for the whole body.
      Await.until("first bytes at the backend", () -> a.bodyBytesReceived() > before);
      for (int off = 256 * 1024; off < data.length; off += 64 * 1024) {
        c.writeChunk(data, off, Math.min(64 * 1024, data.length - off));
      }
      c.endChunks();
      Response r = c.readResponse(false);
      assertEquals(200, r.status());
      assertEquals(Integer.toString(data.length), r.echo("body-bytes"));
      CRC32 crc = new CRC32();
      crc.update(data);
      assertEquals(Long.toHexString(crc.getValue()), r.echo("body-crc32"));
      assertEquals("chunked", r.echoedHeader("transfer-encoding"));
    }
  }

  @Test
  void streamsALargeDownload() {
    int n = 8 * 1024 * 1024;
    Response r = get("a.test", "/bytes/" + n);
    assertEquals(200, r.status());
    assertEquals(n, r.body().length);
    for (int i = 0; i < n; i += 4099) {
      if (r.body()[i] != EchoBackend.patternByte(i)) {
        throw new AssertionError("byte " + i + " differs");
      }
    }
  }

  @Test
  void aResponseIsForwardedBeforeItIsComplete() {
    int n = 2 * 1024 * 1024;
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.writeRaw("GET /gated/2097152 HTTP/1.1\r\nHost: a.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      Response head = c.readResponseHead();
      assertEquals(200, head.status());
      int got = 0;
      while (got < n / 2) {
        got += c.readChunk().length; // the first half arrives while the backend still holds the second
      }
      a.openGate();
      byte[] chunk;
      while ((chunk = c.readChunk()).length > 0) {
        got += chunk.length;
      }
      assertEquals(n, got);
    }
  }

  @Test
  void headAndPostBodiesWithContentLength() {
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      Response head = c.request("HEAD", "a.test", "/", Map.of(), null);
      assertEquals(200, head.status());
      assertEquals(0, head.body().length);
      Response post = c.request("POST", "a.test", "/form", Map.of("Content-Type", "text/plain"), "hello".getBytes(StandardCharsets.UTF_8));
      assertEquals("5", post.echo("body-bytes"));
      Response cont = c.request("PUT", "a.test", "/x", Map.of("Expect", "100-continue"), "abc".getBytes(StandardCharsets.UTF_8));
      assertEquals(200, cont.status());
      assertEquals("3", cont.echo("body-bytes"));
    }
  }

  @Test
  void anInFlightRequestFinishesOnTheConfigItStartedWith() throws Exception {
    EchoBackend old = EchoBackend.start("old");
    EchoBackend next = EchoBackend.start("new");
    try {
      apply(withExtraHost(baseline(10), "swap.test", old));
      int seen = old.requests();
      CompletableFuture<Response> slow = CompletableFuture.supplyAsync(() -> get("swap.test", "/delay/500"));
      Await.until("slow request reached the old backend", () -> old.requests() > seen);
      apply(withExtraHost(baseline(11), "swap.test", next));
      assertEquals("new", get("swap.test", "/").echo("backend"), "new requests use the new snapshot at once");
      Response r = slow.get(5, TimeUnit.SECONDS);
      assertEquals(200, r.status());
      assertEquals("old", r.echo("backend"));
    } finally {
      apply(baseline(12));
      old.close();
      next.close();
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() {
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.writeRaw(
          ("GET /delay/100 HTTP/1.1\r\nHost: a.test\r\n\r\n" + "GET /second HTTP/1.1\r\nHost: b.test\r\n\r\n" + "GET /third HTTP/1.1\r\nHost: nowhere.test\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      assertEquals("/delay/100", c.readResponse(false).echo("path"));
      assertEquals("/second", c.readResponse(false).echo("path"));
      assertEquals(404, c.readResponse(false).status());
    }
  }

  static Snapshot withExtraHost(Snapshot base, String host, EchoBackend backend) {
    Snapshot extra = new SnapshotBuilder(base.version()).cluster("extra", backend.endpoint()).host(host).prefix("extra", "/", "extra").build();
    java.util.List<dev.weir.snapshot.VirtualHost> hosts = new java.util.ArrayList<>(base.virtualHosts());
    hosts.addAll(extra.virtualHosts());
    java.util.List<dev.weir.snapshot.Cluster> clusters = new java.util.ArrayList<>(base.clusters());
    clusters.addAll(extra.clusters());
    return new Snapshot(base.version(), "", hosts, clusters, base.certificates()).withComputedHash();
  }

  @Test
  void countsRequestsPerRoute() {
    long before = dp.metrics().routeRequests().getOrDefault("b-root", 0L);
    get("b.test", "/count");
    get("b.test", "/count");
    assertEquals(before + 2, dp.metrics().routeRequests().get("b-root"));
  }
}
