package dev.weir.dataplane.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.proxy.RequestRecord;
import dev.weir.dataplane.proxy.UpstreamError;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The meters as Prometheus sees them: names, tags, and that values move. No timing is asserted. */
class DataplaneMetricsTest {

  private final DataplaneMetrics metrics = new DataplaneMetrics();

  private static RequestRecord record(String route, int status, long received, long sent, long millis) {
    RequestRecord r = new RequestRecord();
    r.begin(0, "GET", "/x", "HTTP/1.1", "192.0.2.1");
    r.route(route);
    r.upstream(new InetSocketAddress("127.0.0.1", 80));
    if (status != 0) {
      r.status(status);
    }
    r.addReceived(received);
    r.addSent(sent);
    r.end(TimeUnit.MILLISECONDS.toNanos(millis));
    return r;
  }

  @Test
  void requestDurationIsAHistogramWithFixedBucketsByRouteAndStatusClass() {
    metrics.requestFinished(record("web", 200, 0, 10, 3));
    metrics.requestFinished(record("web", 200, 0, 10, 40));
    metrics.requestFinished(record(null, 404, 0, 5, 1));
    String text = metrics.scrape();
    assertTrue(text.contains("weir_dataplane_request_duration_seconds_count{route=\"web\",status_class=\"2xx\"} 2"), text);
    assertTrue(text.contains("weir_dataplane_request_duration_seconds_bucket{route=\"web\",status_class=\"2xx\",le=\"0.005\"} 1"), text);
    assertTrue(text.contains("weir_dataplane_request_duration_seconds_bucket{route=\"web\",status_class=\"2xx\",le=\"0.05\"} 2"), text);
    assertTrue(text.contains("weir_dataplane_request_duration_seconds_count{route=\"none\",status_class=\"4xx\"} 1"), text);
    // 13 buckets plus +Inf per series, nothing else: no percentile histogram.
    long buckets = text.lines().filter(l -> l.startsWith("weir_dataplane_request_duration_seconds_bucket{route=\"web\"")).count();
    assertEquals(14, buckets, text);
    assertFalse(text.contains("weir_dataplane_request_duration_seconds_count{route=\"web\",status_class=\"5xx\"}"), "a status class is timed once it is used");
  }

  @Test
  void aRequestWithoutResponseCountsBytesButNoDuration() {
    metrics.requestFinished(record("web", 0, 100, 0, 5));
    String text = metrics.scrape();
    assertTrue(text.contains("weir_dataplane_request_bytes_total{route=\"web\"} 100.0"), text);
    assertFalse(text.contains("weir_dataplane_request_duration_seconds_count"), text);
  }

  @Test
  void bodyBytesByRoute() {
    metrics.requestFinished(record("web", 200, 7, 1000, 1));
    metrics.requestFinished(record("web", 201, 3, 24, 1));
    String text = metrics.scrape();
    assertTrue(text.contains("weir_dataplane_request_bytes_total{route=\"web\"} 10.0"), text);
    assertTrue(text.contains("weir_dataplane_response_bytes_total{route=\"web\"} 1024.0"), text);
  }

  @Test
  void upstreamErrorsByRouteAndKind() {
    metrics.upstreamError("web", UpstreamError.CONNECT_FAILED);
    metrics.upstreamError("web", UpstreamError.CONNECT_FAILED);
    metrics.upstreamError("api", UpstreamError.NO_ENDPOINTS);
    String text = metrics.scrape();
    assertTrue(text.contains("weir_dataplane_upstream_errors_total{kind=\"connect_failed\",route=\"web\"} 2.0"), text);
    assertTrue(text.contains("weir_dataplane_upstream_errors_total{kind=\"no_endpoints\",route=\"api\"} 1.0"), text);
  }

  @Test
  void connectionsTlsHandshakesConnectTimes() {
    metrics.connectionAccepted("http");
    metrics.connectionAccepted("https");
    metrics.connectionAccepted("https");
    metrics.tlsHandshake(true);
    metrics.tlsHandshake(false);
    metrics.upstreamConnected("backend", TimeUnit.MILLISECONDS.toNanos(2));
    String text = metrics.scrape();
    assertTrue(text.contains("weir_dataplane_connections_total{listener=\"http\"} 1.0"), text);
    assertTrue(text.contains("weir_dataplane_connections_total{listener=\"https\"} 2.0"), text);
    assertTrue(text.contains("weir_dataplane_tls_handshakes_total{result=\"success\"} 1.0"), text);
    assertTrue(text.contains("weir_dataplane_tls_handshakes_total{result=\"failure\"} 1.0"), text);
    assertTrue(text.contains("weir_dataplane_upstream_connect_duration_seconds_bucket{cluster=\"backend\",le=\"0.0025\"} 1"), text);
  }

