package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weir.dataplane.accesslog.AccessLogTarget;
import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.H2TestClient;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.dataplane.testing.TestCertificates;
import dev.weir.snapshot.Endpoint;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metrics and access log on real sockets: traffic of every kind (200s over HTTP/1.1, h2c and TLS, a
 * 404 without a route, a 502 from a dead upstream port), then {@code /metrics} scraped over HTTP from
 * the admin port and the access log file read back.
 */
class ObservabilityTest {

  @TempDir static Path dir;
  static EchoBackend backend;
  static Dataplane dp;
  static Path logFile;
  static int deadPort;
  static final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    backend = EchoBackend.start("obs-backend");
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort(); // nothing listens there once closed
    }
    logFile = dir.resolve("access.log");
    dp = Dataplane.start(DataplaneOptions.ephemeral().httpsPort(0).accessLog(AccessLogTarget.file(logFile)).build());
    assertTrue(
        dp.config()
            .apply(
                new SnapshotBuilder(1)
                    .certificate(TestCertificates.certificate("default", "web/default"))
                    .cluster("c", backend.endpoint())
                    .cluster("dead", new Endpoint("127.0.0.1", deadPort))
                    .host("app.test", "web/default").prefix("app", "/", "c")
                    .host("dead.test").prefix("dead", "/", "dead")
                    .build())
            .accepted());
    sendTraffic();
  }

  @AfterAll
  static void stop() {
    if (dp != null) {
      dp.close(Duration.ofSeconds(2));
    }
    backend.close();
  }

  static final byte[] UPLOAD = "twelve bytes".getBytes(StandardCharsets.US_ASCII);
  static String h1RequestId;
  static String h2RequestId;
  /** Requests sent, each of which must have one access log line. */
  static int requests;

  static void sendTraffic() {
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      for (int i = 0; i < 2; i++) {
        assertEquals(200, c.get("app.test", "/ok?i=" + i).status());
      }
      HttpTestClient.Response r =
          c.request("POST", "app.test", "/upload?q=\"x\"", Map.of("User-Agent", "obs-test \"quoted\"", "X-Request-Id", "client-id-1"), UPLOAD);
      assertEquals(200, r.status());
      h1RequestId = r.echoedHeader("x-request-id");
      assertEquals(404, c.get("nomatch.test", "/missing").status());
    }
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      assertEquals(502, c.get("dead.test", "/").status());
    }
    try (HttpTestClient c = HttpTestClient.connectTls(dp.httpsPort(), "app.test")) {
      assertEquals(200, c.get("app.test", "/tls").status());
    }
    try (H2TestClient h2 = H2TestClient.connect(dp.httpPort())) {
      H2TestClient.Response r = h2.get("app.test", "/h2");
      assertEquals(200, r.status());
      h2RequestId = r.text().lines().filter(l -> l.startsWith("header x-request-id: ")).map(l -> l.substring(21)).findFirst().orElse(null);
    }
    requests = 7;
  }

  static String scrape() throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r =
        client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.adminPort() + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }

  /** The value of one series, e.g. {@code weir_dataplane_connections_total{listener="http"}}; fails when absent. */
  static double value(String text, String series) {
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    throw new AssertionError("no series " + series + " in\n" + text);
  }

  @Test
  void metricsMovedForEveryKindOfTraffic() throws Exception {
    String m = scrape();
    // 200s: 2 GETs and a POST over HTTP/1.1, one over TLS, one over h2c.
    assertEquals(5, value(m, "weir_dataplane_request_duration_seconds_count{route=\"app\",status_class=\"2xx\"}"), m);
    assertEquals(5, value(m, "weir_dataplane_request_duration_seconds_bucket{route=\"app\",status_class=\"2xx\",le=\"+Inf\"}"), m);
    assertTrue(value(m, "weir_dataplane_request_duration_seconds_sum{route=\"app\",status_class=\"2xx\"}") > 0, m);
    assertEquals(1, value(m, "weir_dataplane_request_duration_seconds_count{route=\"none\",status_class=\"4xx\"}"), m);
    assertEquals(1, value(m, "weir_dataplane_request_duration_seconds_count{route=\"dead\",status_class=\"5xx\"}"), m);
    assertEquals(1, value(m, "weir_dataplane_requests_total{route=\"none\",status_class=\"4xx\"}"), m);
    assertEquals(UPLOAD.length, value(m, "weir_dataplane_request_bytes_total{route=\"app\"}"), m);
    assertTrue(value(m, "weir_dataplane_response_bytes_total{route=\"app\"}") > 100, m);
    assertTrue(value(m, "weir_dataplane_response_bytes_total{route=\"none\"}") > 0, "the 404's body");
    assertEquals(1, value(m, "weir_dataplane_upstream_errors_total{kind=\"connect_failed\",route=\"dead\"}"), m);
    assertTrue(value(m, "weir_dataplane_upstream_connect_duration_seconds_count{cluster=\"c\"}") >= 1, m);
    assertTrue(value(m, "weir_dataplane_upstream_connect_duration_seconds_bucket{cluster=\"c\",le=\"10.0\"}") >= 1, m);
    assertEquals(3, value(m, "weir_dataplane_connections_total{listener=\"http\"}"), m);
    assertEquals(1, value(m, "weir_dataplane_connections_total{listener=\"https\"}"), m);
    assertEquals(1, value(m, "weir_dataplane_tls_handshakes_total{result=\"success\"}"), m);
    assertEquals(0, value(m, "weir_dataplane_tls_handshakes_total{result=\"failure\"}"), m);
    assertTrue(value(m, "weir_dataplane_snapshot_apply_duration_seconds_count") >= 1, m);
    assertEquals(0, value(m, "weir_dataplane_draining"), m);
    assertEquals(0, value(m, "weir_dataplane_access_log_dropped_total"), m);
  }

  static List<JsonNode> logLines() {
    List<JsonNode> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(logFile, StandardCharsets.UTF_8)) {
        out.add(json.readTree(line));
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out;
  }

  static JsonNode line(List<JsonNode> lines, String path) {
    return lines.stream().filter(l -> l.get("path").asText().equals(path)).findFirst().orElseThrow(() -> new AssertionError("no line for " + path + ": " + lines));
  }

  @Test
  void oneJsonLinePerRequestWithItsFields() {
    Await.until("access log lines", Duration.ofSeconds(10), () -> logLines().size() >= requests);
    List<JsonNode> lines = logLines();
    assertEquals(requests, lines.size(), lines.toString());

    JsonNode post = line(lines, "/upload?q=\"x\"");
    assertEquals("POST", post.get("method").asText());
    assertEquals("HTTP/1.1", post.get("protocol").asText());
    assertEquals("app.test", post.get("host").asText());
    assertEquals("127.0.0.1", post.get("client").asText());
    assertEquals(200, post.get("status").asInt());
    assertEquals(UPLOAD.length, post.get("bytes_received").asLong());
    assertTrue(post.get("bytes_sent").asLong() > 0);
    assertEquals("app", post.get("route").asText());
    assertEquals("127.0.0.1:" + backend.port(), post.get("upstream").asText());
    assertEquals("obs-test \"quoted\"", post.get("user_agent").asText());
    assertEquals("client-id-1", post.get("request_id").asText(), "the client's id is kept");
    assertEquals("client-id-1", h1RequestId);
    assertTrue(post.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), post.toString());
    assertTrue(post.get("duration_ms").isNumber() && post.get("duration_ms").asDouble() > 0, post.toString());
    // Three decimals as written (a JSON parser drops trailing zeros, so look at the text).
    try {
      for (String raw : Files.readAllLines(logFile, StandardCharsets.UTF_8)) {
        assertTrue(raw.matches(".*\"duration_ms\":\\d+\\.\\d{3},.*"), raw);
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }

    JsonNode h2 = line(lines, "/h2");
    assertEquals("HTTP/2.0", h2.get("protocol").asText());
    assertEquals(200, h2.get("status").asInt());
    assertEquals("app", h2.get("route").asText());
    assertNotNull(h2RequestId);
    assertEquals(h2RequestId, h2.get("request_id").asText(), "the id the proxy made is the one sent upstream");

    JsonNode notFound = line(lines, "/missing");
    assertEquals(404, notFound.get("status").asInt());
    assertTrue(notFound.get("route").isNull());
    assertTrue(notFound.get("upstream").isNull());
    assertEquals(32, notFound.get("request_id").asText().length(), "an id even for what never went upstream");

    JsonNode dead = line(lines, "/");
    assertEquals(502, dead.get("status").asInt());
    assertEquals("dead", dead.get("route").asText());
    assertEquals("127.0.0.1:" + deadPort, dead.get("upstream").asText());

    assertEquals("HTTP/1.1", line(lines, "/tls").get("protocol").asText());
  }
}
