package dev.weir.e2e.ops;

import dev.weir.dataplane.testing.HttpTestClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Bounded steady traffic, the way a fleet of keep-alive HTTP/1.1 clients behind a Service sends it:
 * each worker opens a connection to a ready endpoint (round robin), sends GETs on it until the
 * server says {@code Connection: close} or closes it, or it has carried {@link #REQUESTS_PER_CONNECTION}
 * (as client pools recycle connections, which is how new replicas get a share after a scale-up), then
 * connects again. A GET that fails on a
 * reused connection before any byte of its response arrived is retried once on a new connection,
 * as HTTP clients do for idempotent requests (RFC 9112 section 9.3.1): that is the race every
 * keep-alive server has when it closes an idle connection. Anything else counts as a failure: a
 * status other than 200, a body not from the expected backend, an error on a fresh connection, a
 * failed retry.
 */
final class SteadyLoad implements AutoCloseable {
  static final int REQUESTS_PER_CONNECTION = 300;

  private final String host;
  private final String backend;
  private final Supplier<List<ReadyEndpoints.Replica>> endpoints;
  private final long pauseMillis;
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicInteger rr = new AtomicInteger();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();
  private final AtomicLong serverCloses = new AtomicLong();
  private final Map<String, AtomicLong> byReplica = new ConcurrentHashMap<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private volatile boolean running = true;

  /**
   * @param pauseMillis each worker's pause between requests: the rate stays bounded (about
   *     workers x 1000 / pauseMillis per second at most)
   */
  SteadyLoad(int workers, long pauseMillis, String host, String backend, Supplier<List<ReadyEndpoints.Replica>> endpoints) {
    this.host = host;
    this.backend = backend;
    this.endpoints = endpoints;
    this.pauseMillis = pauseMillis;
    for (int i = 0; i < workers; i++) {
      Thread t = new Thread(this::work, "steady-load-" + i);
      t.setDaemon(true);
      this.workers.add(t);
      t.start();
    }
  }

  /** Nothing of the response arrived: the server closed or reset the idle connection as the request went out. */
  private static boolean beforeAnyResponse(RuntimeException e) {
    Throwable c = e.getCause();
    return c instanceof java.io.EOFException && "connection closed before a response".equals(c.getMessage())
        || c instanceof java.net.SocketException;
  }

  private ReadyEndpoints.Replica pick() throws InterruptedException {
    while (running) {
      List<ReadyEndpoints.Replica> ready = endpoints.get();
      if (!ready.isEmpty()) return ready.get(Math.floorMod(rr.getAndIncrement(), ready.size()));
      Thread.sleep(5); // no ready endpoint: a Service with none would refuse; wait instead and let the test see it took long
    }
    return null;
  }

  private void work() {
    HttpTestClient conn = null;
    ReadyEndpoints.Replica at = null;
    boolean reused = false;
    int onConnection = 0;
    long n = 0;
    try {
      while (running) {
        if (conn == null) {
          at = pick();
          if (at == null) break;
          try {
            conn = HttpTestClient.connect(at.trafficPort());
            conn.setReadTimeoutMillis(10_000);
          } catch (RuntimeException e) {
            failures.add("connect to " + at.id() + ": " + e);
            Thread.sleep(pauseMillis);
            continue;
          }
          reused = false;
          onConnection = 0;
        }
        String path = "/steady/" + (n++);
        HttpTestClient.Response r;
        try {
          r = conn.get(host, path);
        } catch (RuntimeException e) {
          conn.close();
          conn = null;
          if (reused && beforeAnyResponse(e)) {
            retried.incrementAndGet();
            at = pick();
            if (at == null) break;
            try (HttpTestClient fresh = HttpTestClient.connect(at.trafficPort())) {
              fresh.setReadTimeoutMillis(10_000);
              r = fresh.get(host, path);
            } catch (RuntimeException again) {
              failures.add("retry of " + path + " on " + at.id() + ": " + again);
              continue;
            }
            check(r, at, path);
          } else {
            failures.add(path + (reused ? " on a reused" : " on a new") + " connection to " + at.id() + ": " + e);
          }
          continue;
        }
        check(r, at, path);
        reused = true;
        if ("close".equalsIgnoreCase(r.header("connection"))) {
          serverCloses.incrementAndGet();
          conn.close();
          conn = null;
        } else if (++onConnection >= REQUESTS_PER_CONNECTION) {
          conn.close();
          conn = null;
        }
        Thread.sleep(pauseMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (conn != null) conn.close();
    }
  }

  private void check(HttpTestClient.Response r, ReadyEndpoints.Replica at, String path) {
    if (r.status() != 200 || !backend.equals(r.echo("backend"))) {
      failures.add(path + " on " + at.id() + ": " + r.status() + " " + r.text().lines().findFirst().orElse(""));
      return;
    }
    ok.incrementAndGet();
    byReplica.computeIfAbsent(at.id(), k -> new AtomicLong()).incrementAndGet();
  }

  long ok() {
    return ok.get();
  }

  long okOn(String replica) {
    AtomicLong n = byReplica.get(replica);
    return n == null ? 0 : n.get();
  }

  long retried() {
    return retried.get();
  }

  long serverCloses() {
    return serverCloses.get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : workers) t.join(10_000);
  }
}
