package dev.weir.e2e.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.e2e.WeirSystem;
import dev.weir.local.ReplicaProcess;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Production operations under steady load, with every component a real process: two controller
 * processes behind a Service-like relay (one holds the Lease), dataplane processes behind a
 * readiness-following endpoint list, keep-alive clients sending bounded loopback traffic. The
 * dataplanes scale 2 to 4 and back to 2 with SIGTERM (drain), then the leading controller is
 * SIGKILLed; not one request may fail, the follower must take over and write status, and the
 * metrics endpoints must move with the traffic.
 */
class ScalingAndFailoverE2ETest {
  static final String HOST = "steady.example.com";
  static final Duration LEASE = Duration.ofSeconds(4);
  /** Covers the 100 ms readiness probe of {@link ReadyEndpoints} many times over, as 15s covers kubelet + endpoints. */
  static final String SHUTDOWN_DELAY = "1s";

  WeirSystem system;
  ServiceRelay controlService;
  ReadyEndpoints endpoints;
  final Map<String, ControllerProcess> controllers = new LinkedHashMap<>();
  final Map<String, ReplicaProcess> replicas = new LinkedHashMap<>();
  final Map<String, ReadyEndpoints.Replica> addresses = new LinkedHashMap<>();

  @BeforeEach
  void start() throws Exception {
    system = WeirSystem.start(0);
    system.stopController(); // this test runs its controllers as processes
    endpoints = new ReadyEndpoints(100);
  }

  @AfterEach
  void stop() throws Exception {
    if (endpoints != null) endpoints.close();
    replicas.values().forEach(ReplicaProcess::close);
    controllers.values().forEach(ControllerProcess::close);
    if (controlService != null) controlService.close();
    system.close();
  }

  private ControllerProcess controller(String id) throws Exception {
    ControllerProcess c = ControllerProcess.start(id, system.kubeconfigForProcesses(), List.of(
        "--bind", "127.0.0.1", "--control-port", "0", "--admin-port", "0",
        "--watch-namespaces", system.namespace(), "--status-address", "127.0.0.1",
        "--ca-dir", system.caDir().toString(),
        "--leader-election", "--lease-namespace", system.namespace(), "--lease-name", "weir-controller",
        "--identity", id, "--lease-duration", LEASE.toSeconds() + "s"));
    controllers.put(id, c);
    c.awaitReady(60_000);
    return c;
  }

  private ReadyEndpoints.Replica dataplane(String id) throws Exception {
    Path state = system.stateRoot().resolve(id);
    Files.createDirectories(state);
    ReplicaProcess p = ReplicaProcess.start(id, List.of(
        "--bind", "127.0.0.1", "--http-port", "0", "--admin-port", "0", "--io-threads", "1",
        "--controller", "127.0.0.1:" + controlService.port(),
        "--control-tls-dir", system.caDir().resolve("dataplane").toString(),
        "--replica-id", id, "--state-dir", state.toString(),
        "--shutdown-delay", SHUTDOWN_DELAY, "--drain-timeout", "10s",
        "--access-log", state.resolve("access.log").toString()));
    replicas.put(id, p);
    int[] ports = p.awaitReady(60_000);
    ReadyEndpoints.Replica r = new ReadyEndpoints.Replica(id, ports[0], ports[2]);
    addresses.put(id, r);
    endpoints.add(r);
    return r;
  }

