package dev.weir.dataplane.balance;

import dev.weir.snapshot.ClusterResilience;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * What is known about every endpoint, by (cluster, address), across snapshots; one per dataplane,
 * owned by the config holder. Compiling a snapshot asks {@link #endpoints} for each cluster: an
 * endpoint that stays keeps its {@link EndpointState} (requests in flight, ejection, health, slow
 * start age), a new one gets a fresh state, at full weight in the first snapshot applied and in
 * slow start after. Nothing changes until the compiled config is served and {@link #commit}ted:
 * a rejected snapshot leaves no trace. Endpoints that left are then marked removed: their requests
 * in flight finish on their own and report harmlessly. The active health checks follow each commit.
 */
public final class ClusterRegistry implements AutoCloseable {
  private final LongSupplier nanoTime;
  private final List<EndpointListener> listeners = new CopyOnWriteArrayList<>();
  private final EndpointListener fanOut = new EndpointListener() {
    @Override
    public void ejected(String cluster, InetSocketAddress endpoint) {
      for (EndpointListener l : listeners) {
        l.ejected(cluster, endpoint);
      }
    }

    @Override
    public void healthChecked(String cluster, InetSocketAddress endpoint, boolean success) {
      for (EndpointListener l : listeners) {
        l.healthChecked(cluster, endpoint, success);
      }
    }
  };
  private final HealthChecker.Factory healthCheckers;
  private volatile Map<String, ClusterEndpoints> current = Map.of();
  private boolean committed;
  private HealthChecker health;
  private boolean closed;

  /**
   * On the system clock, with active health checks on an event loop of their own (one daemon thread);
   * the dataplane passes its own event loops instead.
   */
  public ClusterRegistry() {
    this(System::nanoTime, () -> HealthChecker.start(1));
  }

  /** @param healthCheckers makes the health checker when the first cluster with a health check is committed */
  public ClusterRegistry(LongSupplier nanoTime, HealthChecker.Factory healthCheckers) {
    this.nanoTime = nanoTime;
    this.healthCheckers = healthCheckers;
  }

  public void addListener(EndpointListener listener) {
    listeners.add(listener);
  }

  /** As {@link #endpoints(String, List, ClusterResilience, HealthChecker.Probe)}, for a cluster never actively checked. */
  public ClusterEndpoints endpoints(String cluster, List<InetSocketAddress> addresses, ClusterResilience resilience) {
    return endpoints(cluster, addresses, resilience, null);
  }

  /**
   * The endpoints of {@code cluster} for a config being compiled, with the states of the served
   * config's endpoints that stay. Registers nothing. An address listed twice is one endpoint.
   *
   * @param healthProbe how its endpoints are checked when its resilience has a health check; null: never
   */
  public synchronized ClusterEndpoints endpoints(String cluster, List<InetSocketAddress> addresses, ClusterResilience resilience,
      HealthChecker.Probe healthProbe) {
    ClusterEndpoints served = current.get(cluster);
    Map<InetSocketAddress, EndpointState> known = new HashMap<>();
    if (served != null) {
      for (EndpointState e : served.endpoints()) {
        known.put(e.address(), e);
      }
    }
    long now = nanoTime.getAsLong();
    Map<InetSocketAddress, EndpointState> states = new LinkedHashMap<>();
    for (InetSocketAddress a : addresses) {
      EndpointState e = known.get(a);
      states.putIfAbsent(a, e != null ? e : new EndpointState(a, now, !committed));
    }
    return new ClusterEndpoints(cluster, List.copyOf(states.values()), resilience, healthProbe, nanoTime, fanOut);
  }

  /** {@code clusters} (built by {@link #endpoints}) are now the served ones. */
  public synchronized void commit(Collection<ClusterEndpoints> clusters) {
    Map<String, ClusterEndpoints> next = new HashMap<>();
    Set<EndpointState> kept = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    boolean anyChecks = false;
    for (ClusterEndpoints c : clusters) {
      next.put(c.cluster(), c);
      kept.addAll(c.endpoints());
      anyChecks |= c.resilience().healthCheck() != null && c.healthProbe() != null;
    }
    for (ClusterEndpoints old : current.values()) {
      for (EndpointState e : old.endpoints()) {
        if (!kept.contains(e)) {
          e.removed = true;
        }
      }
    }
    current = Map.copyOf(next);
    committed = true;
    if (health == null && anyChecks && !closed) {
      health = healthCheckers.create();
    }
    if (health != null) {
      health.update(next.values());
    }
  }

  /** The served clusters by name. */
  public Map<String, ClusterEndpoints> clusters() {
    return current;
  }

  /** Stops the health checks. */
  @Override
  public synchronized void close() {
    closed = true;
    if (health != null) {
      health.close();
      health = null;
    }
  }
}
