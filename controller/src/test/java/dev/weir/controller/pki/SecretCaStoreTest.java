package dev.weir.controller.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CA and the dataplane credentials in Secrets, against the fabric8 mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class SecretCaStoreTest {
  static final SecretRef CA = new SecretRef("weir-system", "weir-ca");
  static final SecretRef DATAPLANE = new SecretRef("weir-system", "weir-dataplane-tls");
  static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

  KubernetesClient client;
  KubernetesMockServer server;

  @Test
  void firstStartCreatesTheCaAndTheDataplaneSecret() throws Exception {
    Credentials issued = start(NOW);

    Secret ca = secret(CA);
    assertEquals("Opaque", ca.getType());
    X509Certificate caCert = Pem.firstCertificate(text(ca, "ca.crt"));
    assertTrue(caCert.getBasicConstraints() >= 0, "a CA certificate");
    assertTrue(caCert.getKeyUsage()[5], "keyCertSign");
    assertEquals(Duration.ofDays(3650), Duration.between(NOW, caCert.getNotAfter().toInstant()));
    assertEquals("EC", Pem.privateKey(text(ca, "ca.key")).getAlgorithm());

    Secret tls = secret(DATAPLANE);
    assertEquals("kubernetes.io/tls", tls.getType());
    Credentials stored = Credentials.parse(text(tls, "tls.crt"), text(tls, "tls.key"), text(tls, "ca.crt"));
    assertEquals(issued.certificate(), stored.certificate());
    assertEquals(caCert, stored.ca());
    assertTrue(stored.certificate().getSubjectX500Principal().getName().contains("CN=weir-dataplane"));
    assertEquals(List.of("1.3.6.1.5.5.7.3.2"), stored.certificate().getExtendedKeyUsage(), "clientAuth");
    stored.certificate().verify(caCert.getPublicKey());
  }

  @Test
  void aSecondStartReusesTheCaAndKeepsCredentialsThatAreStillGood() throws Exception {
    Credentials first = start(NOW);
    String resourceVersion = secret(DATAPLANE).getMetadata().getResourceVersion();
    Credentials second = start(NOW.plus(Duration.ofDays(100)));
    assertEquals(first.certificate(), second.certificate());
    assertEquals(resourceVersion, secret(DATAPLANE).getMetadata().getResourceVersion(), "not rewritten");
  }

  @Test
  void credentialsWithinThirtyDaysOfExpiryAreReissued() throws Exception {
    Credentials first = start(NOW);
    Instant later = NOW.plus(Duration.ofDays(340)); // 25 days left
    Credentials renewed = start(later);
    assertNotEquals(first.certificate(), renewed.certificate());
    assertEquals(first.ca(), renewed.ca(), "same CA");
    Secret tls = secret(DATAPLANE);
    assertEquals(renewed.certificate(), Pem.firstCertificate(text(tls, "tls.crt")));
    assertEquals(Duration.ofDays(365), renewed.remaining(later));
  }

  @Test
  void aUserProvidedCaIsUsedAndNotReplaced() throws Exception {
    CertificateAuthority mine = CertificateAuthority.generate(NOW.minus(Duration.ofDays(10)));
    client.secrets().inNamespace(CA.namespace()).resource(new SecretBuilder()
        .withNewMetadata().withName(CA.name()).endMetadata()
        .withStringData(Map.of("ca.crt", Pem.certificate(mine.certificate()), "ca.key", Pem.privateKey(mine.key())))
        .build()).create();
    Credentials issued = start(NOW);
    assertTrue(mine.signed(issued.certificate()));
    assertEquals(mine.certificate(), issued.ca());
    assertEquals(mine.certificate(), Pem.firstCertificate(text(secret(CA), "ca.crt")), "the user's CA stays");
  }

  @Test
  void credentialsFromAnotherCaAreReissuedWhenTheCaChanged() throws Exception {
    Credentials old = start(NOW);
    client.secrets().inNamespace(CA.namespace()).withName(CA.name()).delete();
    awaitGone(CA);
    Credentials fresh = start(NOW.plus(Duration.ofDays(1)));
    assertNotEquals(old.ca(), fresh.ca(), "a new CA");
    Secret tls = secret(DATAPLANE);
    assertEquals(fresh.ca(), Pem.firstCertificate(text(tls, "ca.crt")));
    assertTrue(new CertificateAuthority(fresh.ca(), Pem.privateKey(text(secret(CA), "ca.key"))).signed(fresh.certificate()));
  }

  @Test
  void whenAnotherReplicaCreatesTheCaFirstTheLoserReadsTheirs() {
    // The other replica's CA is there, but this one's first look (a GET answered 404 once) came just before it:
    // its create then gets 409 Conflict, and it must use theirs rather than fail or overwrite.
    CertificateAuthority theirs = CertificateAuthority.generate(NOW);
    client.secrets().inNamespace(CA.namespace()).resource(new SecretBuilder()
        .withNewMetadata().withName(CA.name()).endMetadata()
        .withStringData(Map.of("ca.crt", Pem.certificate(theirs.certificate()), "ca.key", Pem.privateKey(theirs.key())))
        .build()).create();
    server.expect().get().withPath("/api/v1/namespaces/weir-system/secrets/weir-ca")
        .andReturn(404, new StatusBuilder().withCode(404).withReason("NotFound").build()).once();
    SecretCaStore store = new SecretCaStore(client, CA, DATAPLANE, Clock.fixed(NOW, ZoneOffset.UTC));
    assertEquals(theirs.certificate(), store.loadOrCreate().certificate());
  }

  @Test
  void aCaSecretWithoutTheKeyIsAClearError() {
    client.secrets().inNamespace(CA.namespace()).resource(new SecretBuilder()
        .withNewMetadata().withName(CA.name()).endMetadata().withStringData(Map.of("ca.crt", "x")).build()).create();
    var e = assertThrows(IllegalArgumentException.class, () -> start(NOW));
    assertTrue(e.getMessage().contains("weir-system/weir-ca") && e.getMessage().contains("ca.key"), e.getMessage());
  }

  private Credentials start(Instant now) {
    SecretCaStore store = new SecretCaStore(client, CA, DATAPLANE, Clock.fixed(now, ZoneOffset.UTC));
    return DataplaneCredentialsRenewal.ensure(store, store.loadOrCreate(), now);
  }

  private Secret secret(SecretRef ref) {
    Secret s = client.secrets().inNamespace(ref.namespace()).withName(ref.name()).get();
    assertNotNull(s, "secret " + ref);
    return s;
  }

  private void awaitGone(SecretRef ref) throws InterruptedException {
    for (int i = 0; i < 100 && client.secrets().inNamespace(ref.namespace()).withName(ref.name()).get() != null; i++) {
      Thread.sleep(10);
    }
  }

  private static String text(Secret s, String key) {
    if (s.getData() != null && s.getData().containsKey(key)) {
      return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }
    return s.getStringData().get(key);
  }
}
