package dev.weir.dataplane.balance;

import static dev.weir.dataplane.balance.Fixtures.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.weir.dataplane.config.ConfigHolder;
import dev.weir.dataplane.upstream.UpstreamCluster;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.ClusterResilience;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.LoadBalancer;
import dev.weir.snapshot.PathMatch;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.VirtualHost;
import dev.weir.snapshot.WeightedCluster;
import dev.weir.dataplane.tls.TlsPolicy;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClusterRegistryTest {
  private final AtomicLong clock = new AtomicLong(7 * MS);
  private static final ClusterResilience SLOW = new ClusterResilience(1, 0, 0, 0, 100, 1_000, 0, 0, 0, 0, 0, null);

  @Test
  void statesOfEndpointsThatStayCarryOver() {
    ClusterRegistry r = new ClusterRegistry(clock::get, () -> null);
    List<InetSocketAddress> a = Fixtures.addresses(3);
    ClusterEndpoints first = r.endpoints("c", a, SLOW);
    r.commit(List.of(first));
    EndpointState stays = first.endpoints().get(1);
    first.started(stays);
    first.started(first.endpoints().get(0));
    first.finished(first.endpoints().get(0), Outcome.HTTP_5XX); // ejected
    ClusterEndpoints second = r.endpoints("c", List.of(a.get(0), a.get(1), new InetSocketAddress("10.0.0.9", 8080)), SLOW);
    assertSame(stays, second.endpoints().get(1));
    assertEquals(1, second.endpoints().get(1).inFlight());
    assertFalse(second.endpoints().get(0).available(clock.get()), "still ejected");
    assertEquals(EndpointState.FULL_WEIGHT, stays.weight(clock.get(), 1_000 * MS), "first snapshot: full weight");
    assertEquals(10, second.endpoints().get(2).weight(clock.get(), 1_000 * MS), "joined later: slow start");
    ClusterEndpoints other = r.endpoints("d", a, SLOW);
    assertNotSame(stays, other.endpoints().get(1), "state is per cluster");
  }

  @Test
  void aRejectedSnapshotLeavesNoTrace() {
    ClusterRegistry r = new ClusterRegistry(clock::get, () -> null);
    List<InetSocketAddress> a = Fixtures.addresses(2);
    ClusterEndpoints first = r.endpoints("c", a, SLOW);
    r.commit(List.of(first));
    r.endpoints("c", a.subList(0, 1), SLOW); // compiled, never served
    assertSame(first.endpoints().get(1), r.endpoints("c", a, SLOW).endpoints().get(1));
  }

  @Test
  void configHolderKeepsStatesAcrossApplies() {
    ConfigHolder holder = new ConfigHolder(null, TlsPolicy.DEFAULT, new ClusterRegistry(clock::get, () -> null));
    LoadBalancer ring = new LoadBalancer(LoadBalancer.Policy.RING_HASH, LoadBalancer.HashOn.HEADER, "x-user", 0);
    holder.apply(snapshot(1, ring, "10.0.0.1", "10.0.0.2"));
    UpstreamCluster c1 = holder.current().cluster("web");
    EndpointState e = c1.picker(ring).pick(RequestHash.hash("alice"), List.of());
    c1.endpointsState().started(e);
    holder.apply(snapshot(2, ring, "10.0.0.1", "10.0.0.2", "10.0.0.3"));
    UpstreamCluster c2 = holder.current().cluster("web");
    assertNotSame(c1, c2);
    assertEquals(1, c2.endpointsState().endpoints().get(c1.endpointsState().endpoints().indexOf(e)).inFlight());
    assertSame(c2.picker(ring), c2.picker(ring), "built once with the config");
    assertEquals(3, c2.endpointsState().endpoints().size());
    holder.close();
  }

  private static Snapshot snapshot(long version, LoadBalancer lb, String... ips) {
    List<Endpoint> endpoints = java.util.Arrays.stream(ips).map(ip -> new Endpoint(ip, 8080)).toList();
    Route route = new Route("r", "test", new PathMatch(PathMatch.Type.PREFIX, "/"), List.of(), null,
        List.of(new WeightedCluster("web", 1))).withTraffic(lb, null, null);
    return new Snapshot(version, "", List.of(new VirtualHost("example.com", List.of(route), null)), List.of(new Cluster("web", endpoints)), List.of());
  }
}
