package dev.weir.dataplane.balance;

import java.util.Arrays;
import java.util.List;

/**
 * Consistent hashing on a ring (ketama-like): each endpoint owns {@value #POINTS} points, hashed
 * from its {@code ip:port}; a key goes to the owner of the first point at or after its hash,
 * clockwise past endpoints that are not eligible (unavailable, or tried by this request). When an
 * endpoint leaves, only its keys move. Built once per snapshot; lookup is a binary search. Requests
 * without a key go to least request.
 */
final class RingHashPicker implements EndpointPicker {
  static final int POINTS = 160;

  private final ClusterEndpoints cluster;
  private final List<EndpointState> all;
  private final long[] points;
  private final int[] owners;
  private final LeastRequestPicker noKey;

  RingHashPicker(ClusterEndpoints cluster) {
    this.cluster = cluster;
    this.all = cluster.endpoints();
    this.noKey = new LeastRequestPicker(cluster);
    int n = all.size();
    long[] sorted = new long[n * POINTS];
    long[] hashes = new long[n * POINTS];
    int k = 0;
    for (int i = 0; i < n; i++) {
      String key = all.get(i).key;
      for (int p = 0; p < POINTS; p++) {
        hashes[k] = Hashing.hash(key, p);
        k++;
      }
    }
    // Sort point indices by hash: indices and hashes are sorted together through one index array.
    Integer[] order = new Integer[hashes.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> {
      int c = Long.compare(hashes[x], hashes[y]);
      return c != 0 ? c : all.get(x / POINTS).key.compareTo(all.get(y / POINTS).key); // ties: by name, not by order
    });
    this.points = sorted;
    this.owners = new int[hashes.length];
    for (int i = 0; i < order.length; i++) {
      points[i] = hashes[order[i]];
      owners[i] = order[i] / POINTS;
    }
  }

  @Override
  public EndpointState pick(long hash, List<EndpointState> tried) {
    int n = all.size();
    if (hash == NO_HASH || n <= 1) {
      return n <= 1 ? (n == 0 ? null : all.get(0)) : noKey.pick(hash, tried);
    }
    int start = Arrays.binarySearch(points, hash);
    if (start < 0) {
      start = -start - 1;
    }
    long now = cluster.nanoTime();
    for (int level = 0; level < Pickers.LEVELS; level++) {
      // Counting costs one look per endpoint, a walk of the ring up to one per slot (65537 and more):
      // skip a level nobody is eligible at, the first one included (every endpoint tried or ejected).
      if (Pickers.countEligible(all, level, tried, now) == 0) {
        continue;
      }
      for (int step = 0; step < points.length; step++) {
        int at = start + step;
        EndpointState e = all.get(owners[at >= points.length ? at - points.length : at]);
        if (Pickers.eligible(e, level, tried, now)) {
          return e;
        }
      }
    }
    return all.get(owners[start == points.length ? 0 : start]);
  }
}