  @Test
  void snapshotApplyDurationDrainingAndDroppedLines() {
    assertTrue(metrics.scrape().contains("weir_dataplane_draining 0.0"));
    metrics.applyTook(TimeUnit.MILLISECONDS.toNanos(20));
    metrics.draining(true);
    metrics.accessLogDropped();
    String text = metrics.scrape();
    assertTrue(text.contains("weir_dataplane_snapshot_apply_duration_seconds_count 1"), text);
    assertTrue(text.contains("weir_dataplane_draining 1.0"), text);
    assertTrue(text.contains("weir_dataplane_access_log_dropped_total 1.0"), text);
  }

  @Test
  void routeTotalsForReportsStayAsTheyWere() {
    metrics.requestCompleted("web", 200);
    metrics.requestCompleted(null, 404);
    metrics.requestFinished(record("web", 200, 0, 0, 1));
    assertEquals(Map.of("web", 1L), metrics.routeRequests());
    assertEquals(2, metrics.requestsTotal());
  }

  @org.junit.jupiter.api.Test
  void upstreamEjectionAndHealthMeters() {
    DataplaneMetrics m = new DataplaneMetrics();
    dev.weir.dataplane.config.ConfigHolder holder = new dev.weir.dataplane.config.ConfigHolder();
    holder.addListener(m);
    dev.weir.snapshot.ClusterResilience r = new dev.weir.snapshot.ClusterResilience(1, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, null);
    holder.apply(new dev.weir.snapshot.Snapshot(1, "", java.util.List.of(), java.util.List.of(new dev.weir.snapshot.Cluster("web",
        java.util.List.of(new dev.weir.snapshot.Endpoint("10.0.0.1", 80), new dev.weir.snapshot.Endpoint("10.0.0.2", 80)),
        null, null, r)), java.util.List.of()));
    dev.weir.dataplane.balance.ClusterEndpoints c = holder.current().cluster("web").endpointsState();
    c.started(c.endpoints().get(0));
    c.finished(c.endpoints().get(0), dev.weir.dataplane.balance.Outcome.HTTP_5XX);
    m.healthChecked("web", c.endpoints().get(1).address(), false);
    String text = m.scrape();
    assertTrue(text.contains("weir_dataplane_upstream_ejections_total{cluster=\"web\"} 1.0"), text);
    assertTrue(text.contains("weir_dataplane_upstream_ejected{cluster=\"web\"} 1.0"), text);
    assertTrue(text.contains("weir_dataplane_upstream_unhealthy{cluster=\"web\"} 0.0"), text);
    assertTrue(text.contains("weir_dataplane_upstream_health_checks_total{cluster=\"web\",result=\"failure\"} 1.0"), text);
    holder.apply(new dev.weir.snapshot.Snapshot(2, "", java.util.List.of(), java.util.List.of(), java.util.List.of()));
    assertTrue(!m.scrape().contains("weir_dataplane_upstream_ejected{"), "the gauges go with their cluster");
    holder.close();
  }

  /** The series the dashboard and deploy/'s PromQL list (crds' PromQl.WEIR_SERIES) name, as a scrape shows them. */
  @org.junit.jupiter.api.Test
  void retryBreakerAndMirrorSeries() {
    DataplaneMetrics m = new DataplaneMetrics();
    m.upstreamRetry("web-route", "5xx");
    m.retryBudgetExhausted("web");
    m.circuitBreakerTrip("web", "max-requests");
    m.mirrorRequest("shadow", "ok");
    String text = m.scrape();
    assertTrue(text.contains("weir_dataplane_upstream_retries_total{reason=\"5xx\",route=\"web-route\"} 1.0"), text);
    assertTrue(text.contains("weir_dataplane_retry_budget_exhausted_total{cluster=\"web\"} 1.0"), text);
    assertTrue(text.contains("weir_dataplane_circuit_breaker_trips_total{cluster=\"web\",kind=\"max-requests\"} 1.0"), text);
    assertTrue(text.contains("weir_dataplane_mirror_requests_total{cluster=\"shadow\",result=\"ok\"} 1.0"), text);
  }
}
