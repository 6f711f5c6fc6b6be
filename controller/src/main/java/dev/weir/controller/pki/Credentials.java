package dev.weir.controller.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/** A leaf certificate, its private key, and the CA certificate that signed it (what a peer must trust). */
public record Credentials(X509Certificate certificate, PrivateKey key, X509Certificate ca) {

  /** Time left until the certificate expires (negative once it has). */
  public Duration remaining(Instant now) {
    return Duration.between(now, certificate.getNotAfter().toInstant());
  }

  public String certificatePem() {
    return Pem.certificate(certificate);
  }

  public String keyPem() {
    return Pem.privateKey(key);
  }

  public String caPem() {
    return Pem.certificate(ca);
  }

  /** Parses the three PEM texts of a {@code kubernetes.io/tls} Secret or directory (tls.crt, tls.key, ca.crt). */
  public static Credentials parse(String certificatePem, String keyPem, String caPem) {
    return new Credentials(Pem.firstCertificate(certificatePem), Pem.privateKey(keyPem), Pem.firstCertificate(caPem));
  }
}
