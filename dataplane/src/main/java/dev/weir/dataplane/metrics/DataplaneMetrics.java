package dev.weir.dataplane.metrics;

import dev.weir.dataplane.config.ApplyResult;
import dev.weir.dataplane.config.ConfigListener;
import dev.weir.dataplane.config.RuntimeConfig;
import dev.weir.dataplane.proxy.RequestStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The dataplane's counters: Prometheus meters for {@code /metrics}, and the per-route totals that
 * go into control-channel reports. One instance per dataplane (no global registry), safe to call
 * from every event loop.
 *
 * <p>Meters: {@code weir_dataplane_requests_total{route,status_class}},
 * {@code weir_dataplane_connections_active}, {@code weir_dataplane_snapshot_version},
 * {@code weir_dataplane_snapshot_applies_total}, {@code weir_dataplane_snapshot_nacks_total}.
 */
public final class DataplaneMetrics implements RequestStats, ConfigListener {

  /** Route tag of requests that matched no route. */
  public static final String NO_ROUTE = "none";

  private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();
  private final LongAdder requestsTotal = new LongAdder();
  private final AtomicLong activeConnections = new AtomicLong();
  private final AtomicLong snapshotVersion = new AtomicLong();
  private final Counter applies;
  private final Counter nacks;

  public DataplaneMetrics() {
    Gauge.builder("weir.dataplane.connections.active", activeConnections, AtomicLong::get)
        .description("Open downstream connections")
        .register(registry);
    Gauge.builder("weir.dataplane.snapshot.version", snapshotVersion, AtomicLong::get)
        .description("Version of the applied snapshot (0: none)")
        .register(registry);
    applies = Counter.builder("weir.dataplane.snapshot.applies").description("Snapshots applied").register(registry);
    nacks = Counter.builder("weir.dataplane.snapshot.nacks").description("Snapshots rejected").register(registry);
  }

  /** Requests counted for one route, and its Prometheus counters by status class. */
  private final class RouteMeters {
    final LongAdder total = new LongAdder();
    final Counter[] byClass = new Counter[STATUS_CLASSES.length];

    RouteMeters(String route) {
      for (int i = 0; i < STATUS_CLASSES.length; i++) {
        byClass[i] =
            Counter.builder("weir.dataplane.requests")
                .description("Responses sent downstream, by route and status class")
                .tag("route", route)
                .tag("status_class", STATUS_CLASSES[i])
                .register(registry);
      }
    }
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
    RouteMeters m = routes.computeIfAbsent(route == null ? NO_ROUTE : route, RouteMeters::new);
    if (route != null) {
      m.total.increment();
    }
    int cls = status / 100 - 1;
    if (cls >= 0 && cls < STATUS_CLASSES.length) {
      m.byClass[cls].increment();
    }
  }

  @Override
  public void applied(RuntimeConfig config, ApplyResult.Applied result) {
    snapshotVersion.set(config.version());
    applies.increment();
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

  /** Prometheus text exposition format. */
  public String scrape() {
    return registry.scrape();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }
}
