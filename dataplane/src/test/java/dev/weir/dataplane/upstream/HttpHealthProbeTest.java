package dev.weir.dataplane.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.balance.ClusterRegistry;
import dev.weir.dataplane.balance.EndpointListener;
import dev.weir.dataplane.balance.EndpointState;
import dev.weir.dataplane.balance.HealthChecker;
import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.FaultyBackend;
import dev.weir.dataplane.testing.FaultyBackend.Mode;
import dev.weir.dataplane.testing.H2EchoBackend;
import dev.weir.dataplane.testing.RecordingBackend;
import dev.weir.dataplane.testing.TestPki;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.ClusterResilience;
import dev.weir.snapshot.ClusterResilience.HealthCheck;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.UpstreamProtocol;
import dev.weir.snapshot.UpstreamTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One health check as the proxy speaks to a cluster, against real backends on 127.0.0.1: what it
 * sends, how it judges the answer, TLS with the cluster's own context (and a certificate that does not
 * match), HTTP/2 prior knowledge for H2C clusters, and the ways an endpoint fails (an error status, no
 * answer, a closed port); and whole clusters checked through {@link ClusterRegistry}, as the dataplane
 * wires them ({@link UpstreamCluster#of(Cluster, UpstreamTlsContext, ClusterRegistry, java.util.Collection)}).
 */
class HttpHealthProbeTest {

  private static final TestPki.Ca CA = TestPki.ca("backend CA");
  private static final TestPki.Ca OTHER_CA = TestPki.ca("some other CA");
  private static final EventLoopGroup LOOPS = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("probe"), NioIoHandler.newFactory());
  private static final Bootstrap TEMPLATE = new Bootstrap().channel(NioSocketChannel.class);
  private static final HealthCheck CHECK = new HealthCheck("/healthz", "svc.local", 20, 500, 2, 2);
  private static final HttpHealthProbe PLAIN = new HttpHealthProbe(UpstreamProtocol.HTTP1, null);

  private final List<AutoCloseable> closeAfter = new ArrayList<>();
  private final ConcurrentHashMap<Boolean, AtomicInteger> results = new ConcurrentHashMap<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeAfter) {
      c.close();
    }
  }

  @AfterAll
  static void stopLoops() {
    LOOPS.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void sendsWhatTheBlockingProbeSentAndClosesTheConnection() {
    RecordingBackend backend = closing(RecordingBackend.start());
    assertTrue(check(PLAIN, backend.endpoint(), CHECK).isSuccess());
    assertEquals("GET /healthz HTTP/1.1\r\nHost: svc.local\r\nUser-Agent: weir-health-check\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        backend.raw());
    Await.until("the check's connection is closed", () -> backend.openConnections() == 0);

    HealthCheck noHost = new HealthCheck("/ready?full=1", null, 0, 500, 0, 0);
    assertTrue(check(PLAIN, backend.endpoint(), noHost).isSuccess());
    assertEquals("127.0.0.1:" + backend.endpoint().port(), backend.requests().get(1).header("host"), "no host: the endpoint's address");
    assertEquals("/ready?full=1", backend.requests().get(1).target());
    assertEquals(2, backend.connectionsAccepted(), "a connection per check");
    assertEquals("[::1]:80", HttpHealthProbe.hostHeader(new InetSocketAddress("::1", 80)));
  }

  @Test
  void twoHundredsAndThreeHundredsPassTheRestFail() {
    EchoBackend backend = closing(EchoBackend.start("status"));
    for (int status : new int[] {200, 204, 301, 399}) {
      assertTrue(check(PLAIN, backend.endpoint(), path("/status/" + status)).isSuccess(), "status " + status);
    }
    for (int status : new int[] {400, 404, 500, 503}) {
      Future<Void> f = check(PLAIN, backend.endpoint(), path("/status/" + status));
      assertFalse(f.isSuccess(), "status " + status);
      assertEquals("status " + status, f.cause().getMessage());
    }
  }

  @Test
  void aPlainBackendThatStartsFailingIsTakenOutAndComesBack() {
    FaultyBackend backend = closing(FaultyBackend.start("plain", Mode.OK));
    ClusterRegistry registry = registry();
    EndpointState e = commit(registry, cluster("plain", UpstreamProtocol.HTTP1, null, backend.endpoint()));
    Await.until("two passes", () -> passes() >= 2);
    assertTrue(e.healthy());
    backend.mode(Mode.ALWAYS_503);
    Await.until("taken out", () -> !e.healthy());
    backend.mode(Mode.OK);
    Await.until("back after two passes", e::healthy);
    assertTrue(backend.hosts().stream().allMatch("svc.local"::equals), backend.hosts().toString());
  }

  @Test
  void aTlsBackendIsCheckedOverTlsWithTheClustersCaAndServerName() {
    EchoBackend backend = closing(EchoBackend.startTls("tls", TestPki.server(CA, "api.test")));
    ClusterRegistry registry = registry();
    EndpointState e = commit(registry, cluster("tls", UpstreamProtocol.HTTP1, new UpstreamTls("api.test", CA.certificatePem(), true),
        backend.endpoint()));
    Await.until("two passes", () -> passes() >= 2);
    assertTrue(e.healthy());
    assertEquals(0, failures());
    assertTrue(backend.tlsConnections() >= 2, "over TLS: " + backend.tlsConnections());
    assertTrue(backend.serverNames().stream().allMatch("api.test"::equals), "SNI is the cluster's server name: " + backend.serverNames());
    assertTrue(backend.applicationProtocols().stream().allMatch("http/1.1"::equals), backend.applicationProtocols().toString());
  }

  @Test
  void aTlsBackendWhoseCertificateDoesNotMatchIsUnhealthy() {
    EchoBackend wrongName = closing(EchoBackend.startTls("wrong-name", TestPki.server(CA, "other.test")));
    EchoBackend wrongCa = closing(EchoBackend.startTls("wrong-ca", TestPki.server(OTHER_CA, "api.test")));
    UpstreamTls tls = new UpstreamTls("api.test", CA.certificatePem(), true);
    ClusterRegistry registry = registry();
    List<EndpointState> states = commitAll(registry, cluster("mismatch", UpstreamProtocol.HTTP1, tls, wrongName.endpoint(), wrongCa.endpoint()));
    Await.until("both taken out", () -> states.stream().noneMatch(EndpointState::healthy));
    assertEquals(0, wrongName.requests() + wrongCa.requests(), "nothing is asked over a connection that did not verify");

    HttpHealthProbe probe = new HttpHealthProbe(UpstreamProtocol.HTTP1, UpstreamTlsContext.build(new UpstreamTlsContext.Key(tls, UpstreamProtocol.HTTP1)));
    for (EchoBackend b : List.of(wrongName, wrongCa)) {
      Future<Void> f = check(probe, b.endpoint(), CHECK);
      assertFalse(f.isSuccess(), b.name());
      assertTrue(f.cause() instanceof SSLException || f.cause().getCause() instanceof SSLException, b.name() + ": " + f.cause());
    }
    // The same backends with verification off, as the proxy would speak to them then.
    HttpHealthProbe unverified =
        new HttpHealthProbe(UpstreamProtocol.HTTP1, UpstreamTlsContext.build(new UpstreamTlsContext.Key(new UpstreamTls("api.test", null, false),
            UpstreamProtocol.HTTP1)));
    assertTrue(check(unverified, wrongCa.endpoint(), CHECK).isSuccess());
  }

  @Test
  void aBackendThatAcceptsButNeverAnswersFailsAtTheTimeout() throws Exception {
    FaultyBackend hangs = closing(FaultyBackend.start("hangs", Mode.HANG));
    HealthCheck check = new HealthCheck("/healthz", null, 0, 300, 0, 0);
    long start = System.nanoTime();
    Future<Void> f = check(PLAIN, hangs.endpoint(), check);
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertFalse(f.isSuccess());
    assertEquals("no answer within 300 ms", f.cause().getMessage());
    assertTrue(tookMillis >= 250, "not before the timeout: " + tookMillis + " ms");
    assertEquals(1, hangs.requests(), "it got the request");

    // TLS to a port whose connections are accepted by the kernel and never read: the handshake never ends.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      UpstreamTls tls = new UpstreamTls("api.test", CA.certificatePem(), true);
      HttpHealthProbe probe = new HttpHealthProbe(UpstreamProtocol.HTTP1, UpstreamTlsContext.build(new UpstreamTlsContext.Key(tls, UpstreamProtocol.HTTP1)));
      assertFalse(check(probe, new Endpoint("127.0.0.1", silent.getLocalPort()), check).isSuccess());

      ClusterRegistry registry = registry();
      EndpointState e = commit(registry, new Cluster("silent", List.of(new Endpoint("127.0.0.1", silent.getLocalPort())), UpstreamProtocol.HTTP1, null,
          resilience(new HealthCheck("/healthz", null, 20, 100, 2, 2))));
      Await.until("taken out", () -> !e.healthy());
    }
  }

  @Test
  void aClosedPortFails() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Future<Void> f = check(PLAIN, new Endpoint("127.0.0.1", port), CHECK);
    assertFalse(f.isSuccess());
    assertInstanceOf(ConnectException.class, f.cause());
    ClusterRegistry registry = registry();
    EndpointState e = commit(registry, cluster("closed", UpstreamProtocol.HTTP1, null, new Endpoint("127.0.0.1", port)));
    Await.until("taken out", () -> !e.healthy());
  }

  @Test
  void anH2cClusterIsCheckedOverHttp2WithPriorKnowledge() {
    H2EchoBackend h2c = closing(H2EchoBackend.start("h2c"));
    HttpHealthProbe probe = new HttpHealthProbe(UpstreamProtocol.H2C, null);
    assertTrue(check(probe, h2c.endpoint(), CHECK).isSuccess());
    assertEquals(1, h2c.streams());
    assertFalse(check(PLAIN, h2c.endpoint(), CHECK).isSuccess(), "HTTP/1.1 would fail a healthy h2c-only backend");

    ClusterRegistry registry = registry();
    EndpointState e = commit(registry, cluster("h2c", UpstreamProtocol.H2C, null, h2c.endpoint()));
    Await.until("two passes", () -> passes() >= 2);
    assertTrue(e.healthy());
    assertEquals(0, failures());
  }

  @Test
  void anH2ClusterOverTlsIsCheckedWithAlpnH2() {
    H2EchoBackend h2 = closing(H2EchoBackend.startTls("h2", TestPki.server(CA, "grpc.test")));
    ClusterRegistry registry = registry();
    EndpointState e = commit(registry, cluster("h2", UpstreamProtocol.H2C, new UpstreamTls("grpc.test", CA.certificatePem(), true), h2.endpoint()));
    Await.until("two passes", () -> passes() >= 2);
    assertTrue(e.healthy());
    assertEquals(0, failures());
    assertTrue(h2.applicationProtocols().stream().allMatch("h2"::equals) && !h2.applicationProtocols().isEmpty(), h2.applicationProtocols().toString());
    assertTrue(h2.serverNames().contains("grpc.test"), h2.serverNames().toString());
  }

  private static HealthCheck path(String path) {
    return new HealthCheck(path, null, 0, 1_000, 0, 0);
  }

  private static ClusterResilience resilience(HealthCheck check) {
    return new ClusterResilience(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, check);
  }

  private static Cluster cluster(String name, UpstreamProtocol protocol, UpstreamTls tls, Endpoint... endpoints) {
    return new Cluster(name, List.of(endpoints), protocol, tls, resilience(CHECK));
  }

  /** One check, waited for (a test thread may block; the check itself never does). */
  private static Future<Void> check(HttpHealthProbe probe, Endpoint endpoint, HealthCheck check) {
    Future<Void> f = probe.check(LOOPS.next(), TEMPLATE, new InetSocketAddress(endpoint.address(), endpoint.port()), check);
    assertTrue(f.awaitUninterruptibly(10, TimeUnit.SECONDS), "a check ends by its timeout");
    return f;
  }

  private ClusterRegistry registry() {
    ClusterRegistry registry = new ClusterRegistry(System::nanoTime, () -> new HealthChecker(LOOPS, NioSocketChannel.class));
    registry.addListener(new EndpointListener() {
      @Override
      public void healthChecked(String cluster, InetSocketAddress endpoint, boolean success) {
        results.computeIfAbsent(success, k -> new AtomicInteger()).incrementAndGet();
      }
    });
    closeAfter.add(0, registry); // before the backends: no check sees them go
    return registry;
  }

  /** Commits {@code cluster} as the dataplane compiles it (its TLS context built as the validator does); its first endpoint. */
  private static EndpointState commit(ClusterRegistry registry, Cluster cluster) {
    return commitAll(registry, cluster).get(0);
  }

  private static List<EndpointState> commitAll(ClusterRegistry registry, Cluster cluster) {
    UpstreamTlsContext tls = cluster.tls() == null ? null : UpstreamTlsContext.build(new UpstreamTlsContext.Key(cluster.tls(), cluster.protocol()));
    UpstreamCluster c = UpstreamCluster.of(cluster, tls, registry, List.of());
    registry.commit(List.of(c.endpointsState()));
    return c.endpointsState().endpoints();
  }

  private int passes() {
    return results.getOrDefault(true, new AtomicInteger()).get();
  }

  private int failures() {
    return results.getOrDefault(false, new AtomicInteger()).get();
  }

  private <T extends AutoCloseable> T closing(T resource) {
    closeAfter.add(resource);
    return resource;
  }
}
