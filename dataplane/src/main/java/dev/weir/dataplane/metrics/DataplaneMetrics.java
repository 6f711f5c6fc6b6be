package dev.weir.dataplane.metrics;

import dev.weir.dataplane.balance.ClusterEndpoints;
import dev.weir.dataplane.balance.EndpointListener;
import dev.weir.dataplane.cache.ResponseCache;
import dev.weir.dataplane.config.ApplyResult;
import dev.weir.dataplane.config.ConfigListener;
import dev.weir.dataplane.config.RuntimeConfig;
import dev.weir.dataplane.proxy.RequestRecord;
import dev.weir.dataplane.proxy.RequestStats;
import dev.weir.dataplane.proxy.UpstreamError;
import dev.weir.dataplane.upstream.UpstreamCluster;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The dataplane's counters: Prometheus meters for {@code /metrics}, and the per-route totals that
 * go into control-channel reports. One instance per dataplane (no global registry), safe to call
 * from every event loop.
 *
 * <p>Meters: {@code weir_dataplane_requests_total{route,status_class}},
 * {@code weir_dataplane_request_duration_seconds{route,status_class}} (histogram),
 * {@code weir_dataplane_request_bytes_total{route}}, {@code weir_dataplane_response_bytes_total{route}},
 * {@code weir_dataplane_upstream_errors_total{route,kind}},
 * {@code weir_dataplane_upstream_connect_duration_seconds{cluster}} (histogram),
 * {@code weir_dataplane_connections_active}, {@code weir_dataplane_connections_total{listener}},
 * {@code weir_dataplane_tls_handshakes_total{result}}, {@code weir_dataplane_snapshot_version},
 * {@code weir_dataplane_snapshot_applies_total}, {@code weir_dataplane_snapshot_nacks_total},
 * {@code weir_dataplane_snapshot_apply_duration_seconds} (histogram), {@code weir_dataplane_draining},
 * {@code weir_dataplane_access_log_dropped_total}, {@code weir_dataplane_upstream_ejections_total{cluster}},
 * {@code weir_dataplane_upstream_ejected{cluster}} (endpoints ejected now),
 * {@code weir_dataplane_upstream_unhealthy{cluster}} (endpoints failing active health checks now),
 * {@code weir_dataplane_upstream_health_checks_total{cluster,result}} (success|failure). The two
 * gauges exist for the clusters of the applied config; they go when their cluster does.
 *
 * <p>Tags stay bounded: route names come from the snapshot ({@value #NO_ROUTE} when none matched),
 * cluster names too, and the rest are fixed sets. Histograms have fixed buckets ({@link #BUCKETS}),
 * no percentiles. Per-route meters are made once per route and looked up by its name; meters of
 * one status class or error kind are made when first used, so a route that never fails has no error series.
 */
public final class DataplaneMetrics implements RequestStats, ConfigListener, EndpointListener {

  /** Route tag of requests that matched no route. */
  public static final String NO_ROUTE = "none";

  private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
  private static final UpstreamError[] ERROR_KINDS = UpstreamError.values();

  /** The buckets of every duration histogram: 1ms to 10s. */
  static final Duration[] BUCKETS = {
    Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10)
  };

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();
  private final LongAdder requestsTotal = new LongAdder();
  private final AtomicLong activeConnections = new AtomicLong();
  private final AtomicLong snapshotVersion = new AtomicLong();
  private final Counter applies;
  private final Counter nacks;
  private final Timer applyDuration;
  private final AtomicInteger draining = new AtomicInteger();
  private final Counter httpConnections;
  private final Counter httpsConnections;
  private final Counter handshakesOk;
  private final Counter handshakesFailed;
  private final Counter accessLogDropped;
  private final Map<String, Timer> connectTimes = new ConcurrentHashMap<>();
  private final Map<String, Counter> ejections = new ConcurrentHashMap<>();
  private final Map<String, Counter[]> healthChecks = new ConcurrentHashMap<>();
  /** The applied config's endpoint states by cluster, read by the gauges. */
  private volatile Map<String, ClusterEndpoints> endpointStates = Map.of();
  private final Map<String, Meter[]> clusterGauges = new ConcurrentHashMap<>();

  public DataplaneMetrics() {
    Gauge.builder("weir.dataplane.connections.active", activeConnections, AtomicLong::get)
        .description("Open downstream connections")
        .register(registry);
    Gauge.builder("weir.dataplane.snapshot.version", snapshotVersion, AtomicLong::get)
        .description("Version of the applied snapshot (0: none)")
        .register(registry);
    applies = Counter.builder("weir.dataplane.snapshot.applies").description("Snapshots applied").register(registry);
    nacks = Counter.builder("weir.dataplane.snapshot.nacks").description("Snapshots rejected").register(registry);
    applyDuration = histogram("weir.dataplane.snapshot.apply.duration", "Time to validate, compile and swap in a snapshot (applied or rejected)").register(registry);
    Gauge.builder("weir.dataplane.draining", draining, AtomicInteger::get)
        .description("1 while the dataplane drains (stops taking new connections before it exits), else 0")
        .register(registry);
    httpConnections = connectionsCounter("http");
    httpsConnections = connectionsCounter("https");
    handshakesOk = handshakes("success");
    handshakesFailed = handshakes("failure");
    accessLogDropped =
        Counter.builder("weir.dataplane.access.log.dropped")
            .description("Access log lines dropped because the writer's queue was full")
            .register(registry);
  }

  private Counter connectionsCounter(String listener) {
    return Counter.builder("weir.dataplane.connections")
        .description("Downstream connections accepted, by listener")
        .tag("listener", listener)
        .register(registry);
  }

  private Counter handshakes(String result) {
    return Counter.builder("weir.dataplane.tls.handshakes")
        .description("Downstream TLS handshakes, by result")
        .tag("result", result)
        .register(registry);
  }

  private static Timer.Builder histogram(String name, String description) {
    return Timer.builder(name).description(description).serviceLevelObjectives(BUCKETS).publishPercentileHistogram(false);
  }

  /** Requests counted for one route, and its Prometheus counters by status class. */
  private final class RouteMeters {
    final String route;
    final LongAdder total = new LongAdder();
    final Counter[] byClass = new Counter[STATUS_CLASSES.length];
    final AtomicReferenceArray<Timer> durationByClass = new AtomicReferenceArray<>(STATUS_CLASSES.length);
    final AtomicReferenceArray<Counter> errorsByKind = new AtomicReferenceArray<>(ERROR_KINDS.length);
    final AtomicReferenceArray<Counter> cacheByResult = new AtomicReferenceArray<>(CACHE_RESULTS.size());
    final Counter requestBytes;
    final Counter responseBytes;

    RouteMeters(String route) {
      this.route = route;
      requestBytes =
          Counter.builder("weir.dataplane.request.bytes").description("Request body bytes received from clients, by route").tag("route", route).register(registry);
      responseBytes =
          Counter.builder("weir.dataplane.response.bytes").description("Response body bytes sent to clients, by route").tag("route", route).register(registry);
      for (int i = 0; i < STATUS_CLASSES.length; i++) {
        byClass[i] =
            Counter.builder("weir.dataplane.requests")
                .description("Responses sent downstream, by route and status class")
                .tag("route", route)
                .tag("status_class", STATUS_CLASSES[i])
                .register(registry);
      }
    }

    Timer duration(int cls) {
      Timer t = durationByClass.get(cls);
      if (t == null) {
        // Registering twice (two loops racing) gives the same timer: the registry keys meters by id.
        t = histogram("weir.dataplane.request.duration", "From request head received to response written, by route and status class")
            .tag("route", route)
            .tag("status_class", STATUS_CLASSES[cls])
            .register(registry);
        durationByClass.set(cls, t);
      }
      return t;
    }

    /** The route's {@code weir_dataplane_cache_requests_total} counter for {@code result}, made on first use. */
    Counter cache(String result) {
      int i = CACHE_RESULTS.indexOf(result);
      if (i < 0) {
        throw new IllegalArgumentException("unknown cache result " + result);
      }
      Counter c = cacheByResult.get(i);
      if (c == null) {
        c = Counter.builder("weir.dataplane.cache.requests")
            .description("Requests to routes with a cache, by what the cache did")
            .tag("route", route)
            .tag("result", result)
            .register(registry);
        cacheByResult.set(i, c);
      }
      return c;
    }

    Counter errors(UpstreamError kind) {
      Counter c = errorsByKind.get(kind.ordinal());
      if (c == null) {
        c = Counter.builder("weir.dataplane.upstream.errors")
            .description("Requests that failed on the upstream side, by route and cause")
            .tag("route", route)
            .tag("kind", kind.tag())
            .register(registry);
        errorsByKind.set(kind.ordinal(), c);
      }
      return c;
    }
  }

  private RouteMeters route(String name) {
    String key = name == null ? NO_ROUTE : name;
    RouteMeters m = routes.get(key); // a plain get first: computeIfAbsent locks a bin on some JDKs
    return m != null ? m : routes.computeIfAbsent(key, RouteMeters::new);
  }

  @Override
  public void connectionOpened() {
    activeConnections.incrementAndGet();
  }

  @Override
  public void connectionClosed() {
    activeConnections.decrementAndGet();
  }

  @Override
  public void requestCompleted(String route, int status) {
    requestsTotal.increment();
    RouteMeters m = route(route);
    if (route != null) {
      m.total.increment();
    }
    int cls = status / 100 - 1;
    if (cls >= 0 && cls < STATUS_CLASSES.length) {
      m.byClass[cls].increment();
    }
  }

  @Override
  public void requestFinished(RequestRecord r) {
    RouteMeters m = route(r.route());
    if (r.bytesReceived() > 0) {
      m.requestBytes.increment(r.bytesReceived());
    }
    if (r.bytesSent() > 0) {
      m.responseBytes.increment(r.bytesSent());
    }
    int cls = r.status() / 100 - 1;
    if (r.responded() && cls >= 0 && cls < STATUS_CLASSES.length) {
      m.duration(cls).record(r.durationNanos(), TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void upstreamError(String route, UpstreamError kind) {
    route(route).errors(kind).increment();
  }

  @Override
  public void upstreamConnected(String cluster, long nanos) {
    Timer t = connectTimes.get(cluster);
    if (t == null) {
      t = connectTimes.computeIfAbsent(
          cluster,
          c -> histogram("weir.dataplane.upstream.connect.duration", "Setup of new upstream connections (TCP connect, TLS handshake), by cluster")
              .tag("cluster", c)
              .register(registry));
    }
    t.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void tlsHandshake(boolean success) {
    (success ? handshakesOk : handshakesFailed).increment();
  }

  @Override
  public void connectionAccepted(String listener) {
    ("https".equals(listener) ? httpsConnections : httpConnections).increment();
  }

  /** Sets {@code weir_dataplane_draining}: 1 from the start of a drain. */
  public void draining(boolean on) {
    draining.set(on ? 1 : 0);
  }

  /** One access log line dropped (the writer's queue was full). */
  public void accessLogDropped() {
    accessLogDropped.increment();
  }

  @Override
  public void applyTook(long nanos) {
    applyDuration.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void applied(RuntimeConfig config, ApplyResult.Applied result) {
    snapshotVersion.set(config.version());
    applies.increment();
    Map<String, ClusterEndpoints> states = new TreeMap<>();
    for (UpstreamCluster c : config.clusters().values()) {
      states.put(c.name(), c.endpointsState());
    }
    endpointStates = states;
    clusterGauges.keySet().removeIf(name -> {
      if (states.containsKey(name)) {
        return false;
      }
      for (Meter m : clusterGauges.get(name)) {
        registry.remove(m);
      }
      return true;
    });
    for (String name : states.keySet()) {
      clusterGauges.computeIfAbsent(name, this::clusterGauges);
    }
  }

  private Meter[] clusterGauges(String cluster) {
    return new Meter[] {
      Gauge.builder("weir.dataplane.upstream.ejected", () -> {
            ClusterEndpoints c = endpointStates.get(cluster);
            return c == null ? 0 : c.ejectedCount();
          })
          .description("Endpoints ejected now by passive outlier detection, by cluster")
          .tag("cluster", cluster)
          .register(registry),
      Gauge.builder("weir.dataplane.upstream.unhealthy", () -> {
            ClusterEndpoints c = endpointStates.get(cluster);
            return c == null ? 0 : c.unhealthyCount();
          })
          .description("Endpoints failing their active health check now, by cluster")
          .tag("cluster", cluster)
          .register(registry)
    };
  }

  @Override
  public void ejected(String cluster, InetSocketAddress endpoint) {
    Counter c = ejections.get(cluster);
    if (c == null) {
      c = ejections.computeIfAbsent(cluster, name -> Counter.builder("weir.dataplane.upstream.ejections")
          .description("Endpoints ejected by passive outlier detection, by cluster")
          .tag("cluster", name)
          .register(registry));
    }
    c.increment();
  }

  @Override
  public void healthChecked(String cluster, InetSocketAddress endpoint, boolean success) {
    Counter[] c = healthChecks.get(cluster);
    if (c == null) {
      c = healthChecks.computeIfAbsent(cluster, name -> new Counter[] {healthCounter(name, "success"), healthCounter(name, "failure")});
    }
    c[success ? 0 : 1].increment();
  }

  private Counter healthCounter(String cluster, String result) {
    return Counter.builder("weir.dataplane.upstream.health.checks")
        .description("Active health checks, by cluster and result")
        .tag("cluster", cluster)
        .tag("result", result)
        .register(registry);
  }

  @Override
  public void rejected(ApplyResult.Rejected result) {
    nacks.increment();
  }

  public long activeConnections() {
    return activeConnections.get();
  }

  public long requestsTotal() {
    return requestsTotal.sum();
  }

  /** Requests per route name since start (routes that matched; requests without a route are only in the total). */
  public Map<String, Long> routeRequests() {
    Map<String, Long> out = new TreeMap<>();
    routes.forEach((name, m) -> {
      long n = m.total.sum();
      if (n > 0) {
        out.put(name, n);
      }
    });
    return out;
  }

  // ---- Retries, retry budgets, circuit breakers, mirroring (lb-proxy) ----
  // Kept together in one block. Tag values are bounded: routes and clusters come from the snapshot,
  // reasons are the RetryPolicy conditions, kinds the three breakers, results ok/failed/skipped.

  private final Map<String, Counter> resilienceCounters = new ConcurrentHashMap<>();

  private Counter resilienceCounter(String name, String description, String tag1, String value1, String tag2, String value2) {
    String key = name + '\0' + value1 + '\0' + value2;
    Counter c = resilienceCounters.get(key); // a plain get first, as for the route meters
    if (c == null) {
      c = resilienceCounters.computeIfAbsent(key, k -> {
        Counter.Builder b = Counter.builder(name).description(description).tag(tag1, value1);
        return (tag2 == null ? b : b.tag(tag2, value2)).register(registry);
      });
    }
    return c;
  }

  /** {@code weir_dataplane_upstream_retries_total{route,reason}}. */
  @Override
  public void upstreamRetry(String route, String reason) {
    resilienceCounter("weir.dataplane.upstream.retries", "Upstream attempts retried, by route and retry condition", "route", route, "reason", reason)
        .increment();
  }

  /** {@code weir_dataplane_retry_budget_exhausted_total{cluster}}. */
  @Override
  public void retryBudgetExhausted(String cluster) {
    resilienceCounter("weir.dataplane.retry.budget.exhausted", "Retries not made because the cluster's retry budget was used up", "cluster",
        cluster, null, null).increment();
  }

  /** {@code weir_dataplane_circuit_breaker_trips_total{cluster,kind}}. */
  @Override
  public void circuitBreakerTrip(String cluster, String kind) {
    resilienceCounter("weir.dataplane.circuit.breaker.trips", "Requests refused with 503 by a cluster's circuit breaker", "cluster", cluster,
        "kind", kind).increment();
  }

  /** {@code weir_dataplane_mirror_requests_total{cluster,result}}. */
  @Override
  public void mirrorRequest(String cluster, String result) {
    resilienceCounter("weir.dataplane.mirror.requests", "Mirrored request copies, by mirror cluster and result (ok, failed, skipped)", "cluster",
        cluster, "result", result).increment();
  }

  /** {@code weir_dataplane_compressed_responses_total{encoding}}. */
  @Override
  public void responseCompressed(String encoding) {
    resilienceCounter("weir.dataplane.compressed.responses", "Responses sent compressed, by content coding", "encoding", encoding,
        null, null).increment();
  }

  /** What {@link #cacheResult} counts. */
  static final List<String> CACHE_RESULTS = List.of("hit", "miss", "stale", "revalidated", "collapsed", "bypass");

  /** {@code weir_dataplane_cache_requests_total{route,result}}: kept with the route's meters, one lookup per request (hits are hot). */
  @Override
  public void cacheResult(String route, String result) {
    route(route).cache(result).increment();
  }

  /**
   * Gauges and counters read from the replica's cache: {@code weir_dataplane_cache_bytes},
   * {@code weir_dataplane_cache_entries}, {@code weir_dataplane_cache_max_bytes},
   * {@code weir_dataplane_cache_evictions_total}, {@code weir_dataplane_cache_collapsed_total}.
   */
  public void bindCache(ResponseCache storage, LongSupplier collapsed) {
    Gauge.builder("weir.dataplane.cache.bytes", storage, s -> s.weightedBytes()).description("Bytes held by the response cache")
        .baseUnit("bytes").register(registry);
    Gauge.builder("weir.dataplane.cache.entries", storage, s -> s.entries()).description("Responses held by the response cache")
        .register(registry);
    Gauge.builder("weir.dataplane.cache.max.bytes", storage, s -> s.maxBytes()).description("The response cache's bound (--cache-size)")
        .baseUnit("bytes").register(registry);
    FunctionCounter.builder("weir.dataplane.cache.evictions", storage, s -> s.evictions())
        .description("Responses evicted from the cache to stay within its bound").register(registry);
    FunctionCounter.builder("weir.dataplane.cache.collapsed", collapsed, c -> c.getAsLong())
        .description("Cache misses that waited for another request's upstream fetch instead of making their own").register(registry);
  }

  // ---- end of the lb-proxy block ----

  /** Prometheus text exposition format. */
  public String scrape() {
    return registry.scrape();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }
}
