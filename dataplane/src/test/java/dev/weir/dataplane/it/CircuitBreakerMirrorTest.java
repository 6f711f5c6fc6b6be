package dev.weir.dataplane.it;

import static dev.weir.dataplane.it.RetryFaultTest.route;
import static dev.weir.dataplane.it.RetryFaultTest.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.proxy.TrafficState;
import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.FaultyBackend;
import dev.weir.dataplane.testing.H2EchoBackend;
import dev.weir.dataplane.testing.FaultyBackend.Mode;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.HttpTestClient.Response;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.ClusterResilience;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.LoadBalancer;
import dev.weir.snapshot.RetryPolicy;
import dev.weir.snapshot.RoutePolicy;
import dev.weir.snapshot.UpstreamProtocol;
import dev.weir.snapshot.UpstreamTls;
import io.micrometer.core.instrument.Counter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Circuit breakers (a 503 with {@code x-weir-overloaded}) and request mirroring, on real sockets. */
class CircuitBreakerMirrorTest extends FaultyBackendsFixture {

  double counter(String name, String tag, String value, String tag2, String value2) {
    return dp.metrics().registry().find(name).tag(tag, value).tag(tag2, value2).counters().stream().mapToDouble(Counter::count).sum();
  }

  static ClusterResilience limits(int maxConnections, int maxPending, int maxRequests) {
    return new ClusterResilience(0, 0, 0, 0, 0, 0, maxConnections, maxPending, maxRequests, 0, 0, null);
  }

  CompletableFuture<Integer> getAsync(String host) {
    return CompletableFuture.supplyAsync(() -> HttpTestClient.get(dp.httpPort(), host, "/slow").status());
  }

  @Test
  void overTheRequestLimitIsAnImmediate503() throws Exception {
    FaultyBackend slow = backend("slow", Mode.SLOW).delayMillis(800);
    apply(snapshot(1, List.of(cluster("cb", limits(0, 0, 2), slow)), route("cb", "cb", null)));
    TrafficState traffic = dp.traffic();
    CompletableFuture<Integer> one = getAsync("cb.test");
    CompletableFuture<Integer> two = getAsync("cb.test");
    Await.until("two requests in flight", () -> traffic.requestsInFlight("cb") == 2);
    long t0 = System.nanoTime();
    Response refused = HttpTestClient.get(dp.httpPort(), "cb.test", "/third");
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertEquals(503, refused.status());
    assertEquals("max-requests", refused.header("x-weir-overloaded"));
    assertTrue(tookMs < 400, "answered at once, not after the slow ones: " + tookMs + " ms");
    assertEquals(200, one.get(5, TimeUnit.SECONDS));
    assertEquals(200, two.get(5, TimeUnit.SECONDS));
    Await.until("slots given back", () -> traffic.requestsInFlight("cb") == 0);
    assertEquals(200, HttpTestClient.get(dp.httpPort(), "cb.test", "/after").status());
    double trips = counter("weir.dataplane.circuit.breaker.trips", "cluster", "cb", "kind", "max-requests");
    System.out.println("[breaker] max-requests 503 in " + tookMs + " ms, trips=" + trips + ", backend got " + slow.requests());
    assertEquals(1.0, trips);
    assertEquals(3, slow.requests(), "the refused request never reached the backend");
  }

  static final LoadBalancer RR = LoadBalancer.of(LoadBalancer.Policy.ROUND_ROBIN);

