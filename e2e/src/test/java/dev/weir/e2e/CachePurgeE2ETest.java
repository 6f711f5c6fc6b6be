package dev.weir.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weir.crds.v1alpha1.ProxyRoute;
import dev.weir.crds.v1alpha1.RouteCache;
import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cache through the whole loop: a ProxyRoute with {@code cache} reaches both replicas, each stores
 * what the backend lets it, and bumping {@code cache.purge.generation} (with and without paths)
 * empties it on every replica. Against a real cluster with {@code KUBECONFIG}, as the other e2e tests.
 */
class CachePurgeE2ETest {
  static WeirSystem system;

  @BeforeAll
  static void start() throws Exception {
    system = WeirSystem.start(2);
  }

  @AfterAll
  static void stop() {
    if (system != null) system.close();
  }

  static String xcache(Dataplane d, String path) {
    return HttpTestClient.get(d.httpPort(), "cached.example.com", path).header("x-cache");
  }

  @Test
  void aPurgeGenerationEmptiesEveryReplica() {
    EchoBackend origin = system.backend("cached-origin");
    ProxyRoute r = system.route("cached", "cached.example.com", "/", "cached-origin");
    r.getSpec().getRules().get(0).setCache(new RouteCache(true, null, null, null));
    system.apply(r);
    system.awaitEveryReplica("cached.example.com", "/cacheable/a", WeirSystem.fromBackend("cached-origin"), Duration.ofSeconds(5));
    for (Dataplane d : system.dataplanes()) {
      for (String p : List.of("/cacheable/a", "/cacheable/b")) {
        Await.until("a hit on " + p, () -> "HIT".equals(xcache(d, p)));
      }
    }
    int before = origin.requests();
    for (Dataplane d : system.dataplanes()) {
      assertEquals("HIT", xcache(d, "/cacheable/a"));
    }
    assertEquals(before, origin.requests(), "hits never reach the backend");

    ProxyRoute stored = system.get("cached");
    stored.getSpec().getRules().get(0).getCache().setPurge(new RouteCache.Purge(1L, List.of("/cacheable/a")));
    stored.setStatus(null);
    system.client().resource(stored).update();
    for (Dataplane d : system.dataplanes()) {
      Await.until("the purge of /cacheable/a reached " + d, () -> "MISS".equals(xcache(d, "/cacheable/a")));
      assertEquals("HIT", xcache(d, "/cacheable/b"), "a path not listed stays");
    }

    stored = system.get("cached");
    stored.getSpec().getRules().get(0).getCache().setPurge(new RouteCache.Purge(2L, List.of()));
    stored.setStatus(null);
    system.client().resource(stored).update();
    for (Dataplane d : system.dataplanes()) {
      Await.until("the purge of the whole route reached " + d, () -> "MISS".equals(xcache(d, "/cacheable/b")));
    }
  }
}
