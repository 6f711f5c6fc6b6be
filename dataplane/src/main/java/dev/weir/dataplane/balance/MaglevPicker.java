package dev.weir.dataplane.balance;

import java.util.Arrays;
import java.util.List;

/**
 * Maglev (Google's, as Envoy implements it): a lookup table of prime size M in which every endpoint
 * fills its own permutation of the slots in turn, so each owns M/n of them and few move when an
 * endpoint changes. A key goes to the slot {@code hash mod M}, then on to the next slots past
 * endpoints that are not eligible. M is 65537 up to 655 endpoints, else the first prime from 100
 * per endpoint. Built once per snapshot; lookup is O(1). Requests without a key go to least request.
 */
final class MaglevPicker implements EndpointPicker {
  static final int DEFAULT_TABLE_SIZE = 65537;

  private final ClusterEndpoints cluster;
  private final List<EndpointState> all;
  private final int[] table;
  private final LeastRequestPicker noKey;

  MaglevPicker(ClusterEndpoints cluster) {
    this.cluster = cluster;
    this.all = cluster.endpoints();
    this.noKey = new LeastRequestPicker(cluster);
    int n = all.size();
    this.table = n == 0 ? new int[0] : build(n, tableSize(n));
  }

  static int tableSize(int endpoints) {
    long wanted = 100L * endpoints;
    if (wanted <= DEFAULT_TABLE_SIZE) {
      return DEFAULT_TABLE_SIZE;
    }
    long m = wanted | 1;
    while (!prime(m)) {
      m += 2;
    }
    return Math.toIntExact(m);
  }

  private static boolean prime(long m) {
    for (long d = 3; d * d <= m; d += 2) {
      if (m % d == 0) {
        return false;
      }
    }
    return true;
  }

  private int[] build(int n, int m) {
    long[] offset = new long[n];
    long[] skip = new long[n];
    long[] next = new long[n];
    for (int i = 0; i < n; i++) {
      String key = all.get(i).key;
      offset[i] = Long.remainderUnsigned(Hashing.hash(key, 0), m);
      skip[i] = Long.remainderUnsigned(Hashing.hash(key, 1), m - 1) + 1;
    }
    int[] t = new int[m];
    Arrays.fill(t, -1);
    int filled = 0;
    while (true) {
      for (int i = 0; i < n; i++) {
        int c = (int) ((offset[i] + next[i] * skip[i]) % m);
        while (t[c] >= 0) {
          next[i]++;
          c = (int) ((offset[i] + next[i] * skip[i]) % m);
        }
        t[c] = i;
        next[i]++;
        if (++filled == m) {
          return t;
        }
      }
    }
  }

  @Override
  public EndpointState pick(long hash, List<EndpointState> tried) {
    int n = all.size();
    if (hash == NO_HASH || n <= 1) {
      return n <= 1 ? (n == 0 ? null : all.get(0)) : noKey.pick(hash, tried);
    }
    int m = table.length;
    int start = (int) Long.remainderUnsigned(hash, m);
    long now = cluster.nanoTime();
    for (int level = 0; level < Pickers.LEVELS; level++) {
      // Counting costs one look per endpoint, a walk of the table up to one per slot (65537 and more):
      // skip a level nobody is eligible at, the first one included (every endpoint tried or ejected).
      if (Pickers.countEligible(all, level, tried, now) == 0) {
        continue;
      }
      for (int step = 0; step < m; step++) {
        int at = start + step;
        EndpointState e = all.get(table[at >= m ? at - m : at]);
        if (Pickers.eligible(e, level, tried, now)) {
          return e;
        }
      }
    }
    return all.get(table[start]);
  }
}
