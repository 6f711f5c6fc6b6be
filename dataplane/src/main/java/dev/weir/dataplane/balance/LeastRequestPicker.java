package dev.weir.dataplane.balance;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two random choices: two distinct eligible endpoints at random, the one with fewer
 * requests in flight per weight wins ({@code (inFlight + 1) / weight}, so a slow-starting endpoint
 * with nothing in flight still loses to a full-weight one with nothing in flight). No lock, no allocation.
 */
final class LeastRequestPicker implements EndpointPicker {
  private final ClusterEndpoints cluster;
  private final List<EndpointState> all;

  LeastRequestPicker(ClusterEndpoints cluster) {
    this.cluster = cluster;
    this.all = cluster.endpoints();
  }

  @Override
  public EndpointState pick(long hash, List<EndpointState> tried) {
    int n = all.size();
    if (n <= 1) {
      return n == 0 ? null : all.get(0);
    }
    long now = cluster.nanoTime();
    for (int level = 0; level < Pickers.LEVELS; level++) {
      int count = Pickers.countEligible(all, level, tried, now);
      if (count == 0) {
        continue;
      }
      if (count == 1) {
        return nth(0, level, tried, now);
      }
      ThreadLocalRandom r = ThreadLocalRandom.current();
      int a = r.nextInt(count);
      int b = r.nextInt(count - 1);
      if (b >= a) {
        b++;
      }
      return lessLoaded(nth(a, level, tried, now), nth(b, level, tried, now), now);
    }
    return null; // not reached
  }

  EndpointState lessLoaded(EndpointState a, EndpointState b, long now) {
    long slowStart = cluster.slowStartNanos();
    long wa = a.weight(now, slowStart);
    long wb = b.weight(now, slowStart);
    // (ia + 1) / wa <= (ib + 1) / wb, without division
    return (a.inFlight() + 1L) * wb <= (b.inFlight() + 1L) * wa ? a : b;
  }

  /** The k-th eligible endpoint; should another thread have changed availability since counting, the last eligible or the first one. */
  private EndpointState nth(int k, int level, List<EndpointState> tried, long now) {
    EndpointState last = all.get(0);
    for (int i = 0, n = all.size(); i < n; i++) {
      EndpointState e = all.get(i);
      if (Pickers.eligible(e, level, tried, now)) {
        if (k-- == 0) {
          return e;
        }
        last = e;
      }
    }
    return last;
  }
}
