package dev.weir.dataplane.balance;

import dev.weir.snapshot.ClusterResilience;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Endpoints on a clock the test turns. */
final class Fixtures {
  static final long MS = 1_000_000L;

  private Fixtures() {}

  static List<InetSocketAddress> addresses(int n) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(new InetSocketAddress("10.0.0." + i, 8080));
    }
    return out;
  }

  static ClusterResilience resilience(int fiveXx, int connectFailures, int maxPercent) {
    return new ClusterResilience(fiveXx, connectFailures, 1_000, 10_000, maxPercent, 0, 0, 0, 0, 0, 0, null);
  }

  static ClusterEndpoints cluster(int n, ClusterResilience r, AtomicLong clock) {
    return new ClusterEndpoints("c", addresses(n), r, clock::get);
  }

  static int index(ClusterEndpoints c, EndpointState e) {
    return c.endpoints().indexOf(e);
  }
}
