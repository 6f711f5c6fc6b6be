package dev.weir.dataplane.testing;

import dev.weir.snapshot.pem.PemKeys;
import static dev.weir.dataplane.testing.TestCertificates.resource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.testing.TestCertificates.Der;
import dev.weir.dataplane.tls.ServerSslContexts;
import dev.weir.snapshot.TlsCertificate;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the generated test certificates promise. The keys are read back here with the JDK alone,
 * not with the dataplane's PemKeys (which tests use these keys to check).
 */
class TestCertificatesTest {

  private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----\n([A-Za-z0-9+/=\n]+)\n-----END \\1-----\n");
  private static final byte[] P256 = HexFormat.of().parseHex("06082a8648ce3d030107"); // OID 1.2.840.10045.3.1.7

  @Test
  void certificatesNameTheirHosts() throws Exception {
    assertCertificate("default", "default.test", "RSA");
    assertCertificate("shop", "shop.example.com", "RSA");
    assertCertificate("wild", "*.wild.example.com", "EC");
    assertEquals(256, ((ECPublicKey) certificate("wild").getPublicKey()).getParams().getCurve().getField().getFieldSize());
    assertSame(resource("shop.crt"), resource("shop.crt"), "generated once");
    assertThrows(IllegalArgumentException.class, () -> resource("nope.key"));
  }

  @Test
  void keysComeInThePromisedFormatsAndMatchTheirCertificates() throws Exception {
    assertEquals("PRIVATE KEY", label(resource("default.key")));
    assertEquals("RSA PRIVATE KEY", label(resource("shop.key")));
    assertEquals("EC PRIVATE KEY", label(resource("wild.key")));
    assertEquals("PRIVATE KEY", label(resource("other.key")));
    for (String name : List.of("default", "shop", "wild")) {
      X509Certificate certificate = certificate(name);
      PrivateKey key = read(resource(name + ".key"), certificate.getPublicKey());
      assertTrue(signsFor(key, certificate.getPublicKey()), name);
      List<SslProvider> providers = OpenSsl.isAvailable() ? List.of(SslProvider.JDK, SslProvider.OPENSSL) : List.of(SslProvider.JDK);
      for (SslProvider provider : providers) {
        ReferenceCountUtil.release(SslContextBuilder.forServer(key, certificate).sslProvider(provider).build());
      }
    }
    // Netty without BouncyCastle reads PEM keys only as PKCS#8 (hence PemKeys); that one it takes as is.
    ReferenceCountUtil.release(SslContextBuilder.forServer(stream(resource("default.crt")), stream(resource("default.key"))).build());

    X509Certificate shop = certificate("shop");
    assertFalse(signsFor(read(resource("other.key"), shop.getPublicKey()), shop.getPublicKey()));
    // Netty builds a context from a mismatched pair without complaint; the dataplane refuses it.
    assertEquals(
        "private key does not match the certificate",
        assertThrows(
                IllegalArgumentException.class,
                () -> ServerSslContexts.build(new TlsCertificate("mismatch", resource("shop.crt"), resource("other.key"))))
            .getMessage());
  }

  private static void assertCertificate(String name, String host, String keyAlgorithm) throws Exception {
    X509Certificate certificate = certificate(name);
    assertEquals("CN=" + host, certificate.getSubjectX500Principal().getName());
    assertEquals(List.of(List.of(2, host)), new ArrayList<>(certificate.getSubjectAlternativeNames())); // 2: dNSName
    assertEquals(keyAlgorithm, certificate.getPublicKey().getAlgorithm());
    certificate.checkValidity();
  }

  /** The one certificate in {@code name.crt}. */
  private static X509Certificate certificate(String name) throws Exception {
    String pem = resource(name + ".crt");
    assertEquals("CERTIFICATE", label(pem));
    var all = CertificateFactory.getInstance("X.509").generateCertificates(stream(pem));
    assertEquals(1, all.size(), name);
    return (X509Certificate) all.iterator().next();
  }

  /** The key, read as its PEM label says; fails unless the DER is that structure. */
  private static PrivateKey read(String pem, PublicKey certificateKey) throws Exception {
    byte[] der = Base64.getMimeDecoder().decode(body(pem));
    switch (label(pem)) {
      case "PRIVATE KEY": // PKCS#8 PrivateKeyInfo
        return KeyFactory.getInstance(certificateKey.getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(der));
      case "RSA PRIVATE KEY": { // PKCS#1 RSAPrivateKey ::= SEQUENCE { version 0, n, e, d, p, q, dP, dQ, qInv }
        Der sequence = Der.at(der, 0).expect(0x30);
        assertEquals(der.length, sequence.end());
        List<BigInteger> v = new ArrayList<>();
        for (Der element = sequence.first(); ; element = element.next()) {
          v.add(new BigInteger(element.expect(0x02).content()));
          if (element.end() == sequence.end()) {
            break;
          }
        }
        assertEquals(9, v.size());
        assertEquals(BigInteger.ZERO, v.get(0));
        return KeyFactory.getInstance("RSA")
            .generatePrivate(new RSAPrivateCrtKeySpec(v.get(1), v.get(2), v.get(3), v.get(4), v.get(5), v.get(6), v.get(7), v.get(8)));
      }
      case "EC PRIVATE KEY": { // SEC1 ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] curve OID, [1] ... }
        Der sequence = Der.at(der, 0).expect(0x30);
        Der version = sequence.first().expect(0x02);
        assertEquals(BigInteger.ONE, new BigInteger(version.content()));
        Der privateKey = version.next().expect(0x04);
        assertArrayEquals(P256, privateKey.next().expect(0xa0).first().encoded(), "names its curve, P-256");
        assertEquals(der.length, sequence.end());
        ECPublicKey publicKey = (ECPublicKey) certificateKey;
        return KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(new BigInteger(1, privateKey.content()), publicKey.getParams()));
      }
      default:
        throw new AssertionError("unexpected PEM label " + label(pem));
    }
  }

  /** A signature made with {@code key} verifies with {@code certificateKey}. */
  private static boolean signsFor(PrivateKey key, PublicKey certificateKey) throws Exception {
    String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    byte[] data = new byte[32];
    new SecureRandom().nextBytes(data);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(data);
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(certificateKey);
    verifier.update(data);
    return verifier.verify(signer.sign());
  }

  /** The label of the single PEM block that is the whole of {@code pem}. */
  private static String label(String pem) {
    return whole(pem).group(1);
  }

  private static String body(String pem) {
    return whole(pem).group(2);
  }

  private static Matcher whole(String pem) {
    Matcher m = PEM.matcher(pem);
    assertTrue(m.matches(), "one PEM block and nothing else: " + pem);
    return m;
  }

  private static InputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
  }
}
