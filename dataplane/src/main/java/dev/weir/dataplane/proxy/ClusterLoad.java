package dev.weir.dataplane.proxy;

import dev.weir.dataplane.balance.ClusterEndpoints;
import dev.weir.dataplane.balance.EndpointPicker;
import dev.weir.dataplane.balance.EndpointState;
import dev.weir.dataplane.routing.RouteMatch;
import dev.weir.dataplane.upstream.UpstreamCluster;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.ClusterResilience;
import dev.weir.snapshot.Snapshot;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What this dataplane knows about the load on one cluster (by name), across snapshots: requests in
 * flight (the {@code max-requests} circuit breaker and the retry budget's base), retries in flight,
 * requests waiting for a new connection ({@code max-pending}) and open HTTP/1.1 connections
 * ({@code max-connections}). Counters are taken with {@code try*} and given back exactly once by
 * their taker. Thread-safe: every event loop uses it.
 *
 * <p>It also binds the cluster as the current snapshot compiled it to its {@link ClusterEndpoints}
 * (kept while the cluster's endpoint addresses stay the same) and one {@link EndpointPicker} per route.
 * TODO(lb-core): take the endpoints from {@code UpstreamCluster.endpointsState()} and the pickers from
 * the route once that lands; this binding then shrinks to the resilience settings.
 */
final class ClusterLoad {

  /** One snapshot's view of the cluster. */
  static final class Binding {
    final UpstreamCluster cluster;
    final ClusterEndpoints endpoints;
    final ClusterResilience resilience;
    /** By route identity: a new snapshot brings new RouteMatch objects and a new binding. */
    private final Map<RouteMatch, EndpointPicker> pickers = new ConcurrentHashMap<>();

    Binding(UpstreamCluster cluster, ClusterEndpoints endpoints, ClusterResilience resilience) {
      this.cluster = cluster;
      this.endpoints = endpoints;
      this.resilience = resilience;
    }

    EndpointPicker picker(RouteMatch route) {
      EndpointPicker p = pickers.get(route); // a plain get first: computeIfAbsent may lock a bin
      return p != null ? p : pickers.computeIfAbsent(route, r -> EndpointPicker.of(r.route().loadBalancer(), endpoints));
    }
  }

  private final String name;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger retries = new AtomicInteger();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private volatile Binding binding;

  ClusterLoad(String name) {
    this.name = name;
  }

  String name() {
    return name;
  }

  /** The binding for {@code cluster} (an object of the snapshot being served); made once per snapshot. */
  Binding bind(UpstreamCluster cluster, Snapshot snapshot) {
    Binding b = binding;
    if (b != null && b.cluster == cluster) {
      return b;
    }
    ClusterEndpoints endpoints = b != null && sameAddresses(b.endpoints, cluster.endpoints())
        ? b.endpoints
        : new ClusterEndpoints(cluster.name(), cluster.endpoints());
    Binding fresh = new Binding(cluster, endpoints, resilience(snapshot, cluster.name()));
    binding = fresh; // two loops racing both build one; either is right
    return fresh;
  }

  private static boolean sameAddresses(ClusterEndpoints endpoints, List<InetSocketAddress> addresses) {
    List<EndpointState> states = endpoints.endpoints();
    if (states.size() != addresses.size()) {
      return false;
    }
    for (int i = 0; i < states.size(); i++) {
      if (!states.get(i).address().equals(addresses.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static ClusterResilience resilience(Snapshot snapshot, String cluster) {
    for (Cluster c : snapshot.clusters()) {
      if (c.name().equals(cluster)) {
        return c.resilience();
      }
    }
    return ClusterResilience.DEFAULT;
  }

  /** Takes a request slot unless {@code limit} are in flight. */
  boolean tryStartRequest(int limit) {
    return tryIncrement(requests, limit);
  }

  void requestDone() {
    requests.decrementAndGet();
  }

  int requestsInFlight() {
    return requests.get();
  }

  /**
   * Takes a retry slot if the budget allows: retries in flight below {@code budget}% of the requests
   * in flight to the cluster, or below {@code minRetries} whatever the load.
   */
  boolean tryStartRetry(ClusterResilience r) {
    int allowed = Math.max(r.minRetries(), (int) ((long) requests.get() * r.retryBudget() / 100));
    return tryIncrement(retries, allowed);
  }

  void retryDone() {
    retries.decrementAndGet();
  }

  int retriesInFlight() {
    return retries.get();
  }

  boolean tryStartPending(int limit) {
    return tryIncrement(pending, limit);
  }

  void pendingDone() {
    pending.decrementAndGet();
  }

  int pendingRequests() {
    return pending.get();
  }

  void connectionOpened() {
    connections.incrementAndGet();
  }

  void connectionClosed() {
    connections.decrementAndGet();
  }

  int connections() {
    return connections.get();
  }

  private static boolean tryIncrement(AtomicInteger counter, int limit) {
    while (true) {
      int n = counter.get();
      if (n >= limit) {
        return false;
      }
      if (counter.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }
}
