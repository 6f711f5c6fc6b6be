package dev.weir.snapshot.pem;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * Reads the PEM found in {@code kubernetes.io/tls} Secrets. Besides PKCS#8 ({@code PRIVATE KEY}) it
 * accepts the traditional OpenSSL forms that cert-manager and {@code openssl genrsa} write: PKCS#1
 * ({@code RSA PRIVATE KEY}) and SEC1 ({@code EC PRIVATE KEY}), by wrapping them into PKCS#8, because
 * the JDK (and Netty without BouncyCastle) reads only PKCS#8.
 */
public final class PemKeys {

  private static final byte[] RSA_ALGORITHM_ID = hex("300d06092a864886f70d0101010500");
  private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201");
  private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "DSA"};

  private PemKeys() {}

  /** Every certificate in the PEM chain, leaf first; throws with a readable reason if there is none. */
  public static List<X509Certificate> certificates(String pem) {
    if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException("no PEM certificate found");
    }
    try {
      return CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
          .stream()
          .map(X509Certificate.class::cast)
          .toList();
    } catch (CertificateException e) {
      throw new IllegalArgumentException("certificate does not parse: " + e.getMessage(), e);
    }
  }

  /** The private key in the PEM; throws with a readable reason when it is missing, encrypted or broken. */
  public static PrivateKey privateKey(String pem) {
    if (pem == null) {
      throw new IllegalArgumentException("no PEM private key found");
    }
    if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
      throw new IllegalArgumentException("encrypted private keys are not supported");
    }
    byte[] der;
    if ((der = block(pem, "PRIVATE KEY")) != null) {
      return pkcs8(der);
    }
    if ((der = block(pem, "RSA PRIVATE KEY")) != null) {
      return pkcs8(sequence(concat(new byte[] {2, 1, 0}, RSA_ALGORITHM_ID, octetString(der))));
    }
    if ((der = block(pem, "EC PRIVATE KEY")) != null) {
      byte[] curve = sec1CurveOid(der);
      byte[] algorithm = sequence(concat(EC_PUBLIC_KEY_OID, curve));
      return pkcs8(sequence(concat(new byte[] {2, 1, 0}, algorithm, octetString(der))));
    }
    throw new IllegalArgumentException("no PEM private key found (expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
  }

  /** True when {@code key} is the private half of {@code certificateKey}: a signature made with one verifies with the other. */
  public static boolean matches(PrivateKey key, PublicKey certificateKey) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "DSA" -> "SHA256withDSA";
          default -> key.getAlgorithm(); // Ed25519, Ed448, EdDSA sign without a separate digest
        };
    try {
      byte[] data = new byte[32];
      new SecureRandom().nextBytes(data);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(data);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificateKey);
      verifier.update(data);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // different key types, or a key the certificate cannot verify
    }
  }

  private static PrivateKey pkcs8(byte[] der) {
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException("private key does not parse");
  }

  private static byte[] block(String pem, String label) {
    String begin = "-----BEGIN " + label + "-----";
    int start = pem.indexOf(begin);
    if (start < 0) {
      return null;
    }
    int end = pem.indexOf("-----END " + label + "-----", start);
    if (end < 0) {
      throw new IllegalArgumentException(label + " has no END line");
    }
    try {
      return Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), end));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(label + " is not valid base64", e);
    }
  }

  /** SEC1 ECPrivateKey ::= SEQUENCE { version, privateKey OCTET STRING, [0] parameters (the curve OID), [1] publicKey }. */
  private static byte[] sec1CurveOid(byte[] der) {
    try {
      int[] seq = header(der, 0, 0x30);
      int pos = seq[0];
      int limit = seq[0] + seq[1];
      while (pos < limit) {
        int tag = der[pos] & 0xff;
        int[] h = header(der, pos, tag);
        if (tag == 0xa0) {
          int[] oid = header(der, h[0], 0x06);
          byte[] out = new byte[oid[0] + oid[1] - h[0]];
          System.arraycopy(der, h[0], out, 0, out.length);
          return out;
        }
        pos = h[0] + h[1];
      }
    } catch (ArrayIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("EC private key is truncated", e);
    }
    throw new IllegalArgumentException("EC private key names no curve");
  }

  /** Returns {contentStart, contentLength} of the DER element at {@code pos}, which must have {@code tag}. */
  private static int[] header(byte[] der, int pos, int tag) {
    if ((der[pos] & 0xff) != tag) {
      throw new IllegalArgumentException("unexpected DER tag in EC private key");
    }
    int len = der[pos + 1] & 0xff;
    int start = pos + 2;
    if (len >= 0x80) {
      int bytes = len & 0x7f;
      len = 0;
      for (int i = 0; i < bytes; i++) {
        len = (len << 8) | (der[start + i] & 0xff);
      }
      start += bytes;
    }
    return new int[] {start, len};
  }

  private static byte[] sequence(byte[] content) {
    return tagged(0x30, content);
  }

  private static byte[] octetString(byte[] content) {
    return tagged(0x04, content);
  }

  private static byte[] tagged(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int len = content.length;
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else if (len < 0x10000) {
      out.write(0x82);
      out.write(len >> 8);
      out.write(len);
    } else {
      out.write(0x83);
      out.write(len >> 16);
      out.write(len >> 8);
      out.write(len);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] hex(String s) {
    return java.util.HexFormat.of().parseHex(s);
  }
}
