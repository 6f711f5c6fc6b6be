package dev.weir.dataplane.balance;

import dev.weir.snapshot.LoadBalancer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks the endpoint of a cluster for one attempt, by the route's {@link LoadBalancer} policy. One
 * picker per (route, cluster) pair, built when a snapshot is applied; thread-safe.
 */
public interface EndpointPicker {

  /** For {@link #pick}: the request has no hash key (or the policy does not hash). */
  long NO_HASH = Long.MIN_VALUE;

  /**
   * An available endpoint not in {@code tried} (the endpoints earlier attempts of this request
   * went to), or, when every available one was tried, any available one; null when none is
   * available at all.
   *
   * @param hash the request's key hashed by {@link RequestHash}, or {@link #NO_HASH}
   * @param tried endpoints to avoid; may be empty, never null
   */
  EndpointState pick(long hash, List<EndpointState> tried);

  /** The picker for {@code lb} over {@code endpoints}. */
  static EndpointPicker of(LoadBalancer lb, ClusterEndpoints endpoints) {
    // Round robin until the policies are implemented (see balance/README in the issue 6 work).
    AtomicInteger cursor = new AtomicInteger();
    return (hash, tried) -> {
      List<EndpointState> all = endpoints.endpoints();
      int n = all.size();
      if (n == 0) {
        return null;
      }
      long now = System.nanoTime();
      EndpointState fallback = null;
      for (int i = 0; i < n; i++) {
        EndpointState e = all.get(Math.floorMod(cursor.getAndIncrement(), n));
        if (!e.available(now)) {
          continue;
        }
        if (!tried.contains(e)) {
          return e;
        }
        fallback = fallback == null ? e : fallback;
      }
      return fallback;
    };
  }
}
