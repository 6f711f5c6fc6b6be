package dev.weir.dataplane.it;

import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.HttpTestClient.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * Keep-alive clients sending GETs in a loop through the dataplane, counting what came back: for
 * fault tests that change backends or snapshots while requests flow. A failure is any status but
 * 200 or a broken connection (the client then reconnects). Bounded: {@code clients * perClient}
 * requests, each with the client's 10 s read timeout.
 */
final class LoadRunner {

  final AtomicInteger ok = new AtomicInteger();
  final AtomicInteger failed = new AtomicInteger();
  final AtomicInteger sent = new AtomicInteger();
  final AtomicLong maxLatencyNanos = new AtomicLong();
  final Map<String, AtomicInteger> byBackend = new ConcurrentHashMap<>();
  final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());

  /**
   * Runs the load; {@code onProgress} is called (on a client thread, between its requests) with the
   * count of requests sent so far, so a test can act at some point of the load.
   */
  static LoadRunner run(int port, String host, int clients, int perClient, IntConsumer onProgress) throws InterruptedException {
    LoadRunner r = new LoadRunner();
    CountDownLatch done = new CountDownLatch(clients);
    for (int i = 0; i < clients; i++) {
      Thread t = new Thread(() -> {
        HttpTestClient c = null;
        try {
          for (int n = 0; n < perClient; n++) {
            if (c == null) {
              c = HttpTestClient.connect(port);
            }
            int count = r.sent.incrementAndGet();
            long start = System.nanoTime();
            try {
              Response resp = c.get(host, "/load/" + count);
              r.maxLatencyNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
              if (resp.status() == 200) {
                r.ok.incrementAndGet();
                String b = resp.header("x-backend");
                r.byBackend.computeIfAbsent(String.valueOf(b), k -> new AtomicInteger()).incrementAndGet();
              } else {
                r.failed.incrementAndGet();
                r.failures.add(resp.status() + " " + resp.text().trim());
              }
              if ("close".equalsIgnoreCase(resp.header("connection"))) {
                c.close();
                c = null;
              }
            } catch (RuntimeException e) {
              r.failed.incrementAndGet();
              r.failures.add(e.toString());
              c.close();
              c = null;
            }
            if (onProgress != null) {
              onProgress.accept(count);
            }
          }
        } finally {
          if (c != null) {
            c.close();
          }
          done.countDown();
        }
      }, "load-" + i);
      t.setDaemon(true);
      t.start();
    }
    if (!done.await(120, TimeUnit.SECONDS)) {
      throw new AssertionError("load did not finish in time");
    }
    return r;
  }

  @Override
  public String toString() {
    return "sent=" + sent + " ok=" + ok + " failed=" + failed + " maxLatencyMs=" + TimeUnit.NANOSECONDS.toMillis(maxLatencyNanos.get())
        + " byBackend=" + byBackend + (failures.isEmpty() ? "" : " failures=" + failures.subList(0, Math.min(5, failures.size())));
  }
}
