package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.config.ApplyResult;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.H2EchoBackend;
import dev.weir.dataplane.testing.H2TestClient;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.dataplane.testing.TestPki;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.RoutePolicy;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.UpstreamProtocol;
import dev.weir.snapshot.UpstreamTls;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS from the dataplane to backends, over real sockets: verification against the cluster's CA and for
 * its server name (SNI), failures as 502 (504 for a handshake that times out), keep-alive reuse, HTTP/2
 * over TLS with trailers, and TLS and plain connections to one address kept apart.
 */
class UpstreamTlsTest {
  static final String NAME = "api.web.svc";
  static final TestPki.Ca CA = TestPki.ca("backend CA");
  static final TestPki.Ca OTHER_CA = TestPki.ca("some other CA");

  static EchoBackend good;
  static EchoBackend expired;
  static EchoBackend selfSigned;
  static H2EchoBackend grpc;
  static ServerSocket silent;
  static Dataplane dp;

  @BeforeAll
  static void start() throws Exception {
    good = EchoBackend.startTls("good", TestPki.server(CA, NAME));
    expired = EchoBackend.startTls("expired", TestPki.server(CA, Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2020-02-01T00:00:00Z"), NAME));
    selfSigned = EchoBackend.startTls("self", TestPki.selfSigned("whatever.example.com"));
    grpc = H2EchoBackend.startTls("grpc", TestPki.server(CA, "grpc.web.svc"));
    // Accepts TCP (the kernel's backlog) but never says a word: the handshake never completes.
    silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    dp = Dataplane.start(DataplaneOptions.ephemeral().ioThreads(1).build());
    UpstreamTls verified = new UpstreamTls(NAME, CA.certificatePem(), true);
    Snapshot s = new SnapshotBuilder(1)
        .cluster("good", UpstreamProtocol.HTTP1, verified, good.endpoint())
        .cluster("good-plain", good.endpoint())
        .cluster("wrong-ca", UpstreamProtocol.HTTP1, new UpstreamTls(NAME, OTHER_CA.certificatePem(), true), good.endpoint())
        .cluster("wrong-name", UpstreamProtocol.HTTP1, new UpstreamTls("other.web.svc", CA.certificatePem(), true), good.endpoint())
        .cluster("default-trust", UpstreamProtocol.HTTP1, UpstreamTls.verified(NAME), good.endpoint())
        .cluster("expired", UpstreamProtocol.HTTP1, verified, expired.endpoint())
        .cluster("self-insecure", UpstreamProtocol.HTTP1, new UpstreamTls("self.web.svc", null, false), selfSigned.endpoint())
        .cluster("self-verified", UpstreamProtocol.HTTP1, new UpstreamTls("whatever.example.com", CA.certificatePem(), true), selfSigned.endpoint())
        .cluster("grpc", UpstreamProtocol.H2C, new UpstreamTls("grpc.web.svc", CA.certificatePem(), true), grpc.endpoint())
        .cluster("grpc-wrong-ca", UpstreamProtocol.H2C, new UpstreamTls("grpc.web.svc", OTHER_CA.certificatePem(), true), grpc.endpoint())
        .cluster("silent", UpstreamProtocol.HTTP1, verified, new Endpoint("127.0.0.1", silent.getLocalPort()))
        .host("good.test").prefix("r", "/", "good")
        .host("plain.test").prefix("r", "/", "good-plain")
        .host("wrong-ca.test").prefix("r", "/", "wrong-ca")
        .host("wrong-name.test").prefix("r", "/", "wrong-name")
        .host("default-trust.test").prefix("r", "/", "default-trust")
        .host("expired.test").prefix("r", "/", "expired")
        .host("self-insecure.test").prefix("r", "/", "self-insecure")
        .host("self-verified.test").prefix("r", "/", "self-verified")
        .host("grpc.test").prefix("r", "/", "grpc")
        .host("grpc-wrong-ca.test").prefix("r", "/", "grpc-wrong-ca")
        .host("silent.test").prefix("r", "/", "silent", new RoutePolicy(0, 300, 0, 0))
        .build();
    ApplyResult result = dp.config().apply(s);
    assertTrue(result.accepted(), result.toString());
  }

  @AfterAll
  static void stop() throws Exception {
    dp.close(Duration.ofSeconds(2));
    good.close();
    expired.close();
    selfSigned.close();
    grpc.close();
    silent.close();
  }

  @Test
  void http11OverTlsToABackendSignedByTheClustersCaSendsTheServerNameAndReusesTheConnection() {
    int connections = good.tlsConnections();
    int accepted = good.connectionsAccepted();
    for (int i = 0; i < 5; i++) {
      HttpTestClient.Response r = HttpTestClient.get(dp.httpPort(), "good.test", "/hello/" + i);
      assertEquals(200, r.status(), r.text());
      assertEquals("on", r.header("x-tls"));
      assertEquals("/hello/" + i, r.echo("path"));
    }
    assertEquals(connections + 1, good.tlsConnections(), "one handshake for five requests (keep-alive)");
    assertEquals(accepted + 1, good.connectionsAccepted());
    assertEquals(NAME, good.serverNames().get(good.serverNames().size() - 1), "SNI is the cluster's server name");
    assertEquals("http/1.1", good.applicationProtocols().get(good.applicationProtocols().size() - 1));
  }

  @Test
  void aBackendNotSignedByTheCaIs502() {
    assertEquals(502, HttpTestClient.get(dp.httpPort(), "wrong-ca.test", "/").status());
  }

  @Test
  void aCertificateForAnotherNameIs502() {
    assertEquals(502, HttpTestClient.get(dp.httpPort(), "wrong-name.test", "/").status());
  }

  @Test
  void aPrivateCaIsNotInTheDefaultTrustStore() {
    assertEquals(502, HttpTestClient.get(dp.httpPort(), "default-trust.test", "/").status());
  }

  @Test
  void anExpiredBackendCertificateIs502() {
    assertEquals(502, HttpTestClient.get(dp.httpPort(), "expired.test", "/").status());
    assertEquals(0, expired.requests(), "nothing was sent to it");
  }

  @Test
  void insecureSkipVerifyAcceptsASelfSignedBackendWhichVerificationRefuses() {
    HttpTestClient.Response r = HttpTestClient.get(dp.httpPort(), "self-insecure.test", "/");
    assertEquals(200, r.status());
    assertEquals("on", r.header("x-tls"));
    assertTrue(selfSigned.serverNames().contains("self.web.svc"), "SNI is sent without verification too");
    assertEquals(502, HttpTestClient.get(dp.httpPort(), "self-verified.test", "/").status());
  }

  @Test
  void aHandshakeThatDoesNotFinishInTheConnectTimeoutIs504() {
    long start = System.nanoTime();
    assertEquals(504, HttpTestClient.get(dp.httpPort(), "silent.test", "/").status());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 5_000);
  }

  @Test
  void grpcOverTlsNegotiatesH2AndPassesTrailers() {
    byte[] message = GrpcPassthroughTest.grpcFrame("over tls");
    try (H2TestClient c = H2TestClient.connect(dp.httpPort())) {
      for (int i = 0; i < 3; i++) {
        H2TestClient.Response r = c.request("POST", "grpc.test", "/echo.Echo/Say", GrpcPassthroughTest.GRPC_HEADERS, message);
        assertEquals(200, r.status());
        assertArrayEquals(message, r.body());
        assertNotNull(r.trailers());
        assertEquals("0", r.trailers().get("grpc-status").toString());
      }
      assertEquals(502, c.request("POST", "grpc-wrong-ca.test", "/echo.Echo/Say", GrpcPassthroughTest.GRPC_HEADERS, message).status());
    }
    assertEquals(List.of("grpc.web.svc"), grpc.serverNames(), "one connection, SNI the server name (the wrong-CA one never completed)");
    assertEquals(List.of("h2"), grpc.applicationProtocols());
  }

  @Test
  void plainAndTlsClustersOnOneAddressNeverShareAConnection() {
    try (EchoBackend both = EchoBackend.startTls("both", TestPki.server(CA, NAME))) {
      Snapshot s = new SnapshotBuilder(dp.config().appliedVersion() + 1)
          .cluster("tls", UpstreamProtocol.HTTP1, new UpstreamTls(NAME, CA.certificatePem(), true), both.endpoint())
          .cluster("plain", both.endpoint())
          .host("tls.test").prefix("r", "/", "tls")
          .host("plain.test").prefix("r", "/", "plain")
          .build();
      Snapshot before = dp.config().current().snapshot();
      assertTrue(dp.config().apply(s).accepted());
      try {
        for (int i = 0; i < 3; i++) {
          assertEquals("on", HttpTestClient.get(dp.httpPort(), "tls.test", "/").header("x-tls"));
          assertEquals("off", HttpTestClient.get(dp.httpPort(), "plain.test", "/").header("x-tls"));
        }
        assertEquals(2, both.connectionsAccepted(), "one pooled connection each, reused");
        assertEquals(1, both.tlsConnections());
      } finally {
        assertTrue(dp.config().apply(before.withVersion(dp.config().appliedVersion() + 1)).accepted());
      }
    }
  }

  @Test
  void anInvalidCaBundleIsNackedNamingTheCluster() {
    Snapshot s = new SnapshotBuilder(dp.config().appliedVersion() + 1)
        .cluster("broken", UpstreamProtocol.HTTP1, new UpstreamTls(NAME, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", true), good.endpoint())
        .host("broken.test").prefix("r", "/", "broken")
        .build();
    ApplyResult result = dp.config().apply(s);
    assertFalse(result.accepted());
    String reason = ((ApplyResult.Rejected) result).reason();
    assertTrue(reason.contains("cluster broken: tls.caCertificatesPem"), reason);
    assertEquals(200, HttpTestClient.get(dp.httpPort(), "good.test", "/").status(), "the last good config stays");
  }
}
