package dev.weir.dataplane.proxy;

import dev.weir.dataplane.balance.ClusterEndpoints;
import dev.weir.dataplane.balance.EndpointPicker;
import dev.weir.dataplane.routing.RouteMatch;
import dev.weir.dataplane.upstream.UpstreamCluster;
import dev.weir.dataplane.upstream.UpstreamConnector;
import dev.weir.dataplane.upstream.UpstreamTlsContext;
import dev.weir.snapshot.ClusterResilience;
import dev.weir.snapshot.UpstreamProtocol;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What this dataplane knows about the load on one cluster (by name), across snapshots: requests in
 * flight (the {@code max-requests} circuit breaker and the retry budget's base), retries in flight,
 * requests waiting for a new connection ({@code max-pending}) and upstream connections, HTTP/1.1
 * and HTTP/2, connecting or open ({@code max-connections}). Counters are taken with {@code try*} and
 * given back exactly once by their taker. Thread-safe: every event loop uses it.
 *
 * <p>{@code max-connections} is taken before a connect starts (so a burst of connects cannot pass
 * it while they are still being made), given back if the connect fails, else when the connection
 * closes. At the limit, an idle connection of this cluster on the acquiring event loop (HTTP/1.1 in
 * the pool, HTTP/2 without open streams) is closed to make room: the limit bounds the connections
 * the dataplane holds, and refuses a request only when every connection it could take over is busy,
 * connecting, or idle on another event loop (which only that loop may touch).
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

  /** On an upstream connection (an HTTP/2 stream's parent): the cluster whose {@code max-connections} it counts for. */
  private static final AttributeKey<ClusterLoad> COUNTED_BY = AttributeKey.valueOf(ClusterLoad.class, "countedBy");

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

  /**
   * Whether an acquire of {@code endpoint} on {@code loop} would open a connection (the ones
   * {@code max-connections} counts): no idle pooled HTTP/1.1 one, or no HTTP/2 one (ready or connecting).
   */
  static boolean wouldOpen(UpstreamConnector upstreams, EventLoop loop, InetSocketAddress endpoint, UpstreamProtocol protocol,
      UpstreamTlsContext tls) {
    if (protocol == UpstreamProtocol.HTTP1) {
      return upstreams.idleCount(loop, endpoint, tls) == 0;
    }
    return !upstreams.hasHttp2Connection(loop, endpoint, tls);
  }

  /**
   * Takes a {@code max-connections} slot for a connection about to be opened on {@code loop}: below
   * the limit, or at it by closing an idle connection of this cluster on that loop (whose slot the new
   * one takes). False: every connection of the cluster this loop could take over is in use.
   */
  boolean tryOpenConnection(int limit, UpstreamConnector upstreams, EventLoop loop) {
    if (tryIncrement(connections, limit)) {
      return true;
    }
    if (upstreams.closeIdle(loop, ch -> ch.attr(COUNTED_BY).get() == this)) {
      // Its close listener gave its slot back (the close completes at once on its own loop); even if
      // not yet, it is going, so this one may have its slot.
      connections.incrementAndGet();
      return true;
    }
    return false;
  }

  /** Takes a slot whatever the limit: a connection replacing one that turned out dead as it was reused. */
  void openConnection() {
    connections.incrementAndGet();
  }

  /**
   * Ties the outcome of an acquire to the {@code max-connections} count: a slot taken for it
   * ({@code slotTaken}) is given back if the connect fails or the acquire used an existing
   * connection, else when the new connection closes; a new connection opened without a slot (the
   * connector could not say beforehand) is counted from now on. Call right after the acquire.
   */
  void holdConnection(Future<Channel> acquired, boolean slotTaken) {
    if (acquired.isDone()) {
      settleConnection(acquired, slotTaken);
    } else {
      acquired.addListener(f -> settleConnection(acquired, slotTaken));
    }
  }

  private void settleConnection(Future<Channel> acquired, boolean slotTaken) {
    if (!acquired.isSuccess()) {
      if (slotTaken) {
        connections.decrementAndGet();
      }
      return;
    }
    Channel ch = acquired.getNow();
    Channel connection = ch.parent() != null ? ch.parent() : ch; // an HTTP/2 stream counts its connection
    boolean fresh = ch.parent() != null || !UpstreamConnector.isReused(ch);
    if (!fresh || connection.attr(COUNTED_BY).setIfAbsent(this) != null) {
      // An existing connection (counted already, possibly by another cluster with this endpoint).
      if (slotTaken) {
        connections.decrementAndGet();
      }
      return;
    }
    if (!slotTaken) {
      connections.incrementAndGet();
    }
    connection.closeFuture().addListener(c -> connections.decrementAndGet());
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
