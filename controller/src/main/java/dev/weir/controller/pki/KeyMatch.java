package dev.weir.controller.pki;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/** Whether a private key is the other half of a certificate's public key: what it signs, that key verifies. */
final class KeyMatch {
  private KeyMatch() {}

  static boolean matches(PrivateKey key, PublicKey publicKey) {
    String algorithm = signatureAlgorithm(key);
    byte[] probe = "weir".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(probe);
      byte[] signature = s.sign();
      Signature v = Signature.getInstance(algorithm);
      v.initVerify(publicKey);
      v.update(probe);
      return v.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Ours are EC; a user-provided CA may hold an RSA key. */
  static String signatureAlgorithm(PrivateKey key) {
    return "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
  }
}
