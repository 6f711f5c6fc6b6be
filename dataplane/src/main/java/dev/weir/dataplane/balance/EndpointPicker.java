package dev.weir.dataplane.balance;

import dev.weir.snapshot.LoadBalancer;
import java.util.List;

/**
 * Picks the endpoint of a cluster for one attempt, by the route's {@link LoadBalancer} policy. One
 * picker per (route, cluster) pair, built when a snapshot is applied; thread-safe.
 */
public interface EndpointPicker {

  /** For {@link #pick}: the request has no hash key (or the policy does not hash). */
  long NO_HASH = Long.MIN_VALUE;

  /**
   * An available endpoint not in {@code tried} (the endpoints earlier attempts of this request
   * went to), or, when every available one was tried, any available one; when none is available
   * at all, any endpoint ("panic mode", see {@link ClusterEndpoints}), untried ones first. Null
   * only when the cluster has no endpoints. Hash policies given {@link #NO_HASH} pick as least
   * request does.
   *
   * @param hash the request's key hashed by {@link RequestHash}, or {@link #NO_HASH}
   * @param tried endpoints to avoid; may be empty, never null
   */
  EndpointState pick(long hash, List<EndpointState> tried);

  /**
   * The picker for {@code lb} over {@code endpoints}: built once per (route policy, cluster) and
   * snapshot, as the ring and table of the hash policies take a while to build.
   */
  static EndpointPicker of(LoadBalancer lb, ClusterEndpoints endpoints) {
    LoadBalancer.Policy policy = lb == null ? LoadBalancer.Policy.LEAST_REQUEST : lb.policy();
    return switch (policy) {
      case ROUND_ROBIN -> new RoundRobinPicker(endpoints);
      case LEAST_REQUEST -> new LeastRequestPicker(endpoints);
      case RING_HASH -> new RingHashPicker(endpoints);
      case MAGLEV -> new MaglevPicker(endpoints);
    };
  }
}
