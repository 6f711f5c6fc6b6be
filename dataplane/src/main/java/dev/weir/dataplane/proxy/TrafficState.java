package dev.weir.dataplane.proxy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-cluster load of one dataplane ({@link ClusterLoad}), shared by its listeners: the
 * {@code Dataplane} owns one and hands it to each listener's {@link ProxyContext}, since a circuit
 * breaker counts the dataplane's requests to a cluster, not one listener's. Clusters are kept by
 * name, so counts survive snapshots; a removed cluster's entry stays (a few counters, and requests
 * in flight to it still give their slots back).
 */
public final class TrafficState {

  private final Map<String, ClusterLoad> clusters = new ConcurrentHashMap<>();

  ClusterLoad cluster(String name) {
    ClusterLoad l = clusters.get(name);
    return l != null ? l : clusters.computeIfAbsent(name, ClusterLoad::new);
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
