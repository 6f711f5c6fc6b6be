package dev.weir.dataplane.balance;

import static dev.weir.dataplane.balance.Fixtures.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.snapshot.ClusterResilience;
import dev.weir.snapshot.LoadBalancer;
import dev.weir.snapshot.LoadBalancer.HashOn;
import dev.weir.snapshot.LoadBalancer.Policy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class PickerDistributionTest {

  private static LoadBalancer lb(Policy p) {
    return p == Policy.RING_HASH || p == Policy.MAGLEV ? new LoadBalancer(p, HashOn.HEADER, "x-key", 0) : LoadBalancer.of(p);
  }

  @ParameterizedTest
  @EnumSource(value = Policy.class, names = {"RING_HASH", "MAGLEV"})
  void fewKeysMoveWhenOneOfTenEndpointsLeaves(Policy policy) {
    List<InetSocketAddress> ten = Fixtures.addresses(10);
    List<InetSocketAddress> nine = new ArrayList<>(ten);
    InetSocketAddress gone = nine.remove(3);
    EndpointPicker before = EndpointPicker.of(lb(policy), new ClusterEndpoints("c", ten));
    EndpointPicker after = EndpointPicker.of(lb(policy), new ClusterEndpoints("c", nine));
    int keys = 10_000;
    int stayed = 0;
    int onGone = 0;
    int[] share = new int[10];
    for (int k = 0; k < keys; k++) {
      long h = RequestHash.hash("user-" + k);
      InetSocketAddress a = before.pick(h, List.of()).address();
      InetSocketAddress b = after.pick(h, List.of()).address();
      share[ten.indexOf(a)]++;
      if (a.equals(gone)) {
        onGone++;
      } else if (a.equals(b)) {
        stayed++;
      }
    }
    double keptOfMovable = stayed / (double) (keys - onGone);
    double keptOfAll = stayed / (double) keys;
    System.out.printf("%s: %.2f%% of the keys not on the removed endpoint stayed (%.2f%% of all %d; %.2f%% were on the removed one); shares per endpoint %s%n",
        policy, 100 * keptOfMovable, 100 * keptOfAll, keys, 100.0 * onGone / keys, java.util.Arrays.toString(share));
    assertTrue(keptOfMovable >= 0.90, policy + " kept only " + keptOfMovable);
    // Keys of the removed endpoint must move; the rest of all keys is what can stay at best.
    assertTrue(keptOfAll >= 0.80, policy + " kept only " + keptOfAll + " of all keys");
    for (int s : share) {
      assertTrue(s > keys / 10 / 2 && s < keys / 10 * 2, policy + " spreads unevenly: " + java.util.Arrays.toString(share));
    }
  }

  @ParameterizedTest
  @EnumSource(value = Policy.class, names = {"RING_HASH", "MAGLEV"})
  void hashPoliciesAreStickyAndWalkOnPastTriedAndEjected(Policy policy) {
    AtomicLong clock = new AtomicLong();
    ClusterEndpoints c = Fixtures.cluster(5, Fixtures.resilience(1, 0, 100), clock);
    EndpointPicker p = EndpointPicker.of(lb(policy), c);
    long h = RequestHash.hash("alice");
    EndpointState first = p.pick(h, List.of());
    for (int i = 0; i < 100; i++) {
      assertSame(first, p.pick(h, List.of()));
    }
    EndpointState second = p.pick(h, List.of(first));
    assertNotSame(first, second);
    c.started(first);
    c.finished(first, Outcome.HTTP_5XX); // ejected
    assertSame(second, p.pick(h, List.of()), "goes where a retry would have gone");
    clock.addAndGet(1_000 * MS);
    assertSame(first, p.pick(h, List.of()), "back once the ejection is over");
  }

  @ParameterizedTest
  @EnumSource(value = Policy.class, names = {"RING_HASH", "MAGLEV"})
  void noHashFallsBackToLeastRequest(Policy policy) {
    ClusterEndpoints c = new ClusterEndpoints("c", Fixtures.addresses(2));
    EndpointState busy = c.endpoints().get(0);
    for (int i = 0; i < 5; i++) {
      c.started(busy);
    }
    EndpointPicker p = EndpointPicker.of(lb(policy), c);
    for (int i = 0; i < 100; i++) {
      assertSame(c.endpoints().get(1), p.pick(EndpointPicker.NO_HASH, List.of()));
    }
  }

  @Test
  void smoothRoundRobinHonoursSlowStartWeights() {
    AtomicLong clock = new AtomicLong(1_000 * MS);
    ClusterRegistry registry = new ClusterRegistry(clock::get, () -> null);
    ClusterResilience slow = new ClusterResilience(0, 0, 0, 0, 0, 10_000, 0, 0, 0, 0, 0, null);
    List<InetSocketAddress> addresses = Fixtures.addresses(3);
    registry.commit(List.of(registry.endpoints("c", addresses.subList(0, 2), slow))); // first: full weight
    clock.addAndGet(1_000 * MS);
    ClusterEndpoints c = registry.endpoints("c", addresses, slow); // the third joins now
    registry.commit(List.of(c));
    clock.addAndGet(5_000 * MS); // half-way through slow start: 10 + 90 * 0.5 = 55
    EndpointState joined = c.endpoints().get(2);
    assertEquals(55, joined.weight(c.nanoTime(), 10_000 * MS));
    EndpointPicker p = EndpointPicker.of(LoadBalancer.of(Policy.ROUND_ROBIN), c);
    int[] picks = new int[3];
    int n = 10_000;
    for (int i = 0; i < n; i++) {
      picks[c.endpoints().indexOf(p.pick(EndpointPicker.NO_HASH, List.of()))]++;
    }
    double[] expected = {100 / 255.0, 100 / 255.0, 55 / 255.0};
    System.out.printf("smooth round robin, weights 100:100:55 over %d picks: %s (expected %.1f/%.1f/%.1f)%n",
        n, java.util.Arrays.toString(picks), expected[0] * n, expected[1] * n, expected[2] * n);
    for (int i = 0; i < 3; i++) {
      assertEquals(expected[i], picks[i] / (double) n, 0.02);
    }
    clock.addAndGet(5_000 * MS);
    assertEquals(EndpointState.FULL_WEIGHT, joined.weight(c.nanoTime(), 10_000 * MS));
  }

  @Test
  void smoothRoundRobinInterleaves() {
    ClusterEndpoints c = new ClusterEndpoints("c", Fixtures.addresses(3));
    EndpointPicker p = EndpointPicker.of(LoadBalancer.of(Policy.ROUND_ROBIN), c);
    List<EndpointState> seq = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      seq.add(p.pick(EndpointPicker.NO_HASH, List.of()));
    }
    assertEquals(List.of(seq.get(0), seq.get(1), seq.get(2), seq.get(0), seq.get(1), seq.get(2)), seq);
    assertEquals(3, new java.util.HashSet<>(seq).size());
  }

  @Test
  void leastRequestPicksTheLessLoadedOfTwo() {
    ClusterEndpoints c = new ClusterEndpoints("c", Fixtures.addresses(2));
    EndpointState a = c.endpoints().get(0);
    EndpointState b = c.endpoints().get(1);
    c.started(a);
    c.started(a);
    c.started(b);
    EndpointPicker p = EndpointPicker.of(LoadBalancer.DEFAULT, c);
    for (int i = 0; i < 1_000; i++) {
      assertSame(b, p.pick(EndpointPicker.NO_HASH, List.of()));
    }
    assertSame(a, p.pick(EndpointPicker.NO_HASH, List.of(b)), "skips the tried one while another is available");
    c.finished(a, Outcome.SUCCESS);
    c.finished(a, Outcome.SUCCESS);
    c.started(b);
    assertSame(a, p.pick(EndpointPicker.NO_HASH, List.of()));
  }

  @Test
  void leastRequestWeighsBySlowStart() {
    AtomicLong clock = new AtomicLong();
    ClusterRegistry registry = new ClusterRegistry(clock::get, () -> null);
    ClusterResilience slow = new ClusterResilience(0, 0, 0, 0, 0, 10_000, 0, 0, 0, 0, 0, null);
    List<InetSocketAddress> two = Fixtures.addresses(2);
    registry.commit(List.of(registry.endpoints("c", two.subList(0, 1), slow)));
    ClusterEndpoints c = registry.endpoints("c", two, slow); // the second at weight 10
    registry.commit(List.of(c));
    EndpointState old = c.endpoints().get(0);
    for (int i = 0; i < 5; i++) {
      c.started(old); // (5+1)/100 < (0+1)/10
    }
    EndpointPicker p = EndpointPicker.of(LoadBalancer.DEFAULT, c);
    assertSame(old, p.pick(EndpointPicker.NO_HASH, List.of()));
  }

  @ParameterizedTest
  @EnumSource(Policy.class)
  void everyPolicyAvoidsTriedEndpointsAndNeverFailsWhileThereIsOne(Policy policy) {
    ClusterEndpoints c = new ClusterEndpoints("c", Fixtures.addresses(3));
    EndpointPicker p = EndpointPicker.of(lb(policy), c);
    long h = RequestHash.hash("k");
    EndpointState a = p.pick(h, List.of());
    EndpointState b = p.pick(h, List.of(a));
    EndpointState third = p.pick(h, List.of(a, b));
    assertNotSame(a, b);
    assertNotSame(a, third);
    assertNotSame(b, third);
    assertNotNull(p.pick(h, c.endpoints()), "every one tried: any available one");
    assertNull(EndpointPicker.of(lb(policy), new ClusterEndpoints("c", List.of())).pick(h, List.of()));
  }

  @ParameterizedTest
  @EnumSource(value = Policy.class, names = {"RING_HASH", "MAGLEV"})
  void hashPoliciesFallBackInOrderWhenNoUntriedEndpointIsAvailable(Policy policy) {
    AtomicLong clock = new AtomicLong();
    ClusterEndpoints c = Fixtures.cluster(5, Fixtures.resilience(1, 0, 100), clock);
    EndpointPicker p = EndpointPicker.of(lb(policy), c);
    long h = RequestHash.hash("bob");
    EndpointState first = p.pick(h, List.of());
    EndpointState second = p.pick(h, List.of(first)); // the next one on the walk
    c.started(first);
    c.finished(first, Outcome.HTTP_5XX); // ejected
    EndpointState nextAvailable = p.pick(h, List.of());
    assertSame(second, nextAvailable);
    // Every endpoint tried, one ejected: the first available one on the walk (level 1), never the ejected one.
    for (int i = 0; i < 10; i++) {
      assertSame(second, p.pick(h, c.endpoints()));
    }
    // Nothing available (all fail their health check): panic mode, untried first (level 2), then any (level 3).
    for (EndpointState e : c.endpoints()) {
      e.checked(false, 1, 1);
    }
    assertSame(second, p.pick(h, List.of(first)), "panic: the first untried one on the walk");
    assertSame(first, p.pick(h, c.endpoints()), "panic, every one tried: where the key belongs");
  }

  @Test
  void maglevTableSizeIsPrime() {
    assertEquals(65537, MaglevPicker.tableSize(10));
    int m = MaglevPicker.tableSize(1000);
    assertTrue(m >= 100_000);
    for (int d = 2; (long) d * d <= m; d++) {
      assertTrue(m % d != 0);
    }
  }
}
