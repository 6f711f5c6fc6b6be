package dev.weir.dataplane.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.config.ConfigHolder;
import dev.weir.dataplane.metrics.DataplaneMetrics;
import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.dataplane.testing.TestCertificates;
import dev.weir.snapshot.Endpoint;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdminHandlerTest {

  private final ConfigHolder config = new ConfigHolder();
  private final DataplaneMetrics metrics = new DataplaneMetrics();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final AtomicInteger drainsBegun = new AtomicInteger();
  private final ShutdownDelay drain = new ShutdownDelay(Duration.ofMillis(300), timer, drainsBegun::incrementAndGet);
  private final EmbeddedChannel ch = new EmbeddedChannel(new AdminHandler(config, metrics, drain));

  @AfterEach
  void tearDown() {
    timer.shutdownNow();
    assertFalse(ch.finishAndReleaseAll());
  }

  private String[] get(HttpMethod method, String uri) {
    ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
    FullHttpResponse r = ch.readOutbound();
    try {
      return new String[] {Integer.toString(r.status().code()), r.content().toString(StandardCharsets.UTF_8), r.headers().get("content-type")};
    } finally {
      r.release();
    }
  }

  @Test
  void healthAndReadiness() {
    assertEquals("200", get(HttpMethod.GET, "/healthz")[0]);
    assertEquals("503", get(HttpMethod.GET, "/readyz")[0]);
    config.apply(new SnapshotBuilder(2).cluster("c", new Endpoint("10.0.0.1", 1)).host("a").prefix("r", "/", "c").build());
    String[] ready = get(HttpMethod.GET, "/readyz?verbose");
    assertEquals("200", ready[0]);
    assertEquals("ready: snapshot version 2\n", ready[1]);
    drain.begin();
    String[] draining = get(HttpMethod.GET, "/readyz");
    assertEquals("503", draining[0]);
    assertEquals("draining\n", draining[1]);
  }

  @Test
  void drainFailsReadinessAtOnceAndAnswersWhenTheShutdownDelayIsOver() throws Exception {
    config.apply(new SnapshotBuilder(2).cluster("c", new Endpoint("10.0.0.1", 1)).host("a").prefix("r", "/", "c").build());
    long start = System.nanoTime();
    ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/drain"));
    assertNull(ch.readOutbound(), "no answer before the delay is over");
    assertEquals("503", get(HttpMethod.GET, "/readyz")[0], "readiness failed at once");
    assertEquals("200", get(HttpMethod.GET, "/healthz")[0], "still live");
    FullHttpResponse done = null;
    while (done == null && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) {
      Thread.sleep(10);
      ch.runPendingTasks();
      done = ch.readOutbound();
    }
    try {
      assertNotNull(done, "answered after the delay");
      assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300), "not before the delay");
      assertEquals(200, done.status().code());
    } finally {
      if (done != null) done.release();
    }
    // A second /drain (a retried hook) neither restarts the delay nor begins a second drain.
    ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/drain"));
    ch.runPendingTasks();
    FullHttpResponse again = ch.readOutbound();
    assertNotNull(again);
    again.release();
    assertEquals(1, drainsBegun.get());
    assertEquals("405", get(HttpMethod.PUT, "/drain")[0]);
  }

  @Test
  void metricsInPrometheusText() {
    metrics.requestCompleted("r", 201);
    String[] m = get(HttpMethod.GET, "/metrics");
    assertEquals("200", m[0]);
    assertTrue(m[2].startsWith("text/plain; version=0.0.4"));
    assertTrue(m[1].contains("weir_dataplane_requests_total{route=\"r\",status_class=\"2xx\"} 1.0"), m[1]);
  }

  @Test
  void snapshotWithoutKeyMaterial() {
    assertEquals("404", get(HttpMethod.GET, "/snapshot")[0]);
    config.apply(
        new SnapshotBuilder(3).certificate(TestCertificates.certificate("shop", "web/shop")).host("shop.example.com", "web/shop").build());
    String[] s = get(HttpMethod.GET, "/snapshot");
    assertEquals("200", s[0]);
    assertTrue(s[1].contains("\"name\" : \"web/shop\""), s[1]);
    assertFalse(s[1].contains("PRIVATE KEY"));
    assertFalse(s[1].contains("CERTIFICATE"));
  }

  @Test
  void onlyGetAndHead() {
    assertEquals("405", get(HttpMethod.POST, "/healthz")[0]);
    String[] head = get(HttpMethod.HEAD, "/healthz");
    assertEquals("200", head[0]);
    assertEquals("", head[1]);
    assertEquals("404", get(HttpMethod.GET, "/other")[0]);
  }
}
