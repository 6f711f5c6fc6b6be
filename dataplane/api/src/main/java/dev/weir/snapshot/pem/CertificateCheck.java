package dev.weir.snapshot.pem;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Whether a PEM certificate chain and key can be served: both parse, the key is the leaf's, and the
 * leaf is valid at a given instant. Pure (the instant is an argument), so the controller's
 * translation stays a function of its inputs, and the same rules run on both sides.
 */
public final class CertificateCheck {

  private CertificateCheck() {}

  /** Null when the pair can be served at {@code now}, else one readable reason (never key material). */
  public static String problem(String chainPem, String keyPem, Instant now) {
    List<X509Certificate> chain;
    PrivateKey key;
    try {
      chain = PemKeys.certificates(chainPem);
    } catch (IllegalArgumentException e) {
      return "tls.crt: " + e.getMessage();
    }
    try {
      key = PemKeys.privateKey(keyPem);
    } catch (IllegalArgumentException e) {
      return "tls.key: " + e.getMessage();
    }
    if (!PemKeys.matches(key, chain.get(0).getPublicKey())) {
      return "tls.key does not match the certificate in tls.crt";
    }
    return validity(chain.get(0), now);
  }

  /** Null when every certificate in the PEM parses and is valid at {@code now}; for CA bundles. */
  public static String bundleProblem(String pem, Instant now) {
    List<X509Certificate> certificates;
    try {
      certificates = PemKeys.certificates(pem);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    for (X509Certificate c : certificates) {
      String p = validity(c, now);
      if (p != null) {
        return c.getSubjectX500Principal().getName() + ": " + p;
      }
    }
    return null;
  }

  private static String validity(X509Certificate leaf, Instant now) {
    Instant notAfter = leaf.getNotAfter().toInstant();
    Instant notBefore = leaf.getNotBefore().toInstant();
    if (now.isAfter(notAfter)) {
      return "certificate expired at " + notAfter.truncatedTo(ChronoUnit.SECONDS);
    }
    if (now.isBefore(notBefore)) {
      return "certificate is not valid before " + notBefore.truncatedTo(ChronoUnit.SECONDS);
    }
    return null;
  }
}
