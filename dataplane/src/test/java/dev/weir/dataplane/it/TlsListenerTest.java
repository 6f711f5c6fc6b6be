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

/** The HTTPS listener: SNI picks the certificate from the current snapshot; ALPN picks h2 or HTTP/1.1. */
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

  /** Trusts any certificate and checks no host name: the test certificates are self-signed. */
  static javax.net.ssl.SSLContext trustAll() throws Exception {
    javax.net.ssl.X509ExtendedTrustManager any =
        new javax.net.ssl.X509ExtendedTrustManager() {
          @Override public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a, java.net.Socket s) {}
          @Override public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a, java.net.Socket s) {}
          @Override public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a, javax.net.ssl.SSLEngine e) {}
          @Override public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a, javax.net.ssl.SSLEngine e) {}
          @Override public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}
          @Override public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}
          @Override public java.security.cert.X509Certificate[] getAcceptedIssuers() { return new java.security.cert.X509Certificate[0]; }
        };
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(null, new javax.net.ssl.TrustManager[] {any}, null);
    return ctx;
  }

  @Test
  void alpnNegotiatesHttp2AndStreamsAreProxied() throws Exception {
    java.net.http.HttpClient client =
        java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_2).sslContext(trustAll()).connectTimeout(Duration.ofSeconds(5)).build();
    for (int i = 0; i < 3; i++) {
      java.net.http.HttpResponse<String> r =
          client.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + dp.httpsPort() + "/h2?" + i)).timeout(Duration.ofSeconds(10)).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(java.net.http.HttpClient.Version.HTTP_2, r.version(), "ALPN chose h2");
      assertTrue(r.body().contains("header x-forwarded-proto: https"), r.body());
      assertTrue(r.body().contains("path=/h2?" + i), r.body());
    }
    java.net.http.HttpResponse<String> post =
        client.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + dp.httpsPort() + "/upload"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[300_000])).timeout(Duration.ofSeconds(10)).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(java.net.http.HttpClient.Version.HTTP_2, post.version());
    assertTrue(post.body().contains("body-bytes=300000"), post.body());
  }

  @Test
  void anHttp11OnlyClientStillGetsHttp11() throws Exception {
    java.net.http.HttpClient client =
        java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).sslContext(trustAll()).build();
    java.net.http.HttpResponse<String> r =
        client.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + dp.httpsPort() + "/h1")).timeout(Duration.ofSeconds(10)).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertEquals(java.net.http.HttpClient.Version.HTTP_1_1, r.version());
  }

  /** The protocol a handshake with only {@code protocol} enabled negotiates, or null when it fails. */
  static String handshake(int port, String protocol) throws Exception {
    javax.net.ssl.SSLSocketFactory f = trustAll().getSocketFactory();
    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) f.createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      socket.setEnabledProtocols(new String[] {protocol});
      socket.startHandshake();
      return socket.getSession().getProtocol();
    } catch (javax.net.ssl.SSLException | java.net.SocketException e) {
      return null;
    }
  }

  @Test
  void tls12And13ByDefaultAndTls13OnlyWhenAsked() throws Exception {
    assertEquals("TLSv1.2", handshake(dp.httpsPort(), "TLSv1.2"));
    assertEquals("TLSv1.3", handshake(dp.httpsPort(), "TLSv1.3"));
    try (Dataplane strict =
        Dataplane.start(DataplaneOptions.ephemeral().httpsPort(0).tls(new dev.weir.dataplane.tls.TlsPolicy("1.3", java.util.List.of())).build())) {
      assertTrue(strict.config().apply(snapshot(1, "shop")).accepted());
      assertEquals("TLSv1.3", handshake(strict.httpsPort(), "TLSv1.3"));
      assertEquals(null, handshake(strict.httpsPort(), "TLSv1.2"), "a TLS 1.2 client is refused");
    }
  }
}
