package dev.weir.dataplane.proxy;

import dev.weir.dataplane.config.ConfigHolder;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-cluster load of one dataplane ({@link ClusterLoad}), shared by its listeners: one per
 * {@link ConfigHolder}, since every listener of a dataplane serves the same config and a circuit
 * breaker counts the dataplane's requests to a cluster, not one listener's. Clusters are kept by
 * name, so counts survive snapshots; a removed cluster's entry stays (a few counters, and requests
 * in flight to it still give their slots back).
 */
public final class TrafficState {

  private static final Map<ConfigHolder, TrafficState> BY_CONFIG = Collections.synchronizedMap(new WeakHashMap<>());

  private final Map<String, ClusterLoad> clusters = new ConcurrentHashMap<>();

  /** The state of the dataplane that serves {@code config}. */
  public static TrafficState of(ConfigHolder config) {
    return BY_CONFIG.computeIfAbsent(config, c -> new TrafficState());
  }

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
