package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.dataplane.testing.TestCertificates;
import dev.weir.snapshot.Snapshot;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTPS listener: SNI picks the certificate from the current snapshot; HTTP/1.1 after TLS. */
class TlsListenerTest {

  static EchoBackend backend;
  static Dataplane dp;

  @BeforeAll
  static void start() throws Exception {
    backend = EchoBackend.start("tls-backend");
    dp = Dataplane.start(DataplaneOptions.ephemeral().httpsPort(0).build());
    assertTrue(dp.config().apply(snapshot(1, "shop")).accepted());
  }

  @AfterAll
  static void stop() {
    dp.close(Duration.ofSeconds(2));
    backend.close();
  }

  /** Certificates default, shop (or another file for the shop host), wild; three hosts. */
  static Snapshot snapshot(long version, String shopCertificateFile) {
    return new SnapshotBuilder(version)
        .certificate(TestCertificates.certificate("default", "web/default"))
        .certificate(TestCertificates.certificate(shopCertificateFile, "web/shop"))
        .certificate(TestCertificates.certificate("wild", "web/wild"))
        .cluster("c", backend.endpoint())
        .host("shop.example.com", "web/shop").prefix("shop", "/", "c")
        .host("*.wild.example.com", "web/wild").prefix("wild", "/", "c")
        .host("*").prefix("any", "/", "c")
        .build();
  }

  static String subject(HttpTestClient c) {
    return c.peerCertificate().getSubjectX500Principal().getName();
  }

  @Test
  void sniSelectsExactThenWildcardThenDefault() {
    try (HttpTestClient c = HttpTestClient.connectTls(dp.httpsPort(), "shop.example.com")) {
      assertEquals("CN=shop.example.com", subject(c));
    }
    try (HttpTestClient c = HttpTestClient.connectTls(dp.httpsPort(), "a.wild.example.com")) {
      assertEquals("CN=*.wild.example.com", subject(c));
    }
    try (HttpTestClient c = HttpTestClient.connectTls(dp.httpsPort(), "other.example.com")) {
      assertEquals("CN=default.test", subject(c));
    }
    try (HttpTestClient c = HttpTestClient.connectTls(dp.httpsPort(), null)) {
      assertEquals("CN=default.test", subject(c));
    }
  }

  @Test
  void proxiesHttp11OverTlsWithForwardedProtoHttps() {
    try (HttpTestClient c = HttpTestClient.connectTls(dp.httpsPort(), "shop.example.com")) {
      for (int i = 0; i < 3; i++) {
        HttpTestClient.Response r = c.get("shop.example.com", "/secure");
        assertEquals(200, r.status());
        assertEquals("https", r.echoedHeader("x-forwarded-proto"));
        assertEquals("/secure", r.echo("path"));
      }
    }
  }

  @Test
  void aNewSnapshotChangesCertificatesForNewHandshakesOnly() {
    try (HttpTestClient before = HttpTestClient.connectTls(dp.httpsPort(), "shop.example.com")) {
      assertEquals("CN=shop.example.com", subject(before));
      assertTrue(dp.config().apply(snapshot(2, "default")).accepted());
      try (HttpTestClient after = HttpTestClient.connectTls(dp.httpsPort(), "shop.example.com")) {
        assertEquals("CN=default.test", subject(after));
      }
      assertEquals(200, before.get("shop.example.com", "/still-works").status(), "established connections keep going");
    } finally {
      assertTrue(dp.config().apply(snapshot(3, "shop")).accepted());
    }
  }

  @Test
  void plainHttpOnTheTlsPortIsDropped() {
    try (HttpTestClient c = HttpTestClient.connect(dp.httpsPort())) {
      c.writeRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
      assertTrue(c.awaitClosedByServer());
    }
  }

  @Test
  void withoutCertificatesTheHandshakeFails() throws Exception {
    try (Dataplane bare = Dataplane.start(DataplaneOptions.ephemeral().httpsPort(0).build())) {
      assertThrows(IllegalStateException.class, () -> HttpTestClient.connectTls(bare.httpsPort(), "shop.example.com"));
    }
  }
}
