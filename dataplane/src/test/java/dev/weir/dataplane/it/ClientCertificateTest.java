package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.dataplane.testing.TestPki;
import dev.weir.snapshot.ClientValidation;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Client certificate verification on the HTTPS listener: per virtual host, against that host's CA,
 * with the verified subject passed upstream, and no way around it through another host's handshake.
 */
class ClientCertificateTest {

  static final TestPki.Ca SERVER_CA = TestPki.ca("server CA");
  static final TestPki.Ca CLIENT_CA = TestPki.ca("client CA");
  static final TestPki.Ca OTHER_CA = TestPki.ca("another CA");

  static EchoBackend backend;
  static Dataplane dp;

  @BeforeAll
  static void start() throws Exception {
    backend = EchoBackend.start("mtls-backend");
    dp = Dataplane.start(DataplaneOptions.ephemeral().httpsPort(0).build());
    TestPki.Leaf server = TestPki.server(SERVER_CA, "mtls.example.com", "optional.example.com", "open.example.com");
    assertTrue(dp.config().apply(new SnapshotBuilder(1)
        .certificate(server.asTlsCertificate("web/server"))
        .cluster("c", backend.endpoint())
        .host("mtls.example.com", "web/server", new ClientValidation(CLIENT_CA.certificatePem(), false)).prefix("mtls", "/", "c")
        .host("optional.example.com", "web/server", new ClientValidation(CLIENT_CA.certificatePem(), true)).prefix("optional", "/", "c")
        .host("open.example.com", "web/server").prefix("open", "/", "c")
        .build()).accepted());
  }

  @AfterAll
  static void stop() {
    dp.close(Duration.ofSeconds(2));
    backend.close();
  }

  @Test
  void aClientCertificateFromTheCaIsVerifiedAndItsSubjectGoesUpstream() {
    TestPki.Leaf alice = TestPki.client(CLIENT_CA, "CN=alice,O=shop");
    try (HttpTestClient c = HttpTestClient.connectTls(dp.httpsPort(), "mtls.example.com", alice)) {
      for (int i = 0; i < 2; i++) { // keep-alive: the same subject on every request of the connection
        HttpTestClient.Response r = c.request("GET", "mtls.example.com", "/", Map.of("X-Client-Cert-Subject", "CN=mallory"), null);
        assertEquals(200, r.status());
        // RFC 2253 form, as the JDK writes a subject (most significant part last).
        assertEquals(alice.certificate().getSubjectX500Principal().getName(), r.echoedHeader("x-client-cert-subject"));
        assertEquals("O=shop,CN=alice", r.echoedHeader("x-client-cert-subject"));
      }
    }
  }

  @Test
  void noCertificateAForeignOneOrAnExpiredOneIsRefused() {
    Instant now = Instant.now();
    assertRefused(null);
    assertRefused(TestPki.client(OTHER_CA, "CN=mallory"));
    assertRefused(TestPki.client(CLIENT_CA, "CN=old", now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1))));
    assertRefused(TestPki.client(CLIENT_CA, "CN=early", now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))));
  }

  /** The handshake fails, or (TLS 1.3, where the client finishes first) the first request reads the server's alert. */
  static void assertRefused(TestPki.Leaf client) {
    try (HttpTestClient c = HttpTestClient.connectTls(dp.httpsPort(), "mtls.example.com", client)) {
      HttpTestClient.Response r = c.get("mtls.example.com", "/");
      throw new AssertionError("served " + r.status() + " without a valid client certificate");
    } catch (IllegalStateException | java.io.UncheckedIOException e) {
      // refused: what must happen
    }
  }

  @Test
  void aHandshakeForAnotherHostDoesNotServeTheValidatedOne() {
    try (HttpTestClient c = HttpTestClient.connectTls(dp.httpsPort(), "open.example.com")) {
      HttpTestClient.Response r = c.get("mtls.example.com", "/");
      assertEquals(421, r.status(), r.text());
      assertEquals(200, c.get("open.example.com", "/").status(), "the connection still serves its own host");
    }
    // Nor does a handshake that verified a certificate for the optional host (another validation).
    TestPki.Leaf alice = TestPki.client(CLIENT_CA, "CN=alice");
    try (HttpTestClient c = HttpTestClient.connectTls(dp.httpsPort(), "optional.example.com", alice)) {
      assertEquals(200, c.get("optional.example.com", "/").status());
    }
  }

  @Test
  void anOptionalValidationServesClientsWithoutACertificate() {
    try (HttpTestClient c = HttpTestClient.connectTls(dp.httpsPort(), "optional.example.com")) {
      HttpTestClient.Response r = c.request("GET", "optional.example.com", "/", Map.of("X-Client-Cert-Subject", "CN=mallory"), null);
      assertEquals(200, r.status());
      assertNull(r.echoedHeader("x-client-cert-subject"), "a client's own subject header never reaches the upstream");
    }
    try (HttpTestClient c = HttpTestClient.connectTls(dp.httpsPort(), "optional.example.com", TestPki.client(CLIENT_CA, "CN=bob"))) {
      assertEquals("CN=bob", c.get("optional.example.com", "/").echoedHeader("x-client-cert-subject"));
    }
    // The JDK client offers only a certificate from a CA the server names; it has none, so it sends none
    // and is served as anonymous. (A client that sends a foreign certificate anyway is refused:
    // TlsCommandLineClientsTest does that with curl.)
    try (HttpTestClient c = HttpTestClient.connectTls(dp.httpsPort(), "optional.example.com", TestPki.client(OTHER_CA, "CN=mallory"))) {
      HttpTestClient.Response r = c.get("optional.example.com", "/");
      assertEquals(200, r.status());
      assertNull(r.echoedHeader("x-client-cert-subject"));
    }
  }

  @Test
  void plainHttpNeverReachesAValidatedHost() {
    HttpTestClient.Response r = HttpTestClient.get(dp.httpPort(), "mtls.example.com", "/");
    assertEquals(403, r.status());
    HttpTestClient.Response spoofed;
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      spoofed = c.request("GET", "open.example.com", "/", Map.of("X-Client-Cert-Subject", "CN=mallory"), null);
    }
    assertEquals(200, spoofed.status());
    assertFalse(spoofed.text().contains("mallory"), "the spoofed subject header is dropped");
  }
}
