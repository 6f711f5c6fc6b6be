package dev.weir.dataplane.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.FaultyBackend;
import dev.weir.dataplane.testing.FaultyBackend.Mode;
import dev.weir.dataplane.upstream.HttpHealthProbe;
import dev.weir.snapshot.ClusterResilience;
import dev.weir.snapshot.ClusterResilience.HealthCheck;
import dev.weir.snapshot.UpstreamProtocol;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduling of active health checks: thresholds, state across snapshots, checks on the given
 * event loops, and what stops them. Over real sockets to a real backend ({@link HttpHealthProbeTest}
 * covers what one check sends and how it judges the answer, TLS included).
 */
class HealthCheckerTest {

  private static final HealthCheck CHECK = new HealthCheck("/healthz", "svc.local", 20, 500, 2, 1);
  private static final ClusterResilience CHECKED = new ClusterResilience(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, CHECK);
  private static final HealthChecker.Probe PLAIN_HTTP = new HttpHealthProbe(UpstreamProtocol.HTTP1, null);

  private EventLoopGroup loops;
  private FaultyBackend backend;
  private final AtomicInteger passed = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final Set<String> reportingThreads = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void start() {
    loops = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("checks"), NioIoHandler.newFactory());
    backend = FaultyBackend.start("b", Mode.OK);
  }

  @AfterEach
  void stop() {
    backend.close();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void thresholdsTakeOutAndBringBack() {
    EndpointState e = new EndpointState(new InetSocketAddress("10.0.0.1", 80));
    assertFalse(e.checked(false, 3, 2));
    assertFalse(e.checked(false, 3, 2));
    assertTrue(e.healthy());
    assertTrue(e.checked(false, 3, 2));
    assertFalse(e.healthy());
    assertFalse(e.available(0));
    assertFalse(e.checked(true, 3, 2));
    assertFalse(e.checked(false, 3, 2)); // a failure resets the passes
    assertFalse(e.checked(true, 3, 2));
    assertTrue(e.checked(true, 3, 2));
    assertTrue(e.available(0));
  }

  @Test
  void anEndpointThatStartsFailingIsTakenOutKeepsItsStateAcrossSnapshotsAndIsHealthyWhenNoLongerChecked() {
    InetSocketAddress address = address(backend);
    ClusterRegistry registry = registry();
    try {
      ClusterEndpoints c = registry.endpoints("web", List.of(address), CHECKED, PLAIN_HTTP);
      registry.commit(List.of(c));
      Await.until("two passed checks", () -> passed.get() >= 2);
      EndpointState e = c.endpoints().get(0);
      assertTrue(e.healthy());
      assertTrue(backend.hosts().contains("svc.local"), "the check's Host: " + backend.hosts());

      backend.mode(Mode.ALWAYS_503);
      Await.until("unhealthy", () -> !e.healthy());
      assertEquals(1, c.unhealthyCount());
      assertTrue(failed.get() >= 2, "two failures in a row: " + failed.get());

      // The next snapshot, same check: the same endpoint state, still out, still checked.
      ClusterEndpoints again = registry.endpoints("web", List.of(address), CHECKED, PLAIN_HTTP);
      registry.commit(List.of(again));
      assertSame(e, again.endpoints().get(0));
      assertFalse(e.healthy(), "a new snapshot does not forget the health");
      int checks = backend.requests();
      Await.until("checked on", () -> backend.requests() >= checks + 2);

      backend.mode(Mode.OK);
      Await.until("healthy again after one pass", e::healthy);

      backend.mode(Mode.ALWAYS_503);
      Await.until("unhealthy again", () -> !e.healthy());
      registry.commit(List.of(registry.endpoints("web", List.of(address), ClusterResilience.DEFAULT, PLAIN_HTTP)));
      assertTrue(e.healthy(), "its cluster is not checked any more: healthy again");
    } finally {
      registry.close();
    }
    assertTrue(reportingThreads.stream().allMatch(t -> t.startsWith("checks-")), "checks ran on the given event loops: " + reportingThreads);
  }

  @Test
  void closingStopsTheChecks() throws Exception {
    ClusterRegistry registry = registry();
    registry.commit(List.of(registry.endpoints("web", List.of(address(backend)), CHECKED, PLAIN_HTTP)));
    Await.until("checked", () -> passed.get() >= 1);
    registry.close();
    int after = backend.requests();
    Thread.sleep(10 * CHECK.interval()); // ten intervals: a running checker would have sent ten more
    assertTrue(backend.requests() <= after + 1, "at most the check in flight at close: " + (backend.requests() - after));
  }

  @Test
  void aClusterWithoutProbeOrWithoutCheckIsNotChecked() {
    HealthChecker[] made = new HealthChecker[1];
    ClusterRegistry counting = new ClusterRegistry(System::nanoTime, () -> made[0] = new HealthChecker(loops, NioSocketChannel.class));
    try {
      counting.commit(List.of(counting.endpoints("a", List.of(address(backend)), CHECKED),
          counting.endpoints("b", List.of(address(backend)), ClusterResilience.DEFAULT, PLAIN_HTTP)));
      assertNull(made[0], "nothing to check: no checker is even made");
      counting.commit(List.of(counting.endpoints("c", List.of(address(backend)), CHECKED, PLAIN_HTTP)));
      assertEquals(1, made[0].checking());
    } finally {
      counting.close();
    }
  }

  private ClusterRegistry registry() {
    ClusterRegistry registry = new ClusterRegistry(System::nanoTime, () -> new HealthChecker(loops, NioSocketChannel.class));
    registry.addListener(new EndpointListener() {
      @Override
      public void healthChecked(String cluster, InetSocketAddress endpoint, boolean success) {
        reportingThreads.add(Thread.currentThread().getName());
        (success ? passed : failed).incrementAndGet();
      }
    });
    return registry;
  }

  private static InetSocketAddress address(FaultyBackend b) {
    return new InetSocketAddress("127.0.0.1", b.endpoint().port());
  }
}
