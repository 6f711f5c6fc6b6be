package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.config.ConfigHolder;
import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.HttpTestClient.Response;
import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.dataplane.testing.TestCertificates;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.SnapshotJson;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start, admin endpoints, persistence, static mode and graceful close of a whole Dataplane. */
class DataplaneLifecycleTest {

  static EchoBackend backend;

  @BeforeAll
  static void startBackend() {
    backend = EchoBackend.start("life");
  }

  @AfterAll
  static void stopBackend() {
    backend.close();
  }

  static Snapshot snapshot(long version) {
    return new SnapshotBuilder(version)
        .certificate(TestCertificates.certificate("shop", "web/shop"))
        .cluster("c", backend.endpoint())
        .host("life.test", "web/shop").prefix("life", "/", "c")
        .build();
  }

  static int unusedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void adminEndpoints() throws Exception {
    try (Dataplane dp = Dataplane.start(DataplaneOptions.ephemeral().build())) {
      int admin = dp.adminPort();
      assertEquals(200, HttpTestClient.get(admin, "x", "/healthz").status());
      Response notReady = HttpTestClient.get(admin, "x", "/readyz");
      assertEquals(503, notReady.status());
      assertEquals(404, HttpTestClient.get(admin, "x", "/snapshot").status());
      assertFalse(dp.config().isReady());

      assertTrue(dp.config().apply(snapshot(42)).accepted());
      assertEquals(200, HttpTestClient.get(admin, "x", "/readyz").status());
      assertEquals(200, HttpTestClient.get(dp.httpPort(), "life.test", "/").status());
      assertEquals(404, HttpTestClient.get(dp.httpPort(), "nope.test", "/").status());

      String metrics = HttpTestClient.get(admin, "x", "/metrics").text();
      assertTrue(metrics.contains("weir_dataplane_requests_total{route=\"life\",status_class=\"2xx\"} 1.0"), metrics);
      assertTrue(metrics.contains("weir_dataplane_requests_total{route=\"none\",status_class=\"4xx\"} 1.0"), metrics);
      assertTrue(metrics.contains("weir_dataplane_snapshot_version 42.0"), metrics);
      assertTrue(metrics.contains("weir_dataplane_snapshot_applies_total 1.0"), metrics);
      assertTrue(metrics.contains("weir_dataplane_snapshot_nacks_total 0.0"), metrics);
      assertTrue(metrics.contains("weir_dataplane_connections_active"), metrics);

      Response snap = HttpTestClient.get(admin, "x", "/snapshot");
      assertEquals(200, snap.status());
      assertEquals("application/json", snap.header("content-type"));
      Snapshot shown = SnapshotJson.readSnapshot(snap.body());
      assertEquals(42, shown.version());
      assertEquals("web/shop", shown.certificates().get(0).name());
      assertFalse(snap.text().contains("PRIVATE KEY"));
      assertFalse(snap.text().contains("BEGIN CERTIFICATE"));
      assertEquals(404, HttpTestClient.get(admin, "x", "/nothing").status());
    }
  }

  @Test
  void servesThePersistedSnapshotBeforeAnyControllerAnswers(@TempDir Path state) throws Exception {
    int controllerPort = unusedPort(); // nothing listens: the controller is down
    DataplaneOptions options = DataplaneOptions.ephemeral().stateDir(state).controller("127.0.0.1", controllerPort).build();
    try (Dataplane first = Dataplane.start(options)) {
      assertTrue(first.config().apply(snapshot(7)).accepted());
    }
    assertTrue(Files.exists(state.resolve(ConfigHolder.SNAPSHOT_FILE)));
    try (Dataplane restarted = Dataplane.start(options)) {
      assertTrue(restarted.config().isReady(), "ready from the persisted snapshot");
      assertEquals(7, restarted.config().appliedVersion());
      assertFalse(restarted.isControllerConnected());
      assertEquals(200, HttpTestClient.get(restarted.adminPort(), "x", "/readyz").status());
      assertEquals("life", HttpTestClient.get(restarted.httpPort(), "life.test", "/").echo("backend"));
    }
  }

