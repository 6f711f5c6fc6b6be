package dev.weir.e2e;

import static dev.weir.e2e.WeirSystem.fromBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.crds.v1alpha1.ProxyRoute;
import dev.weir.crds.v1alpha1.RouteTls;
import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.testing.TestCertificates;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the controller cannot judge (a key type the dataplane's TLS library lacks), the dataplane can: a NACKed snapshot is reported and the old one serves. */
class RejectedSnapshotE2ETest {
  WeirSystem system;

  @BeforeEach
  void start() throws Exception {
    system = WeirSystem.start(2);
  }

  @AfterEach
  void stop() {
    if (system != null) system.close();
  }

  @Test
  void snapshotWithACorruptCertificateIsNackedReportedAndTheOldOneKeepsServing() throws Exception {
    system.backend("safe");
    system.apply(system.route("safe", "safe.example.com", "/", "safe"));
    system.awaitEveryReplica("safe.example.com", "/", fromBackend("safe"), Duration.ofSeconds(5));
    long good = system.dataplanes().get(0).config().appliedVersion();

    // A valid Ed448 certificate passes the controller's checks (the JDK reads it); the dataplane's
    // TLS library (BoringSSL) cannot serve it, so every replica NACKs.
    system.client().resource(new SecretBuilder().withNewMetadata().withName("broken-tls")
        .withNamespace(system.namespace()).endMetadata().withType("kubernetes.io/tls")
        .withStringData(Map.of("tls.crt", TestCertificates.resource("ed448.crt"), "tls.key", TestCertificates.resource("ed448.key")))
        .build()).create();
    ProxyRoute tls = system.route("tls", "tls.example.com", "/", "safe");
    tls.getSpec().setTls(new RouteTls("broken-tls"));
    system.apply(tls);

    system.awaitCondition("tls", "Programmed", c -> c.getReason().equals("Rejected"));
    var c = system.condition("tls", "Programmed").orElseThrow();
    assertEquals("False", c.getStatus());
    assertTrue(c.getMessage().contains("rejected snapshot version"), c.getMessage());
    assertTrue(c.getMessage().contains("broken-tls"), "the reason names the certificate: " + c.getMessage());
    for (Dataplane d : system.dataplanes()) {
      assertEquals(good, d.config().appliedVersion(), "the last good snapshot stays applied");
      assertEquals("safe", system.get(d, "safe.example.com", "/").echo("backend"));
      assertEquals(404, system.get(d, "tls.example.com", "/").status());
    }

    // Fixing the route (no TLS) gives a snapshot the replicas accept.
    ProxyRoute fixed = system.get("tls");
    fixed.getSpec().setTls(null);
    fixed.setStatus(null);
    system.client().resource(fixed).update();
    system.awaitEveryReplica("tls.example.com", "/", fromBackend("safe"), Duration.ofSeconds(5));
    system.awaitCondition("tls", "Programmed", x -> x.getStatus().equals("True"));
  }

  @Test
  void aPeerWithAWrongTokenIsRefused() throws Exception {
    Dataplane intruder = system.addDataplane("intruder", "not-the-token");
    Thread.sleep(1500);
    assertFalse(intruder.isControllerConnected());
    assertFalse(intruder.config().isReady(), "it never got a snapshot");
    assertTrue(system.controller().registry().replicas().stream().noneMatch(r -> r.replicaId().equals("intruder")));
    assertEquals(2, system.controller().registry().replicas().size());
  }
}