  @Test
  void overTheConnectionLimitIs503OnlyWhileEveryConnectionIsBusy() throws Exception {
    FaultyBackend a = backend("a", Mode.SLOW).delayMillis(500);
    FaultyBackend b = backend("b", Mode.SLOW).delayMillis(500);
    apply(snapshot(1, List.of(cluster("conn", limits(1, 0, 0), a, b)), route("conn", "conn", RetryPolicy.NONE).withTraffic(RR, RetryPolicy.NONE, null)));
    TrafficState traffic = dp.traffic();
    CompletableFuture<Integer> one = getAsync("conn.test");
    Await.until("one request in flight", () -> traffic.requestsInFlight("conn") == 1 && a.requests() + b.requests() == 1);
    Response refused = HttpTestClient.get(dp.httpPort(), "conn.test", "/second");
    assertEquals(503, refused.status(), "the one connection is busy");
    assertEquals("max-connections", refused.header("x-weir-overloaded"));
    assertEquals(200, one.get(5, TimeUnit.SECONDS));
    // Now nothing is in flight: requests on one client connection (one event loop), alternating between
    // the two endpoints, each close the other endpoint's idle connection to make room instead of a 503.
    a.mode(Mode.OK);
    b.mode(Mode.OK);
    int ok = 0;
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      for (int i = 0; i < 20; i++) {
        Response r = c.get("conn.test", "/again/" + i);
        assertEquals(200, r.status(), i + ": " + r.header("x-weir-overloaded"));
        ok++;
      }
    }
    System.out.println("[breaker] max-connections=1, two endpoints: " + ok + " of 20 sequential ok, a got " + a.requests() + ", b got " + b.requests()
        + ", trips=" + counter("weir.dataplane.circuit.breaker.trips", "cluster", "conn", "kind", "max-connections"));
    assertTrue(a.requests() >= 10 && b.requests() >= 10, "both endpoints served");
    assertEquals(1.0, counter("weir.dataplane.circuit.breaker.trips", "cluster", "conn", "kind", "max-connections"), "only the concurrent one");
    Await.until("slots given back", () -> traffic.requestsInFlight("conn") == 0 && traffic.pendingRequests("conn") == 0);
  }

  @Test
  void h2cConnectionsCountTowardsTheConnectionLimit() throws Exception {
    try (H2EchoBackend h2a = H2EchoBackend.start("h2-a"); H2EchoBackend h2b = H2EchoBackend.start("h2-b")) {
      Cluster c = new Cluster("h2c", List.of(h2a.endpoint(), h2b.endpoint()), UpstreamProtocol.H2C, null, limits(1, 0, 0));
      apply(snapshot(1, List.of(c), route("h2c", "h2c", RetryPolicy.NONE).withTraffic(RR, RetryPolicy.NONE, null)));
      // One client connection, so one event loop: each request needs the other endpoint's HTTP/2
      // connection, and the one without open streams makes room for it.
      try (HttpTestClient client = HttpTestClient.connect(dp.httpPort())) {
        for (int i = 0; i < 6; i++) {
          Response r = client.get("h2c.test", "/h2/" + i);
          assertEquals(200, r.status(), i + ": " + r.header("x-weir-overloaded"));
        }
      }
      System.out.println("[breaker] h2c max-connections=1, two endpoints: backend connections a=" + h2a.connections() + " b=" + h2b.connections());
      assertEquals(6, h2a.connections() + h2b.connections(), "a new connection each time: never two at once");
    }
  }

  @Test
  void aBurstOfConnectsStopsAtTheConnectionLimit() throws Exception {
    try (SilentTlsBackend silent = new SilentTlsBackend()) {
      Cluster c = new Cluster("burst", List.of(silent.endpoint()), UpstreamProtocol.HTTP1, new UpstreamTls("silent.test", null, false), limits(2, 0, 0));
      apply(snapshot(1, List.of(c), route("burst", "burst", RetryPolicy.NONE).withPolicy(new RoutePolicy(0, 1_000, 0, 0))));
      List<CompletableFuture<Response>> all = new java.util.ArrayList<>();
      for (int i = 0; i < 10; i++) {
        all.add(CompletableFuture.supplyAsync(() -> HttpTestClient.get(dp.httpPort(), "burst.test", "/")));
      }
      int refused = 0;
      int timedOut = 0;
      for (CompletableFuture<Response> f : all) {
        Response r = f.get(5, TimeUnit.SECONDS);
        if (r.status() == 503) {
          assertEquals("max-connections", r.header("x-weir-overloaded"));
          refused++;
        } else {
          assertEquals(504, r.status(), "the handshake never completes");
          timedOut++;
        }
      }
      System.out.println("[breaker] burst of 10 connects, max-connections=2: backend accepted " + silent.accepted() + ", 503=" + refused + " 504=" + timedOut);
      assertTrue(silent.accepted() <= 2, "connects beyond the limit were made: " + silent.accepted());
      assertEquals(8, refused);
      Await.until("slots given back", () -> dp.traffic().pendingRequests("burst") == 0 && dp.traffic().requestsInFlight("burst") == 0);
    }
  }

  @Test
  void aShadowsConnectionsCountTowardsItsConnectionLimit() throws Exception {
    FaultyBackend primary = backend("primary", Mode.OK);
    try (SilentTlsBackend silent = new SilentTlsBackend()) {
      Cluster shadow = new Cluster("silentshadow", List.of(silent.endpoint()), UpstreamProtocol.HTTP1, new UpstreamTls("silent.test", null, false),
          limits(1, 0, 0));
      apply(snapshot(1, List.of(cluster("main", null, primary), shadow),
          route("shadowed", "main", null).withTraffic(null, null, "silentshadow").withPolicy(new RoutePolicy(0, 1_000, 0, 0))));
      try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
        for (int i = 0; i < 5; i++) {
          assertEquals(200, c.get("shadowed.test", "/" + i).status());
        }
      }
      Await.until("4 copies skipped", () -> counter("weir.dataplane.mirror.requests", "cluster", "silentshadow", "result", "skipped") == 4);
      Await.until("the first copy connected", () -> silent.accepted() >= 1);
      System.out.println("[mirror] shadow max-connections=1: shadow accepted " + silent.accepted() + " connections for 5 copies");
      assertEquals(1, silent.accepted(), "one shadow connection at a time");
    }
  }

  /** Takes TCP connections (and counts them) but never answers a TLS handshake: each connect stays pending until its timeout. */
  static final class SilentTlsBackend implements AutoCloseable {
    private final ServerSocket server;
    private final List<java.net.Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread acceptor;

    SilentTlsBackend() throws java.io.IOException {
      server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
      acceptor = new Thread(() -> {
        try {
          while (true) {
            sockets.add(server.accept());
          }
        } catch (java.io.IOException closed) {
          // the test is over
        }
      }, "silent-tls-acceptor");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    Endpoint endpoint() {
      return new Endpoint("127.0.0.1", server.getLocalPort());
    }

    int accepted() {
      return sockets.size();
    }

    @Override
    public void close() throws Exception {
      server.close();
      for (java.net.Socket s : sockets) {
        s.close();
      }
      acceptor.join(2_000);
    }
  }

  @Test
  void aPendingSlotIsGivenBackWhenTheExchangeStopsWaiting() throws Exception {
    // Connects are taken by the kernel (the backlog), but nobody ever answers the TLS handshake.
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Cluster c = new Cluster("pend", List.of(new Endpoint("127.0.0.1", silent.getLocalPort())), UpstreamProtocol.HTTP1,
          new UpstreamTls("silent.test", null, false), limits(0, 0, 0));
      RetryPolicy oneTry = new RetryPolicy(1, List.of("timeout"), List.of(), 100, 0, 0, false, 0);
      apply(snapshot(1, List.of(c), route("pend", "pend", oneTry).withPolicy(new RoutePolicy(0, 3_000, 0, 0))));
      TrafficState traffic = dp.traffic();
      Response r = HttpTestClient.get(dp.httpPort(), "pend.test", "/");
      long answeredAt = System.nanoTime();
      assertEquals(504, r.status(), r.text());
      Await.until("the max-pending slot is given back", Duration.ofMillis(200), () -> traffic.pendingRequests("pend") == 0);
      System.out.println("[breaker] pending slot back " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answeredAt)
          + " ms after the per-try 504 (connect timeout 3 s)");
      Await.until("nothing in flight", () -> traffic.requestsInFlight("pend") == 0);
    }
  }

  @Test
  void aRemovedClustersCountsAreDroppedOnceIdle() throws Exception {
    FaultyBackend ok = backend("ok", Mode.OK);
    apply(snapshot(1, List.of(cluster("old", limits(0, 0, 5), ok)), route("old", "old", null)));
    assertEquals(200, HttpTestClient.get(dp.httpPort(), "old.test", "/").status());
    assertEquals(1, dp.traffic().clusterCount());
    apply(snapshot(2, List.of(cluster("new", null, ok)), route("new", "new", null)));
    assertEquals(200, HttpTestClient.get(dp.httpPort(), "new.test", "/").status());
    assertEquals(1, dp.traffic().clusterCount(), "the old cluster's entry is gone, the new one's is there");
  }

  @Test
  void theShadowGetsCopiesWithShadowHost() throws Exception {
    FaultyBackend primary = backend("primary", Mode.OK);
    FaultyBackend shadow = backend("shadow", Mode.OK);
    apply(snapshot(1, List.of(cluster("main", null, primary), cluster("shadow", null, shadow)),
        route("mirror", "main", null).withTraffic(null, null, "shadow")));
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      for (int i = 0; i < 10; i++) {
        Response r = c.get("mirror.test", "/get/" + i);
        assertEquals(200, r.status());
        assertEquals("primary", r.header("x-backend"));
      }
      for (int i = 0; i < 3; i++) {
        assertEquals(200, c.request("POST", "mirror.test", "/post", Map.of(), new byte[100]).status());
      }
      Response big = c.request("POST", "mirror.test", "/big", Map.of(), new byte[70_000]);
      assertEquals(200, big.status());
      assertEquals("70000", big.echo("body-bytes"));
    }
    Await.until("the shadow got 13 copies", () -> shadow.requests() == 13 && counter("weir.dataplane.mirror.requests", "cluster", "shadow", "result", "ok") == 13);
    System.out.println("[mirror] primary=" + primary.requests() + " shadow=" + shadow.requests() + " shadowHosts=" + shadow.hosts().get(0)
        + " skipped=" + counter("weir.dataplane.mirror.requests", "cluster", "shadow", "result", "skipped"));
    assertEquals(14, primary.requests());
    assertTrue(shadow.hosts().stream().allMatch("mirror.test-shadow"::equals), shadow.hosts().toString());
    assertEquals(3, shadow.bodySizes().stream().filter(s -> s == 100).count(), "bodies are copied");
    assertEquals(1.0, counter("weir.dataplane.mirror.requests", "cluster", "shadow", "result", "skipped"), "the 70 kB body is over the replay limit");
    Await.until("no mirror in flight", () -> dp.traffic().requestsInFlight("shadow") == 0);
  }

  @Test
  void aDeadShadowNeverAffectsThePrimary() throws Exception {
    FaultyBackend primary = backend("primary", Mode.OK);
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort(); // closed again: connects are refused
    }
    Cluster dead = new Cluster("dead", List.of(new Endpoint("127.0.0.1", deadPort)), UpstreamProtocol.HTTP1);
    apply(snapshot(1, List.of(cluster("main", null, primary), dead), route("deadmirror", "main", null).withTraffic(null, null, "dead")));
    int ok = 0;
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      for (int i = 0; i < 20; i++) {
        Response r = c.get("deadmirror.test", "/" + i);
        assertEquals(200, r.status());
        assertNull(r.header("x-weir-overloaded"));
        ok++;
      }
    }
    Await.until("20 mirror failures counted", () -> counter("weir.dataplane.mirror.requests", "cluster", "dead", "result", "failed") == 20);
    System.out.println("[mirror] dead shadow: primary ok=" + ok + " mirror failed=" + counter("weir.dataplane.mirror.requests", "cluster", "dead", "result", "failed"));
    assertEquals(20, ok);
  }

  @Test
  void aSlowShadowNeverDelaysThePrimaryAndIsBounded() throws Exception {
    FaultyBackend primary = backend("primary", Mode.OK);
    FaultyBackend shadow = backend("slowshadow", Mode.SLOW).delayMillis(1500);
    apply(snapshot(1, List.of(cluster("main", null, primary), cluster("slowshadow", limits(0, 0, 3), shadow)),
        route("slowmirror", "main", null).withTraffic(null, null, "slowshadow")));
    long maxMs = 0;
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      for (int i = 0; i < 10; i++) {
        long t0 = System.nanoTime();
        assertEquals(200, c.get("slowmirror.test", "/" + i).status());
        maxMs = Math.max(maxMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      }
    }
    double skipped = counter("weir.dataplane.mirror.requests", "cluster", "slowshadow", "result", "skipped");
    Await.until("the 3 copies answered", Duration.ofSeconds(5),
        () -> counter("weir.dataplane.mirror.requests", "cluster", "slowshadow", "result", "ok") == 3);
    System.out.println("[mirror] slow shadow: primary max latency " + maxMs + " ms, shadow got " + shadow.requests() + ", skipped=" + skipped);
    assertTrue(maxMs < 700, "the primary does not wait for the shadow: " + maxMs + " ms");
    assertEquals(7.0, skipped, "at most 3 copies in flight (the shadow's request limit)");
    assertEquals(3, shadow.requests());
  }
}
