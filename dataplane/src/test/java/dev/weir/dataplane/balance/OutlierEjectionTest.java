package dev.weir.dataplane.balance;

import static dev.weir.dataplane.balance.Fixtures.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.snapshot.LoadBalancer;
import dev.weir.snapshot.LoadBalancer.Policy;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OutlierEjectionTest {
  private final AtomicLong clock = new AtomicLong(42 * MS);

  private static void fail(ClusterEndpoints c, EndpointState e, Outcome o, int times) {
    for (int i = 0; i < times; i++) {
      c.started(e);
      c.finished(e, o);
    }
  }

  @Test
  void consecutive5xxEjectForLongerEachTimeAndRecover() {
    ClusterEndpoints c = Fixtures.cluster(4, Fixtures.resilience(3, 0, 50), clock);
    EndpointState e = c.endpoints().get(0);
    fail(c, e, Outcome.HTTP_5XX, 2);
    fail(c, e, Outcome.SUCCESS, 1); // resets the count
    fail(c, e, Outcome.HTTP_5XX, 2);
    assertTrue(e.available(clock.get()));
    fail(c, e, Outcome.HTTP_5XX, 1);
    assertFalse(e.available(clock.get()));
    assertEquals(1, c.ejectedCount());
    assertEquals(0, e.inFlight());
    clock.addAndGet(999 * MS);
    assertFalse(e.available(clock.get()));
    clock.addAndGet(MS); // base ejection 1 s
    assertTrue(e.available(clock.get()));
    assertEquals(0, c.ejectedCount());
    fail(c, e, Outcome.HTTP_5XX, 3); // second ejection: 2 s
    clock.addAndGet(1_999 * MS);
    assertFalse(e.available(clock.get()));
    clock.addAndGet(MS);
    assertTrue(e.available(clock.get()));
    clock.addAndGet(10_000 * MS); // in for a whole max ejection: the count starts over
    fail(c, e, Outcome.HTTP_5XX, 3);
    clock.addAndGet(1_000 * MS);
    assertTrue(e.available(clock.get()));
  }

  @Test
  void ejectionsAreCappedAtMaxEjection() {
    ClusterEndpoints c = Fixtures.cluster(4, Fixtures.resilience(1, 0, 50), clock); // base 1 s, max 10 s
    EndpointState e = c.endpoints().get(0);
    for (int n = 1; n <= 12; n++) {
      fail(c, e, Outcome.HTTP_5XX, 1);
      long expected = Math.min(n, 10) * 1_000 * MS;
      clock.addAndGet(expected - 1);
      assertFalse(e.available(clock.get()), "ejection " + n);
      clock.addAndGet(1);
      assertTrue(e.available(clock.get()), "ejection " + n);
    }
  }

  @Test
  void connectFailuresResetsAndTimeoutsCountTogetherCancelledNot() {
    ClusterEndpoints c = Fixtures.cluster(4, Fixtures.resilience(-1, 3, 50), clock);
    EndpointState e = c.endpoints().get(0);
    fail(c, e, Outcome.HTTP_5XX, 20); // -1: never on 5xx
    fail(c, e, Outcome.CONNECT_FAILURE, 1);
    fail(c, e, Outcome.RESET, 1);
    fail(c, e, Outcome.CANCELLED, 5);
    assertTrue(e.available(clock.get()));
    fail(c, e, Outcome.TIMEOUT, 1);
    assertFalse(e.available(clock.get()));
  }

  @Test
  void neverMoreThanMaxEjectionPercent() {
    ClusterEndpoints c = Fixtures.cluster(10, Fixtures.resilience(1, 0, 30), clock);
    for (EndpointState e : c.endpoints()) {
      fail(c, e, Outcome.HTTP_5XX, 1);
    }
    assertEquals(3, c.ejectedCount());
    clock.addAndGet(1_000 * MS);
    assertEquals(0, c.ejectedCount());
  }

  @Test
  void theLastAvailableEndpointIsNeverEjected() {
    ClusterEndpoints c = Fixtures.cluster(2, Fixtures.resilience(1, 0, 100), clock);
    fail(c, c.endpoints().get(0), Outcome.HTTP_5XX, 1);
    fail(c, c.endpoints().get(1), Outcome.HTTP_5XX, 5);
    assertEquals(1, c.ejectedCount());
    assertTrue(c.endpoints().get(1).available(clock.get()));
    ClusterEndpoints single = Fixtures.cluster(1, Fixtures.resilience(1, 0, 100), clock);
    fail(single, single.endpoints().get(0), Outcome.HTTP_5XX, 5);
    assertEquals(0, single.ejectedCount());
  }

  @Test
  void panicModeSpreadsOverAllWhenNoneIsAvailable() {
    ClusterEndpoints c = Fixtures.cluster(3, Fixtures.resilience(1, 0, 100), clock);
    for (EndpointState e : c.endpoints()) {
      e.checked(false, 1, 1); // every active check fails
    }
    for (Policy policy : Policy.values()) {
      LoadBalancer lb = policy == Policy.RING_HASH || policy == Policy.MAGLEV
          ? new LoadBalancer(policy, LoadBalancer.HashOn.HEADER, "k", 0) : LoadBalancer.of(policy);
      EndpointPicker p = EndpointPicker.of(lb, c);
      Set<EndpointState> seen = new HashSet<>();
      for (int i = 0; i < 300; i++) {
        seen.add(p.pick(RequestHash.hash("k" + i), List.of()));
      }
      assertEquals(3, seen.size(), policy + " in panic mode");
      EndpointState first = p.pick(RequestHash.hash("x"), List.of());
      assertNotSame(first, p.pick(RequestHash.hash("x"), List.of(first)), policy + " still avoids tried ones");
    }
    c.endpoints().get(1).checked(true, 1, 1); // one healthy again: only it
    EndpointPicker rr = EndpointPicker.of(LoadBalancer.of(Policy.ROUND_ROBIN), c);
    for (int i = 0; i < 10; i++) {
      assertEquals(c.endpoints().get(1), rr.pick(EndpointPicker.NO_HASH, List.of()));
    }
  }

  @Test
  void finishedOnADroppedEndpointIsHarmless() {
    ClusterRegistry registry = new ClusterRegistry(clock::get, () -> null);
    ClusterEndpoints before = registry.endpoints("c", Fixtures.addresses(3), Fixtures.resilience(1, 0, 100));
    registry.commit(List.of(before));
    EndpointState leaving = before.endpoints().get(2);
    before.started(leaving);
    registry.commit(List.of(registry.endpoints("c", Fixtures.addresses(2), Fixtures.resilience(1, 0, 100))));
    before.finished(leaving, Outcome.HTTP_5XX);
    assertEquals(0, leaving.inFlight());
    assertTrue(leaving.available(clock.get()));
    assertEquals(0, before.ejectedCount());
  }

  @Test
  void ejectionsAreReported() {
    List<String> events = new java.util.ArrayList<>();
    ClusterEndpoints c = new ClusterEndpoints("web", Fixtures.cluster(3, null, clock).endpoints(), Fixtures.resilience(2, 0, 50),
        null, clock::get, new EndpointListener() {
          @Override
          public void ejected(String cluster, java.net.InetSocketAddress endpoint) {
            events.add(cluster + " " + endpoint.getPort());
          }
        });
    fail(c, c.endpoints().get(0), Outcome.HTTP_5XX, 2);
    assertEquals(List.of("web 8080"), events);
  }
}
