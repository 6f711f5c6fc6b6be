package dev.weir.controller.pki;

import dev.weir.snapshot.pem.PemKeys;
import java.security.PrivateKey;
import java.security.PublicKey;

/** Whether a private key is the other half of a certificate's public key: what it signs, that key verifies. */
final class KeyMatch {
  private KeyMatch() {}

  static boolean matches(PrivateKey key, PublicKey publicKey) {
    return PemKeys.matches(key, publicKey);
  }

  /** Ours are EC; a user-provided CA may hold an RSA key. */
  static String signatureAlgorithm(PrivateKey key) {
    return "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
  }
}
