package dev.weir.dataplane.proxy;

import dev.weir.dataplane.balance.ClusterEndpoints;
import dev.weir.dataplane.balance.EndpointPicker;
import dev.weir.dataplane.routing.RouteMatch;
import dev.weir.dataplane.upstream.UpstreamCluster;
import dev.weir.snapshot.ClusterResilience;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What this dataplane knows about the load on one cluster (by name), across snapshots: requests in
 * flight (the {@code max-requests} circuit breaker and the retry budget's base), retries in flight,
 * requests waiting for a new connection ({@code max-pending}) and open HTTP/1.1 connections
 * ({@code max-connections}). Counters are taken with {@code try*} and given back exactly once by
 * their taker. Thread-safe: every event loop uses it.
 *
 * <p>It also binds the cluster as the current snapshot compiled it ({@link UpstreamCluster}: its
 * endpoint states, kept across snapshots by the balance package's registry, its resilience settings
 * and its pickers) for the exchanges that use it.
 */
final class ClusterLoad {

  /** One snapshot's view of the cluster. */
  static final class Binding {
    final UpstreamCluster cluster;
    final ClusterEndpoints endpoints;
    final ClusterResilience resilience;

    Binding(UpstreamCluster cluster) {
      this.cluster = cluster;
      this.endpoints = cluster.endpointsState();
      this.resilience = cluster.resilience();
    }

    /** The cluster's picker for the route's load balancer. */
    EndpointPicker picker(RouteMatch route) {
      return cluster.picker(route.loadBalancer());
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

  /** The binding for {@code cluster} (an object of the config being served); made once per config. */
  Binding bind(UpstreamCluster cluster) {
    Binding b = binding;
    if (b != null && b.cluster == cluster) {
      return b;
    }
    Binding fresh = new Binding(cluster);
    binding = fresh; // two loops racing both build one; either is right
    return fresh;
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

  /**
   * Nothing in flight or waiting: the entry can go. Pooled connections are not waited for (they idle
   * until the pool's timeout); if the cluster comes back, its new entry does not count them.
   */
  boolean idle() {
    return requests.get() == 0 && retries.get() == 0 && pending.get() == 0;
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
