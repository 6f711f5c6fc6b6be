package dev.weir.e2e;

import static dev.weir.e2e.WeirSystem.fromBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.crds.v1alpha1.ClientValidation;
import dev.weir.crds.v1alpha1.ProxyRoute;
import dev.weir.crds.v1alpha1.RouteTls;
import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.TestPki;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS through the whole loop on two replicas: client certificate validation from a CA Secret (and a
 * missing CA that serves nothing until it appears), and a certificate renewed in its Secret, as
 * cert-manager renews it, reaching new handshakes while an established connection keeps working.
 */
class ClientCertificateE2ETest {
  static final TestPki.Ca SERVER_CA = TestPki.ca("e2e server CA");
  static final TestPki.Ca CLIENT_CA = TestPki.ca("e2e client CA");
  static WeirSystem system;

  @BeforeAll
  static void start() throws Exception {
    system = WeirSystem.start(0);
    for (int i = 1; i <= 2; i++) {
      system.addDataplane(system.options("replica-" + i, WeirSystem.TOKEN).httpsPort(0).build());
    }
    system.backend("secure");
    putTlsSecret("mtls-tls", TestPki.server(SERVER_CA, "mtls.example.com", "late.example.com"));
    putCaSecret("client-ca", CLIENT_CA);
  }

  @AfterAll
  static void stop() {
    if (system != null) system.close();
  }

  static void putTlsSecret(String name, TestPki.Leaf leaf) {
    system.client().resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(system.namespace()).endMetadata()
        .withType("kubernetes.io/tls").withStringData(Map.of("tls.crt", leaf.chainPem(), "tls.key", leaf.keyPem())).build())
        .createOr(NonDeletingOperation::update);
  }

  static void putCaSecret(String name, TestPki.Ca ca) {
    system.client().resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(system.namespace()).endMetadata()
        .withType("Opaque").withStringData(Map.of("ca.crt", ca.certificatePem())).build())
        .createOr(NonDeletingOperation::update);
  }

  static ProxyRoute mtlsRoute(String name, String host, String caSecret) {
    ProxyRoute route = system.route(name, host, "/", "secure");
    route.getSpec().setTls(new RouteTls("mtls-tls"));
    route.getSpec().getTls().setClientValidation(new ClientValidation(caSecret, false));
    return route;
  }

  /** One HTTPS request (SNI = host), or null when the connection or request failed. */
  static HttpTestClient.Response https(Dataplane d, String host, TestPki.Leaf client) {
    try (HttpTestClient c = HttpTestClient.connectTls(d.httpsPort(), host, client)) {
      return c.request("GET", host, "/", Map.of("Connection", "close"), null);
    } catch (RuntimeException e) {
      return null;
    }
  }

  static void awaitHttps(String host, TestPki.Leaf client, Predicate<HttpTestClient.Response> expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    for (Dataplane d : system.dataplanes()) {
      HttpTestClient.Response r;
      while (!expected.test(r = https(d, host, client))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(d.replicaId() + ": " + host + " answered " + (r == null ? "nothing" : r.status() + " " + r.text()));
        }
        Thread.sleep(50);
      }
    }
  }

  @Test
  void everyReplicaVerifiesClientCertificatesAgainstTheCaSecret() throws Exception {
    system.apply(mtlsRoute("mtls", "mtls.example.com", "client-ca"));
    TestPki.Leaf alice = TestPki.client(CLIENT_CA, "CN=alice");
    awaitHttps("mtls.example.com", alice, r -> r != null && r.status() == 200 && "CN=alice".equals(r.echoedHeader("x-client-cert-subject")));
    for (Dataplane d : system.dataplanes()) {
      assertEquals(null, https(d, "mtls.example.com", null), "no client certificate: refused on " + d.replicaId());
      assertEquals(null, https(d, "mtls.example.com", TestPki.client(TestPki.ca("stranger"), "CN=x")));
      assertEquals(308, system.get(d, "mtls.example.com", "/").status(), "plain HTTP is redirected to HTTPS, never served");
    }
    system.awaitCondition("mtls", "Programmed", c -> c.getStatus().equals("True"));
  }

  @Test
  void aMissingCaServesNothingUntilTheSecretAppears() throws Exception {
    system.apply(mtlsRoute("late", "late.example.com", "late-ca"));
    system.awaitCondition("late", "ResolvedRefs", c -> c.getReason().equals("SecretNotFound") && c.getMessage().contains("late-ca"));
    for (Dataplane d : system.dataplanes()) {
      assertEquals(404, system.get(d, "late.example.com", "/").status(), "not served without its client check");
    }
    putCaSecret("late-ca", CLIENT_CA);
    awaitHttps("late.example.com", TestPki.client(CLIENT_CA, "CN=bob"), r -> r != null && r.status() == 200);
    system.awaitCondition("late", "ResolvedRefs", c -> c.getStatus().equals("True"));
  }

  @Test
  void aRenewedSecretReachesNewHandshakesAndKeepsEstablishedConnections() throws Exception {
    putTlsSecret("renew-tls", TestPki.server(SERVER_CA, "renew.example.com"));
    ProxyRoute route = system.route("renew", "renew.example.com", "/", "secure");
    route.getSpec().setTls(new RouteTls("renew-tls"));
    system.apply(route);
    Dataplane first = system.dataplanes().get(0);
    awaitHttps("renew.example.com", null, r -> r != null && r.status() == 200);
    try (HttpTestClient kept = HttpTestClient.connectTls(first.httpsPort(), "renew.example.com")) {
      BigInteger before = kept.peerCertificate().getSerialNumber();
      TestPki.Leaf renewed = TestPki.server(SERVER_CA, "renew.example.com");
      putTlsSecret("renew-tls", renewed);
      for (Dataplane d : system.dataplanes()) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
          try (HttpTestClient c = HttpTestClient.connectTls(d.httpsPort(), "renew.example.com")) {
            if (c.peerCertificate().getSerialNumber().equals(renewed.certificate().getSerialNumber())) break;
          }
          assertTrue(System.nanoTime() < deadline, "the renewed certificate reaches " + d.replicaId());
          Thread.sleep(50);
        }
      }
      assertNotEquals(before, renewed.certificate().getSerialNumber());
      HttpTestClient.Response r = kept.get("renew.example.com", "/still");
      assertEquals(200, r.status(), "the connection made before the renewal keeps working");
      assertTrue(fromBackend("secure").test(r));
    }
  }
}
