package dev.weir.e2e;

import static dev.weir.e2e.WeirSystem.fromBackend;
import static dev.weir.e2e.WeirSystem.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.crds.v1alpha1.ProxyRoute;
import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Routes come and go through two replicas; status follows; a late replica catches up. */
class RoutingE2ETest {
  static WeirSystem system;

  @BeforeAll
  static void start() throws Exception {
    system = WeirSystem.start(2);
  }

  @AfterAll
  static void stop() {
    if (system != null) system.close();
  }

  @Test
  void newRouteReachesItsBackendThroughEveryReplicaWithinTwoSeconds() {
    system.backend("alpha");
    system.apply(system.route("alpha", "alpha.example.com", "/", "alpha"));
    Duration took = system.awaitEveryReplica("alpha.example.com", "/hello", fromBackend("alpha"), Duration.ofSeconds(2));
    assertTrue(took.toMillis() < 2000, "took " + took);

    system.awaitCondition("alpha", "Programmed", c -> c.getStatus().equals("True"));
    ProxyRoute stored = system.get("alpha");
    assertEquals(stored.getMetadata().getGeneration(), stored.getStatus().getObservedGeneration());
    assertEquals(2, stored.getStatus().getDataplanes().getReady());
    assertEquals(2, stored.getStatus().getDataplanes().getTotal());
    assertEquals("True", system.condition("alpha", "Accepted").orElseThrow().getStatus());
    assertEquals("True", system.condition("alpha", "ResolvedRefs").orElseThrow().getStatus());
  }

  @Test
  void updateReroutesAndStatusFollowsTheGeneration() {
    system.backend("blue");
    system.backend("green");
    system.apply(system.route("colour", "colour.example.com", "/", "blue"));
    system.awaitEveryReplica("colour.example.com", "/", fromBackend("blue"), Duration.ofSeconds(5));

    ProxyRoute r = system.get("colour");
    r.getSpec().getRules().get(0).getBackends().get(0).setService("green");
    r.setStatus(null);
    system.client().resource(r).update();
    system.awaitEveryReplica("colour.example.com", "/", fromBackend("green"), Duration.ofSeconds(5));
    system.awaitCondition("colour", "Programmed",
        c -> c.getStatus().equals("True") && c.getObservedGeneration() == 2L);
    assertEquals(2L, system.get("colour").getStatus().getObservedGeneration());
  }

  @Test
  void deletedRouteAnswers404() {
    system.backend("gone");
    system.apply(system.route("gone", "gone.example.com", "/", "gone"));
    system.awaitEveryReplica("gone.example.com", "/", fromBackend("gone"), Duration.ofSeconds(5));
    system.client().resource(system.get("gone")).delete();
    system.awaitEveryReplica("gone.example.com", "/", status(404), Duration.ofSeconds(5));
  }

  @Test
  void endpointsAddedAndRemovedAreFollowed() {
    EchoBackend one = system.backend("pool");
    EchoBackend two = EchoBackend.start("pool-2", WeirSystem.backendAddress());
    try {
      // Round robin, so that the split below is exact (the default, least request, is random between idle endpoints).
      var pool = system.route("pool", "pool.example.com", "/", "pool");
      pool.getSpec().getRules().get(0).setLoadBalancer(new dev.weir.crds.v1alpha1.RouteLoadBalancer("RoundRobin", null));
      system.apply(pool);
      system.awaitEveryReplica("pool.example.com", "/", fromBackend("pool"), Duration.ofSeconds(5));

      system.setEndpoints("pool", List.of(one, two));
      system.awaitEveryReplica("pool.example.com", "/", fromBackend("pool-2"), Duration.ofSeconds(5));
      Map<String, Integer> seen = new HashMap<>();
      for (Dataplane d : system.dataplanes()) {
        for (int i = 0; i < 20; i++) seen.merge(system.get(d, "pool.example.com", "/").echo("backend"), 1, Integer::sum);
      }
      assertEquals(20, seen.get("pool"), "round robin over two endpoints: " + seen);
      assertEquals(20, seen.get("pool-2"), "round robin over two endpoints: " + seen);

      system.setEndpoints("pool", List.of(two));
      system.awaitEveryReplica("pool.example.com", "/", fromBackend("pool-2"), Duration.ofSeconds(5));
      for (Dataplane d : system.dataplanes()) {
        for (int i = 0; i < 10; i++) assertEquals("pool-2", system.get(d, "pool.example.com", "/").echo("backend"));
      }

      system.setEndpoints("pool", List.of());
      system.awaitEveryReplica("pool.example.com", "/", status(503), Duration.ofSeconds(5));
    } finally {
      two.close();
    }
  }

  @Test
  void lateReplicaGetsTheCurrentSnapshot() throws Exception {
    system.backend("late");
    system.apply(system.route("late", "late.example.com", "/", "late"));
    system.awaitEveryReplica("late.example.com", "/", fromBackend("late"), Duration.ofSeconds(5));
    Dataplane third = system.addDataplane();
    try {
      system.awaitEveryReplica("late.example.com", "/", fromBackend("late"), Duration.ofSeconds(5));
      assertEquals(system.controller().publisher().current().orElseThrow().version(),
          third.config().appliedVersion(), "the newcomer is at the current version");
      system.awaitCondition("late", "Programmed", c -> c.getStatus().equals("True") && c.getMessage().startsWith("3/3"));
    } finally {
      system.stopDataplane(third);
    }
    system.awaitCondition("late", "Programmed", c -> c.getStatus().equals("True") && c.getMessage().startsWith("2/2"));
  }

  @Test
  void otherRoutesKeepServingWhileOneIsChanged() {
    system.backend("steady");
    system.apply(system.route("steady", "steady.example.com", "/", "steady"));
    system.awaitEveryReplica("steady.example.com", "/", fromBackend("steady"), Duration.ofSeconds(5));
    for (int i = 0; i < 20; i++) {
      system.apply(system.route("churn-" + i, "churn.example.com", "/c" + i, "steady"));
      for (Dataplane d : system.dataplanes()) {
        HttpTestClient.Response r = system.get(d, "steady.example.com", "/");
        assertEquals(200, r.status(), "a request on an unrelated route failed during churn");
      }
    }
  }
}
