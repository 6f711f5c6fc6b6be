package dev.weir.controller.pki;

import dev.weir.snapshot.pem.PemKeys;
import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * PEM in and out. Keys are written as PKCS#8 ({@code PRIVATE KEY}), which the JDK, Netty and OpenSSL all
 * read; reading also takes the traditional SEC1/PKCS#1 forms a user's own CA may come in.
 */
public final class Pem {
  private static final Base64.Encoder BASE64 = Base64.getMimeEncoder(64, new byte[] {'\n'});

  private Pem() {}

  public static String certificate(X509Certificate certificate) {
    try {
      return block("CERTIFICATE", certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("certificate cannot be encoded", e);
    }
  }

  public static String privateKey(PrivateKey key) {
    return block("PRIVATE KEY", key.getEncoded());
  }

  /** Every certificate in the text, first one first; throws {@link IllegalArgumentException} with a reason. */
  public static List<X509Certificate> certificates(String pem) {
    return PemKeys.certificates(pem); // the one certificate reader the dataplane and translation use too
  }

  public static X509Certificate firstCertificate(String pem) {
    return certificates(pem).get(0);
  }

  /** The private key in the text (PKCS#8, SEC1 or PKCS#1); throws {@link IllegalArgumentException} with a reason. */
  public static PrivateKey privateKey(String pem) {
    if (pem == null) throw new IllegalArgumentException("no PEM private key found");
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object o; (o = parser.readObject()) != null; ) {
        if (o instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
        if (o instanceof PEMKeyPair pair) return converter.getKeyPair(pair).getPrivate();
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("private key does not parse: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("no unencrypted PEM private key found");
  }

  private static String block(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + BASE64.encodeToString(der) + "\n-----END " + type + "-----\n";
  }
}
