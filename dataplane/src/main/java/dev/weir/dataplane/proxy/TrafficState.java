package dev.weir.dataplane.proxy;

import dev.weir.dataplane.config.ApplyResult;
import dev.weir.dataplane.config.ConfigListener;
import dev.weir.dataplane.config.RuntimeConfig;
import dev.weir.snapshot.Cluster;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-cluster load of one dataplane ({@link ClusterLoad}), shared by its listeners: the
 * {@code Dataplane} owns one and hands it to each listener's {@link ProxyContext}, since a circuit
 * breaker counts the dataplane's requests to a cluster, not one listener's. Clusters are kept by
 * name, so counts survive snapshots. On every apply ({@link ConfigListener}) the entries of clusters
 * the snapshot no longer has are dropped once nothing is in flight to them: otherwise cluster churn
 * would grow the map, and each entry holds its last snapshot's cluster (endpoints, pickers) alive.
 * An exchange still holding a dropped entry gives its slots back to that entry, which only it sees.
 */
public final class TrafficState implements ConfigListener {

  private final Map<String, ClusterLoad> clusters = new ConcurrentHashMap<>();

  ClusterLoad cluster(String name) {
    ClusterLoad l = clusters.get(name);
    return l != null ? l : clusters.computeIfAbsent(name, ClusterLoad::new);
  }

  @Override
  public void applied(RuntimeConfig config, ApplyResult.Applied result) {
    Set<String> live = new HashSet<>();
    for (Cluster c : config.snapshot().clusters()) {
      live.add(c.name());
    }
    clusters.values().removeIf(l -> !live.contains(l.name()) && l.idle());
  }

  /** How many clusters have an entry (tests look). */
  public int clusterCount() {
    return clusters.size();
  }

  /** Requests in flight to {@code cluster} from this dataplane (tests look). */
  public int requestsInFlight(String cluster) {
    ClusterLoad l = clusters.get(cluster);
    return l == null ? 0 : l.requestsInFlight();
  }

  /** Retries in flight to {@code cluster}. */
  public int retriesInFlight(String cluster) {
    ClusterLoad l = clusters.get(cluster);
    return l == null ? 0 : l.retriesInFlight();
  }

  /** Requests waiting for a new connection to {@code cluster}. */
  public int pendingRequests(String cluster) {
    ClusterLoad l = clusters.get(cluster);
    return l == null ? 0 : l.pendingRequests();
  }
}
