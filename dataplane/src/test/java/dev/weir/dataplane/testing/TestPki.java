package dev.weir.dataplane.testing;

import dev.weir.snapshot.TlsCertificate;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway PKI for tests, made in memory at test time (EC P-256, nothing committed): CAs, and
 * server or client certificates they sign, with any names and validity window, so tests can make
 * expired, not-yet-valid and foreign-CA certificates as easily as good ones.
 */
public final class TestPki {

  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  /** A CA: its certificate and key. */
  public record Ca(X509Certificate certificate, PrivateKey key) {
    public String certificatePem() {
      return pem(certificate);
    }
  }

  /** A leaf certificate, the chain up to (not including) the CA, and its key, as PEM. */
  public record Leaf(X509Certificate certificate, String chainPem, String keyPem) {
    public TlsCertificate asTlsCertificate(String name) {
      return new TlsCertificate(name, chainPem, keyPem);
    }
  }

  private TestPki() {}

  public static Ca ca(String commonName) {
    KeyPair pair = ecKeyPair();
    X500Name name = new X500Name("CN=" + commonName);
    Instant now = Instant.now();
    try {
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(3650))), name, pair.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new Ca(sign(b, pair.getPrivate()), pair.getPrivate());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A server certificate for {@code dnsNames} (the first is also the CN), valid now for a year. */
  public static Leaf server(Ca ca, String... dnsNames) {
    Instant now = Instant.now();
    return leaf(ca, "CN=" + dnsNames[0], List.of(dnsNames), KeyPurposeId.id_kp_serverAuth, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(365)));
  }

  /** A server certificate for {@code dnsNames} signed by its own key (no CA vouches for it), valid now for a year. */
  public static Leaf selfSigned(String... dnsNames) {
    KeyPair pair = ecKeyPair();
    X500Name name = new X500Name("CN=" + dnsNames[0]);
    Instant now = Instant.now();
    try {
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(365))), name, pair.getPublic());
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
          java.util.Arrays.stream(dnsNames).map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new)));
      X509Certificate cert = sign(b, pair.getPrivate());
      return new Leaf(cert, pem(cert), pem(pair.getPrivate()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client certificate with this subject (e.g. {@code CN=alice,O=shop}), valid now for a year. */
  public static Leaf client(Ca ca, String subject) {
    Instant now = Instant.now();
    return leaf(ca, subject, List.of(), KeyPurposeId.id_kp_clientAuth, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(365)));
  }

  /** A server certificate valid only between {@code notBefore} and {@code notAfter}. */
  public static Leaf server(Ca ca, Instant notBefore, Instant notAfter, String... dnsNames) {
    return leaf(ca, "CN=" + dnsNames[0], List.of(dnsNames), KeyPurposeId.id_kp_serverAuth, notBefore, notAfter);
  }

  /** A client certificate valid only between {@code notBefore} and {@code notAfter}. */
  public static Leaf client(Ca ca, String subject, Instant notBefore, Instant notAfter) {
    return leaf(ca, subject, List.of(), KeyPurposeId.id_kp_clientAuth, notBefore, notAfter);
  }

  /** A PEM private key that matches no certificate made here. */
  public static String unrelatedKeyPem() {
    return pem(ecKeyPair().getPrivate());
  }

  /** PEM of a certificate, or of a private key as PKCS#8 (BouncyCastle's own EC form leaves out the curve). */
  public static String pem(Object certificateOrKey) {
    if (certificateOrKey instanceof PrivateKey key) {
      return "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
    }
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(certificateOrKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static Leaf leaf(Ca ca, String subject, List<String> dnsNames, KeyPurposeId purpose, Instant notBefore, Instant notAfter) {
    KeyPair pair = ecKeyPair();
    try {
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(ca.certificate(), serial(), Date.from(notBefore), Date.from(notAfter),
              new X500Name(subject), pair.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      if (!dnsNames.isEmpty()) {
        List<GeneralName> names = new ArrayList<>();
        for (String n : dnsNames) {
          names.add(n.matches("[0-9.]+|.*:.*") ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      X509Certificate cert = sign(b, ca.key());
      return new Leaf(cert, pem(cert), pem(pair.getPrivate()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) {
    try {
      return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair ecKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIAL.incrementAndGet());
  }
}
