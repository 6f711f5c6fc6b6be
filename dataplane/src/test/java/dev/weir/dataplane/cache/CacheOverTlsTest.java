package dev.weir.dataplane.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.testing.EchoBackend;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.HttpTestClient.Response;
import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.dataplane.testing.TestPki;
import dev.weir.snapshot.CachePolicy;
import dev.weir.snapshot.ClientValidation;
import dev.weir.snapshot.PathMatch;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.WeightedCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cache on the HTTPS listener: keys keep {@code http} and {@code https} apart, and a host that
 * checks client certificates is never answered from the cache (the proxy checks each request's
 * connection first), whatever a client with a certificate fetched before.
 */
class CacheOverTlsTest {
  static final TestPki.Ca SERVER_CA = TestPki.ca("server CA");
  static final TestPki.Ca CLIENT_CA = TestPki.ca("client CA");
  static EchoBackend backend;
  static Dataplane dp;

  static Route cached(String name) {
    return new Route(name, "test", PathMatch.prefix("/"), List.of(), null, List.of(new WeightedCluster("c", 1)))
        .withCaching(CachePolicy.DEFAULT, null);
  }

  @BeforeAll
  static void start() throws Exception {
    backend = EchoBackend.start("tls-cache-backend");
    dp = Dataplane.start(DataplaneOptions.ephemeral().httpsPort(0).build());
    TestPki.Leaf server = TestPki.server(SERVER_CA, "open.example.com", "certs.example.com");
    assertTrue(dp.config().apply(new SnapshotBuilder(1)
        .certificate(server.asTlsCertificate("web/server"))
        .cluster("c", backend.endpoint())
        .host("open.example.com", "web/server").route(cached("open"))
        .host("certs.example.com", "web/server", new ClientValidation(CLIENT_CA.certificatePem(), true)).route(cached("certs"))
        .build()).accepted());
  }

  @AfterAll
  static void stop() {
    dp.close(Duration.ofSeconds(2));
    backend.close();
  }

  static Response overTls(String host, String path, TestPki.Leaf client) {
    try (HttpTestClient c = client == null ? HttpTestClient.connectTls(dp.httpsPort(), host) : HttpTestClient.connectTls(dp.httpsPort(), host, client)) {
      return c.get(host, path);
    }
  }

  @Test
  void httpAndHttpsAreStoredApart() {
    assertEquals("MISS", overTls("open.example.com", "/cacheable/scheme", null).header("x-cache"));
    assertEquals("HIT", overTls("open.example.com", "/cacheable/scheme", null).header("x-cache"));
    assertEquals("MISS", HttpTestClient.get(dp.httpPort(), "open.example.com", "/cacheable/scheme").header("x-cache"),
        "the https response is not the http one's");
    assertEquals("HIT", HttpTestClient.get(dp.httpPort(), "open.example.com", "/cacheable/scheme").header("x-cache"));
  }

  @Test
  void aHostThatChecksClientCertificatesIsNeverAnsweredFromTheCache() {
    TestPki.Leaf alice = TestPki.client(CLIENT_CA, "CN=alice,O=shop");
    int before = backend.requests();
    for (int i = 0; i < 2; i++) {
      Response r = overTls("certs.example.com", "/cacheable/private", alice);
      assertEquals(200, r.status());
      assertNull(r.header("x-cache"), "not through the cache");
      assertTrue(r.echoedHeader("x-client-cert-subject").contains("CN=alice"), "the proxy saw the certificate each time");
    }
    Response anonymous = overTls("certs.example.com", "/cacheable/private", null);
    assertEquals(200, anonymous.status(), "optional certificates: served by the backend");
    assertNull(anonymous.echoedHeader("x-client-cert-subject"), "and not alice's stored answer");
    assertEquals(before + 3, backend.requests(), "every request reached the backend");
  }
}
