package dev.weir.controller.pki;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA in a Secret (keys {@code ca.crt}, {@code ca.key}), created at first start unless the user made one;
 * the dataplane credentials in a {@code kubernetes.io/tls} Secret that the dataplane pods mount.
 */
public final class SecretCaStore implements CaStore {
  private static final Logger log = LoggerFactory.getLogger(SecretCaStore.class);
  static final String CA_CRT = "ca.crt";
  static final String CA_KEY = "ca.key";
  static final String TLS_CRT = "tls.crt";
  static final String TLS_KEY = "tls.key";

  private final KubernetesClient client;
  private final SecretRef ca;
  private final SecretRef dataplane;
  private final Clock clock;

  public SecretCaStore(KubernetesClient client, SecretRef ca, SecretRef dataplane, Clock clock) {
    this.client = client;
    this.ca = ca;
    this.dataplane = dataplane;
    this.clock = clock;
  }

  @Override
  public CertificateAuthority loadOrCreate() {
    for (int attempt = 0; attempt < 3; attempt++) {
      Secret existing = get(ca);
      if (existing != null) return read(existing);
      CertificateAuthority created = CertificateAuthority.generate(clock.instant());
      Secret secret = new SecretBuilder()
          .withNewMetadata().withName(ca.name()).withNamespace(ca.namespace())
          .addToLabels("app.kubernetes.io/part-of", "weir").endMetadata()
          .withType("Opaque")
          .withData(Map.of(CA_CRT, base64(Pem.certificate(created.certificate())),
              CA_KEY, base64(Pem.privateKey(created.key()))))
          .build();
      try {
        client.secrets().inNamespace(ca.namespace()).resource(secret).create();
        log.info("created control-channel CA in secret {}", ca);
        return created;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) throw e; // another controller replica created it first: read theirs
      }
    }
    throw new IllegalStateException("could not read or create CA secret " + ca);
  }

  private CertificateAuthority read(Secret secret) {
    String crt = value(secret, CA_CRT);
    String key = value(secret, CA_KEY);
    if (crt == null || key == null) {
      throw new IllegalArgumentException("CA secret " + ca + " needs keys '" + CA_CRT + "' and '" + CA_KEY + "'");
    }
    try {
      return new CertificateAuthority(Pem.firstCertificate(crt), Pem.privateKey(key));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("CA secret " + ca + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<Credentials> readDataplane() {
    Secret s = get(dataplane);
    if (s == null) return Optional.empty();
    try {
      return Optional.of(Credentials.parse(value(s, TLS_CRT), value(s, TLS_KEY), value(s, CA_CRT)));
    } catch (IllegalArgumentException e) {
      log.warn("dataplane TLS secret {} is unreadable ({}); issuing new credentials", dataplane, e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public void writeDataplane(Credentials c) {
    Map<String, String> data = Map.of(TLS_CRT, base64(c.certificatePem()), TLS_KEY, base64(c.keyPem()),
        CA_CRT, base64(c.caPem()));
    var secrets = client.secrets().inNamespace(dataplane.namespace());
    Secret existing = get(dataplane);
    try {
      if (existing == null) {
        secrets.resource(new SecretBuilder()
            .withNewMetadata().withName(dataplane.name()).withNamespace(dataplane.namespace())
            .addToLabels("app.kubernetes.io/part-of", "weir").endMetadata()
            .withType("kubernetes.io/tls").withData(data).build()).create();
      } else {
        // Keeps resourceVersion: a concurrent writer makes this a 409 instead of a silent overwrite.
        secrets.resource(new SecretBuilder(existing).withData(data).withStringData(null).build()).update();
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e;
      // Another controller replica wrote credentials from the same CA meanwhile; theirs serve as well as ours.
      log.info("dataplane TLS secret {} was written concurrently by another controller; keeping that", dataplane);
    }
  }

  @Override
  public String describe() {
    return "secret " + dataplane;
  }

  private Secret get(SecretRef ref) {
    return client.secrets().inNamespace(ref.namespace()).withName(ref.name()).get();
  }

  private static String value(Secret s, String key) {
    if (s.getData() != null && s.getData().get(key) != null) {
      return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }
    return s.getStringData() == null ? null : s.getStringData().get(key);
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
