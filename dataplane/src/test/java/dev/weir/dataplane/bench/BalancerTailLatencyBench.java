package dev.weir.dataplane.bench;

import com.sun.net.httpserver.HttpServer;
import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.LoadBalancer;
import dev.weir.snapshot.PathMatch;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.RetryPolicy;
import dev.weir.snapshot.RoutePolicy;
import dev.weir.snapshot.WeightedCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tail latency by load-balancing policy with one slow endpoint: {@code ENDPOINTS} backends on
 * 127.0.0.1 answer at once, one answers after {@code SLOW_MS}; {@code CONCURRENCY} keep-alive clients
 * send {@code REQUESTS} requests each through one dataplane, first with round robin, then with least
 * request (power of two choices), and print the latency percentiles and each endpoint's share.
 * Bounded: loopback only, a fixed number of requests. Run it with {@code dataplane/bench/balancer.sh}.
 */
public final class BalancerTailLatencyBench {

  public static void main(String[] args) throws Exception {
    int endpoints = intArg(args, 0, 4);
    int slowMs = intArg(args, 1, 50);
    int concurrency = intArg(args, 2, 16);
    int requests = intArg(args, 3, 1000);
    List<HttpServer> backends = new ArrayList<>();
    List<Endpoint> list = new ArrayList<>();
    Map<Integer, AtomicLong> served = new ConcurrentHashMap<>();
    for (int i = 0; i < endpoints; i++) {
      int delay = i == 0 ? slowMs : 0;
      HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
      int index = i;
      s.createContext("/", ex -> {
        served.computeIfAbsent(index, k -> new AtomicLong()).incrementAndGet();
        if (delay > 0) {
          try {
            Thread.sleep(delay);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        byte[] body = ("endpoint " + index + "\n").getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream o = ex.getResponseBody()) {
          o.write(body);
        }
      });
      s.setExecutor(Executors.newFixedThreadPool(concurrency + 4));
      s.start();
      backends.add(s);
      list.add(new Endpoint("127.0.0.1", s.getAddress().getPort()));
    }
    System.out.printf("%d endpoints (endpoint 0 answers after %d ms, the others at once), %d keep-alive clients x %d requests%n",
        endpoints, slowMs, concurrency, requests);
    System.out.printf("%-14s %8s %8s %8s %8s %8s  %s%n", "policy", "p50_ms", "p90_ms", "p99_ms", "p99.9_ms", "max_ms", "share of the slow endpoint");
    try {
      for (LoadBalancer.Policy policy : List.of(LoadBalancer.Policy.ROUND_ROBIN, LoadBalancer.Policy.LEAST_REQUEST)) {
        served.clear();
        long[] latencies = run(policy, list, concurrency, requests);
        long total = served.values().stream().mapToLong(AtomicLong::get).sum();
        long slow = served.getOrDefault(0, new AtomicLong()).get();
        System.out.printf("%-14s %8.2f %8.2f %8.2f %8.2f %8.2f  %.1f%% (%d of %d)%n", policy,
            ms(latencies, 0.50), ms(latencies, 0.90), ms(latencies, 0.99), ms(latencies, 0.999), latencies[latencies.length - 1] / 1e6,
            100.0 * slow / Math.max(1, total), slow, total);
      }
    } finally {
      backends.forEach(s -> s.stop(0));
    }
  }

  static long[] run(LoadBalancer.Policy policy, List<Endpoint> endpoints, int concurrency, int requests) throws Exception {
    Route route = new Route("bench", "bench", PathMatch.prefix("/"), List.of(), null, List.of(new WeightedCluster("c", 1)),
        RoutePolicy.DEFAULT, LoadBalancer.of(policy), RetryPolicy.NONE, null);
    Dataplane dp = Dataplane.start(DataplaneOptions.ephemeral().build());
    try {
      dp.config().apply(new SnapshotBuilder(1).cluster("c", endpoints.toArray(Endpoint[]::new)).host("bench").route(route).build());
      // Warm-up: JIT and connection pools, not measured.
      drive(dp.httpPort(), concurrency, Math.max(50, requests / 10));
      return drive(dp.httpPort(), concurrency, requests);
    } finally {
      dp.close();
    }
  }

  static long[] drive(int port, int concurrency, int requests) throws InterruptedException {
    long[] all = new long[concurrency * requests];
    AtomicInteger next = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int c = 0; c < concurrency; c++) {
      Thread t = new Thread(() -> {
        try (HttpTestClient client = HttpTestClient.connect(port)) {
          client.setReadTimeoutMillis(10_000);
          for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            HttpTestClient.Response r = client.get("bench", "/");
            long took = System.nanoTime() - start;
            if (r.status() != 200) {
              throw new IllegalStateException("status " + r.status());
            }
            all[next.getAndIncrement()] = took;
          }
        } finally {
          done.countDown();
        }
      });
      t.start();
    }
    done.await();
    long[] out = Arrays.copyOf(all, next.get());
    Arrays.sort(out);
    return out;
  }

  static double ms(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  static int intArg(String[] args, int i, int dflt) {
    return args.length > i ? Integer.parseInt(args[i]) : dflt;
  }
}