  private String leaseHolder() {
    Lease lease = system.client().leases().inNamespace(system.namespace()).withName("weir-controller").get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  /** SIGTERM as the kubelet sends it after a scale-down; returns how long the replica took to drain and exit. */
  private Duration scaleDown(String id) throws Exception {
    long start = System.nanoTime();
    ReplicaProcess p = replicas.get(id);
    p.terminate();
    OptionalInt exit = p.awaitExit(20_000);
    assertTrue(exit.isPresent(), id + " exits within shutdown delay + drain timeout");
    endpoints.remove(addresses.get(id)); // the pod object is gone
    return Duration.ofNanos(System.nanoTime() - start);
  }

  @Test
  void scaleUpAndDownWithSigtermAndLoseTheLeaderWithoutOneFailedRequest() throws Exception {
    ControllerProcess a = controller("controller-a");
    Await.until("controller-a holds the Lease", Duration.ofSeconds(20), () -> "controller-a".equals(leaseHolder()));
    ControllerProcess b = controller("controller-b");
    List<IntSupplier> members = new CopyOnWriteArrayList<>(List.of(a::controlPort, b::controlPort));
    controlService = new ServiceRelay(members);

    system.backend("steady");
    system.apply(system.route("steady", HOST, "/", "steady"));
    dataplane("dp-1");
    dataplane("dp-2");
    Await.until("two ready endpoints", Duration.ofSeconds(30), () -> endpoints.ready().size() == 2);

    try (SteadyLoad load = new SteadyLoad(4, 4, HOST, "steady", endpoints::ready)) {
      Await.until("traffic flows", Duration.ofSeconds(10), () -> load.ok() > 200);
      long dp1Before = scrape(addresses.get("dp-1").adminPort(), REQUESTS_2XX);

      // Scale up 2 -> 4: new replicas get traffic once ready (snapshot applied), not before.
      dataplane("dp-3");
      dataplane("dp-4");
      Await.until("four ready endpoints", Duration.ofSeconds(30), () -> endpoints.ready().size() == 4);
      Await.until("the new replicas serve", Duration.ofSeconds(10), () -> load.okOn("dp-3") > 50 && load.okOn("dp-4") > 50);
      assertTrue(scrape(addresses.get("dp-1").adminPort(), REQUESTS_2XX) > dp1Before, "request metrics move with traffic");

      // Scale down 4 -> 2 with SIGTERM, one after the other as the HPA does. A slow request that is in flight on a
      // kept-alive connection when dp-1 stops accepting still completes, and says Connection: close.
      HttpTestClient kept = HttpTestClient.connect(addresses.get("dp-1").trafficPort());
      kept.setReadTimeoutMillis(10_000);
      assertEquals(200, kept.get(HOST, "/warm").status());
      CompletableFuture<HttpTestClient.Response> slow = CompletableFuture.supplyAsync(() -> kept.get(HOST, "/delay/2500"));
      Thread.sleep(200);
      Duration d1 = scaleDown("dp-1");
      HttpTestClient.Response inFlight = slow.get(10, TimeUnit.SECONDS);
      kept.close();
      assertTrue(WeirSystem.fromBackend("steady").test(inFlight), "the in-flight request completes: " + inFlight.status());
      assertEquals("close", inFlight.header("connection"), "and ends its connection");
      Duration d2 = scaleDown("dp-2");
      System.out.println("scale-down drains took " + d1.toMillis() + " ms and " + d2.toMillis() + " ms");
      long afterScaleDown = load.ok();
      Await.until("traffic goes on on two replicas", Duration.ofSeconds(10), () -> load.ok() > afterScaleDown + 200);

      // The leader dies (SIGKILL: no Lease release, sockets reset). The follower takes over within the lease time.
      long killed = System.nanoTime();
      a.kill();
      members.remove(0); // and the Service drops the dead pod's endpoint
      Await.until("controller-b holds the Lease", LEASE.multipliedBy(4), () -> "controller-b".equals(leaseHolder()));
      long takeover = Duration.ofNanos(System.nanoTime() - killed).toMillis();
      System.out.println("controller-b took over " + takeover + " ms after controller-a was killed");
      // The Lease can only be taken once it expired: at most one lease duration after the last renewal (which
      // was before the kill), plus the follower's retry period (2/15 of it) and API round trips.
      assertTrue(takeover <= LEASE.toMillis() + 2_000, "takeover within the lease time: " + takeover + " ms");

      // The new leader serves the dataplanes and writes status: a new route reaches both replicas and is Programmed.
      system.backend("after-failover");
      system.apply(system.route("after-failover", "after.example.com", "/", "after-failover"));
      for (String id : List.of("dp-3", "dp-4")) {
        int port = addresses.get(id).trafficPort();
        Await.until(id + " routes the new route", Duration.ofSeconds(30),
            () -> WeirSystem.fromBackend("after-failover").test(HttpTestClient.get(port, "after.example.com", "/")));
      }
      Await.until("the new leader wrote Programmed=True for 2/2 replicas", Duration.ofSeconds(30),
          () -> system.condition("after-failover", "Programmed")
              .map(c -> c.getStatus().equals("True") && c.getMessage().startsWith("2/2")).orElse(false));
      String leaderMetrics = scrapeText(b.adminPort());
      assertTrue(leaderMetrics.contains("weir_controller_leader 1.0"), leaderMetrics);
      assertTrue(value(leaderMetrics, CONNECTED) == 2, "the new leader counts both replicas: " + leaderMetrics);

      long beforeEnd = load.ok();
      Await.until("traffic still flows", Duration.ofSeconds(10), () -> load.ok() > beforeEnd + 100);
      load.close();
      System.out.printf("steady load: %d ok, %d retried on a closed keep-alive connection, %d Connection: close, "
          + "per replica %s%n", load.ok(), load.retried(), load.serverCloses(),
          List.of("dp-1", "dp-2", "dp-3", "dp-4").stream().map(id -> id + "=" + load.okOn(id)).toList());
      assertEquals(List.of(), load.failures(), "not one failed request");
      for (String id : List.of("dp-1", "dp-2", "dp-3", "dp-4")) {
        assertTrue(load.okOn(id) > 0, id + " served traffic");
      }
      // Each replica's access log has a line per request it served; the drained ones wrote theirs before exiting.
      for (String id : List.of("dp-1", "dp-2")) {
        long lines = Files.readAllLines(system.stateRoot().resolve(id).resolve("access.log")).stream()
            .filter(l -> l.contains("\"host\":\"" + HOST + "\"") && l.contains("\"path\":\"/steady/")).count();
        assertEquals(load.okOn(id), lines, id + ": one access log line per request served");
      }
    }
  }

  static final Pattern REQUESTS_2XX = Pattern.compile("weir_dataplane_requests_total\\{route=\"[^\"]*steady[^\"]*\",status_class=\"2xx\"\\} ([0-9.eE+]+)");
  static final Pattern CONNECTED = Pattern.compile("weir_controller_connected_replicas ([0-9.eE+]+)");

  static String scrapeText(int adminPort) {
    return HttpTestClient.get(adminPort, "admin", "/metrics").text();
  }

  static long scrape(int adminPort, Pattern series) {
    return value(scrapeText(adminPort), series);
  }

  static long value(String text, Pattern series) {
    Matcher m = series.matcher(text);
    long sum = 0;
    while (m.find()) sum += (long) Double.parseDouble(m.group(1));
    return sum;
  }
}
