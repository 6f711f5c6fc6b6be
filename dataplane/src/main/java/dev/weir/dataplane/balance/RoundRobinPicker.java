package dev.weir.dataplane.balance;

import java.util.List;

/**
 * Smooth weighted round robin (nginx's): every pick adds each eligible endpoint's weight (slow
 * start) to its current value, takes the highest and takes the total off it. Weights 3:1 give
 * a a b a rather than a a a b. One lock per pick (a few dozen additions), no allocation.
 */
final class RoundRobinPicker implements EndpointPicker {
  private final ClusterEndpoints cluster;
  private final List<EndpointState> all;
  private final long[] current;

  RoundRobinPicker(ClusterEndpoints cluster) {
    this.cluster = cluster;
    this.all = cluster.endpoints();
    this.current = new long[all.size()];
  }

  @Override
  public synchronized EndpointState pick(long hash, List<EndpointState> tried) {
    int n = all.size();
    if (n <= 1) {
      return n == 0 ? null : all.get(0);
    }
    long now = cluster.nanoTime();
    long slowStart = cluster.slowStartNanos();
    for (int level = 0; level < Pickers.LEVELS; level++) {
      int best = -1;
      long total = 0;
      for (int i = 0; i < n; i++) {
        EndpointState e = all.get(i);
        if (!Pickers.eligible(e, level, tried, now)) {
          continue;
        }
        int w = e.weight(now, slowStart);
        current[i] += w;
        total += w;
        if (best < 0 || current[i] > current[best]) {
          best = i;
        }
      }
      if (best >= 0) {
        current[best] -= total;
        return all.get(best);
      }
    }
    return null; // not reached: level 3 takes any endpoint
  }
}
