package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.FaultyBackend;
import dev.weir.dataplane.testing.FaultyBackend.Mode;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.ClusterResilience;
import dev.weir.snapshot.LoadBalancer;
import dev.weir.snapshot.PathMatch;
import dev.weir.snapshot.RetryPolicy;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.VirtualHost;
import dev.weir.snapshot.WeightedCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Load-balancing policies through a running dataplane on real sockets: affinity by header and by
 * cookie, weights across clusters, and endpoints that are ejected (passively, or by active health
 * checks) and come back.
 */
class LoadBalancingTest extends FaultyBackendsFixture {

  FaultyBackend backend(String name) {
    return backend(name, Mode.OK);
  }

  static Route route(String name, List<WeightedCluster> clusters, LoadBalancer lb, RetryPolicy retry) {
    return new Route(name, "test", PathMatch.prefix("/"), List.of(), null, clusters).withTraffic(lb, retry, null);
  }

  void apply(List<Cluster> clusters, Route route) {
    Snapshot s = new Snapshot(1, "", List.of(new VirtualHost("lb.test", List.of(route), null, null)), clusters, List.of(), null)
        .withComputedHash();
    apply(s);
  }

  HttpTestClient.Response get(Map<String, String> headers) {
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      return c.request("GET", "lb.test", "/", headers, null);
    }
  }

  @Test
  void ringHashOnAHeaderKeepsEachUserOnOneEndpointAndSpreadsUsers() {
    FaultyBackend[] bs = {backend("a"), backend("b"), backend("c"), backend("d")};
    apply(List.of(cluster("c", ClusterResilience.DEFAULT, bs)), route("hash", List.of(new WeightedCluster("c", 1)),
        new LoadBalancer(LoadBalancer.Policy.RING_HASH, LoadBalancer.HashOn.HEADER, "x-user", 0), RetryPolicy.NONE));
    Map<String, String> home = new HashMap<>();
    Map<String, Integer> users = new TreeMap<>();
    for (int round = 0; round < 4; round++) {
      for (int u = 0; u < 60; u++) {
        String user = "user-" + u;
        String served = get(Map.of("x-user", user)).header("x-backend");
        String first = home.putIfAbsent(user, served);
        assertEquals(first == null ? served : first, served, user + " moved");
      }
    }
    home.values().forEach(b -> users.merge(b, 1, Integer::sum));
    assertEquals(4, users.size(), "users spread over every endpoint: " + users);
  }

  @Test
  void cookieAffinitySetsTheCookieOnceAndSticksToItsEndpoint() {
    FaultyBackend[] bs = {backend("a"), backend("b"), backend("c")};
    apply(List.of(cluster("c", ClusterResilience.DEFAULT, bs)), route("sticky", List.of(new WeightedCluster("c", 1)),
        new LoadBalancer(LoadBalancer.Policy.MAGLEV, LoadBalancer.HashOn.COOKIE, "shop-session", 3600), RetryPolicy.NONE));
    for (int client = 0; client < 10; client++) {
      HttpTestClient.Response first = get(Map.of());
      String setCookie = first.header("set-cookie");
      assertNotNull(setCookie, "a request without the cookie gets one");
      assertTrue(setCookie.startsWith("shop-session=") && setCookie.contains("Max-Age=3600"), setCookie);
      String cookie = setCookie.substring(0, setCookie.indexOf(';'));
      String endpoint = first.header("x-backend");
      for (int i = 0; i < 10; i++) {
        HttpTestClient.Response again = get(Map.of("Cookie", "other=1; " + cookie));
        assertEquals(endpoint, again.header("x-backend"), "the cookie sticks");
        assertEquals(null, again.header("set-cookie"), "and is not set again");
      }
    }
  }

  @Test
  void weightsAcrossClustersAreHonouredWithin2Percent() {
    FaultyBackend a = backend("a");
    FaultyBackend b = backend("b");
    FaultyBackend c = backend("c");
    apply(List.of(cluster("ca", ClusterResilience.DEFAULT, a), cluster("cb", ClusterResilience.DEFAULT, b),
            cluster("cc", ClusterResilience.DEFAULT, c)),
        route("weights", List.of(new WeightedCluster("ca", 70), new WeightedCluster("cb", 20), new WeightedCluster("cc", 10)),
            LoadBalancer.DEFAULT, RetryPolicy.NONE));
    Map<String, Integer> seen = new TreeMap<>();
    try (HttpTestClient client = HttpTestClient.connect(dp.httpPort())) {
      for (int i = 0; i < 2_000; i++) {
        seen.merge(client.get("lb.test", "/").header("x-backend"), 1, Integer::sum);
      }
    }
    assertEquals(1_400, seen.get("a"), 40, seen.toString());
    assertEquals(400, seen.get("b"), 40, seen.toString());
    assertEquals(200, seen.get("c"), 40, seen.toString());
  }

  @Test
  void anEndpointEjectedFor5xxGetsNoTrafficThenComesBack() throws Exception {
    FaultyBackend good1 = backend("good1");
    FaultyBackend good2 = backend("good2");
    FaultyBackend flaky = backend("flaky").mode(Mode.ALWAYS_503);
    ClusterResilience eject = new ClusterResilience(3, 0, 600, 0, 0, 0, 0, 0, 0, 0, 0, null);
    apply(List.of(cluster("c", eject, good1, good2, flaky)),
        route("eject", List.of(new WeightedCluster("c", 1)), LoadBalancer.of(LoadBalancer.Policy.ROUND_ROBIN), RetryPolicy.NONE));
    int fivexx = 0;
    for (int i = 0; i < 60; i++) {
      if (get(Map.of()).status() == 503) fivexx++;
    }
    assertEquals(3, fivexx, "three 503s in a row eject the endpoint; no retries, so the client saw exactly those");
    int before = flaky.requests();
    for (int i = 0; i < 30; i++) {
      assertEquals(200, get(Map.of()).status(), "while ejected it gets nothing");
    }
    assertEquals(before, flaky.requests());
    assertTrue(dp.metrics().scrape().contains("weir_dataplane_upstream_ejections_total{cluster=\"c\"} 1.0"), dp.metrics().scrape());

    flaky.mode(Mode.OK); // it recovered; the ejection (600 ms) runs out
    Thread.sleep(700);
    Await.until("the endpoint comes back", Duration.ofSeconds(5), () -> {
      get(Map.of());
      return flaky.requests() > before;
    });
    for (int i = 0; i < 30; i++) {
      assertEquals(200, get(Map.of()).status());
    }
    assertTrue(flaky.requests() >= before + 10, "it has its share again: " + (flaky.requests() - before));
  }

  @Test
  void anEndpointFailingItsHealthCheckIsTakenOutAndComesBackWhenItPasses() throws Exception {
    FaultyBackend good = backend("good");
    FaultyBackend sick = backend("sick").mode(Mode.ALWAYS_503);
    ClusterResilience checked = new ClusterResilience(-1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        new ClusterResilience.HealthCheck("/healthz", "health.test", 100, 500, 2, 2));
    apply(List.of(cluster("c", checked, good, sick)),
        route("health", List.of(new WeightedCluster("c", 1)), LoadBalancer.of(LoadBalancer.Policy.ROUND_ROBIN), RetryPolicy.NONE));
    Await.until("the sick endpoint is out", Duration.ofSeconds(5),
        () -> dp.metrics().scrape().contains("weir_dataplane_upstream_unhealthy{cluster=\"c\"} 1.0"));
    for (int i = 0; i < 20; i++) {
      assertEquals(200, get(Map.of()).status(), "no request reaches the endpoint that fails its checks");
    }
    assertTrue(sick.hosts().contains("health.test"), "the checks carry the configured Host: " + sick.hosts());
    sick.mode(Mode.OK);
    Await.until("it passes two checks and is back", Duration.ofSeconds(5),
        () -> dp.metrics().scrape().contains("weir_dataplane_upstream_unhealthy{cluster=\"c\"} 0.0"));
    int before = sick.answered();
    for (int i = 0; i < 20; i++) {
      assertEquals(200, get(Map.of()).status());
    }
    assertTrue(sick.answered() >= before + 5, "it gets traffic again");
  }
}