  @Test
  void staticModeServesASnapshotFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("snapshot.json");
    SnapshotJson.writeSnapshot(snapshot(3), file);
    try (Dataplane dp = Dataplane.start(DataplaneOptions.ephemeral().staticSnapshot(file).build())) {
      assertTrue(dp.config().isReady());
      assertEquals(3, dp.config().appliedVersion());
      assertEquals(200, HttpTestClient.get(dp.httpPort(), "life.test", "/").status());
      assertFalse(dp.isControllerConnected());
    }
  }

  @Test
  void staticModeRefusesAnInvalidSnapshotFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.json");
    Snapshot bad = new SnapshotBuilder(1).host("x.test").prefix("r", "/", "missing").build();
    SnapshotJson.writeSnapshot(bad, file);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Dataplane.start(DataplaneOptions.ephemeral().staticSnapshot(file).build()));
    assertTrue(e.getMessage().contains("refers to unknown cluster missing"), e.getMessage());
  }

  @Test
  void aBusyPortIsAClearError() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      IOException e =
          assertThrows(IOException.class, () -> Dataplane.start(DataplaneOptions.ephemeral().httpPort(taken.getLocalPort()).build()));
      assertTrue(e.getMessage().startsWith("cannot bind proxy listener to"), e.getMessage());
    }
  }

  @Test
  void aFailedStartReleasesWhatItBound() throws Exception {
    int http = unusedPort();
    try (ServerSocket adminTaken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      IOException e = assertThrows(
          IOException.class, () -> Dataplane.start(DataplaneOptions.ephemeral().httpPort(http).adminPort(adminTaken.getLocalPort()).build()));
      assertTrue(e.getMessage().startsWith("cannot bind admin listener"), e.getMessage());
    }
    try (ServerSocket again = new ServerSocket(http, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      assertEquals(http, again.getLocalPort(), "the HTTP port is free again");
    }
  }

  @Test
  void twoReplicasShareOnePortWithReusePort() throws Exception {
    int port = unusedPort();
    DataplaneOptions options = DataplaneOptions.ephemeral().httpPort(port).reusePort(true).build();
    try (Dataplane one = Dataplane.start(options);
        Dataplane two = Dataplane.start(options)) {
      one.config().apply(snapshot(1));
      two.config().apply(snapshot(1));
      assertEquals(port, one.httpPort());
      assertEquals(port, two.httpPort());
      for (int i = 0; i < 4; i++) {
        assertEquals(200, HttpTestClient.get(port, "life.test", "/").status());
      }
    }
  }

  @Test
  void closeDrainsInFlightRequestsAndStopsAccepting() throws Exception {
    Dataplane dp = Dataplane.start(DataplaneOptions.ephemeral().build());
    dp.config().apply(snapshot(1));
    HttpTestClient idle = HttpTestClient.connect(dp.httpPort());
    assertEquals(200, idle.get("life.test", "/warm").status());
    int before = backend.requests();
    CompletableFuture<Response> slow = CompletableFuture.supplyAsync(() -> {
      try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
        return c.get("life.test", "/delay/400");
      }
    });
    while (backend.requests() == before) {
      Thread.sleep(5);
    }
    long start = System.nanoTime();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> dp.close(Duration.ofSeconds(5)));
    while (!dp.isDraining()) {
      Thread.sleep(1);
    }
    Response r = slow.get(5, TimeUnit.SECONDS);
    assertEquals(200, r.status(), "the in-flight request finishes");
    assertEquals("close", r.header("connection"), "and tells the client the connection ends");
    assertTrue(idle.awaitClosedByServer(), "an idle keep-alive connection is closed");
    idle.close();
    closing.get(5, TimeUnit.SECONDS);
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 4_000, "close did not wait for the deadline");
    assertThrows(Exception.class, () -> HttpTestClient.get(dp.httpPort(), "life.test", "/"));
  }

  @Test
  void theShutdownDelayFailsReadinessButKeepsServingNewAndKeptConnections() throws Exception {
    Dataplane dp = Dataplane.start(DataplaneOptions.ephemeral().shutdownDelay(Duration.ofMillis(800)).build());
    dp.config().apply(snapshot(1));
    HttpTestClient kept = HttpTestClient.connect(dp.httpPort());
    assertEquals(200, kept.get("life.test", "/before").status());
    assertEquals(200, HttpTestClient.get(dp.adminPort(), "admin", "/readyz").status());

    long start = System.nanoTime();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> dp.close(Duration.ofSeconds(5)));
    Await.until("draining", Duration.ofSeconds(2), dp::isDraining);
    assertEquals(503, HttpTestClient.get(dp.adminPort(), "admin", "/readyz").status(), "readiness fails at once");
    Response inDelay = kept.get("life.test", "/during");
    assertEquals(200, inDelay.status(), "a kept-alive connection is served during the delay");
    assertNull(inDelay.header("connection"), "and not told to close yet");
    assertEquals(200, HttpTestClient.get(dp.httpPort(), "life.test", "/new").status(), "new connections are still accepted");

    closing.get(5, TimeUnit.SECONDS);
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) >= 800, "listeners stayed open for the delay");
    assertTrue(kept.awaitClosedByServer(), "the idle kept-alive connection is closed after the delay");
    kept.close();
    assertThrows(Exception.class, () -> HttpTestClient.get(dp.httpPort(), "life.test", "/"));
  }

  @Test
  void drainOnTheAdminPortStartsTheDelayThatCloseThenOnlyFinishes() throws Exception {
    Dataplane dp = Dataplane.start(DataplaneOptions.ephemeral().shutdownDelay(Duration.ofMillis(600)).build());
    dp.config().apply(snapshot(1));
    long start = System.nanoTime();
    // What the preStop hook does: GET /drain returns when the delay is over, then the kubelet sends SIGTERM.
    Response drained = HttpTestClient.get(dp.adminPort(), "admin", "/drain");
    long hook = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(200, drained.status());
    assertTrue(hook >= 600, "the hook waited for the delay: " + hook + " ms");
    assertTrue(dp.isDraining());
    assertEquals(200, HttpTestClient.get(dp.httpPort(), "life.test", "/still").status(), "still serving until SIGTERM");
    long closeStart = System.nanoTime();
    dp.close(Duration.ofSeconds(5));
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStart) < 500, "the delay is not served twice");
  }
}
