package dev.weir.controller.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
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
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The control channel's certificate authority: its certificate and key, and the two kinds of leaf it
 * issues. EC P-256 keys; leaves never outlive the CA.
 */
public record CertificateAuthority(X509Certificate certificate, PrivateKey key) {
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);
  public static final Duration LEAF_VALIDITY = Duration.ofDays(365);
  public static final String CA_NAME = "CN=weir-control-channel-ca,O=weir";
  public static final String DATAPLANE_NAME = "weir-dataplane";
  // Certificates start a little in the past: a peer whose clock lags by a few minutes must not reject them.
  private static final Duration BACKDATE = Duration.ofMinutes(5);
  private static final SecureRandom RANDOM = new SecureRandom();

  public CertificateAuthority {
    if (certificate.getBasicConstraints() < 0) {
      throw new IllegalArgumentException("certificate " + certificate.getSubjectX500Principal() + " is not a CA");
    }
    if (!KeyMatch.matches(key, certificate.getPublicKey())) {
      throw new IllegalArgumentException("CA key does not match the CA certificate");
    }
  }

  /** A new self-signed CA, valid for ten years from {@code now}. */
  public static CertificateAuthority generate(Instant now) {
    KeyPair pair = newKeyPair();
    X500Name name = new X500Name(CA_NAME);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(BACKDATE)),
          Date.from(now.plus(CA_VALIDITY)), name, pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      return new CertificateAuthority(sign(b, pair.getPrivate()), pair.getPrivate());
    } catch (GeneralSecurityException | org.bouncycastle.cert.CertIOException e) {
      throw new IllegalStateException("cannot generate the CA", e);
    }
  }

  /** The controller's server certificate: serverAuth, with these DNS names and IP addresses as SANs. */
  public Credentials issueServer(List<String> names, Instant now) {
    if (names.isEmpty()) throw new IllegalArgumentException("a server certificate needs at least one name");
    GeneralName[] sans = names.stream()
        .map(n -> new GeneralName(IpLiteral.is(n) ? GeneralName.iPAddress : GeneralName.dNSName, n))
        .toArray(GeneralName[]::new);
    return issue("CN=" + names.get(0) + ",O=weir", KeyPurposeId.id_kp_serverAuth, new GeneralNames(sans), now);
  }

  /** The dataplanes' client certificate: clientAuth, CN=weir-dataplane. */
  public Credentials issueClient(Instant now) {
    return issue("CN=" + DATAPLANE_NAME + ",O=weir", KeyPurposeId.id_kp_clientAuth, null, now);
  }

  /** True when this CA's key signed {@code leaf}. */
  public boolean signed(X509Certificate leaf) {
    try {
      leaf.verify(certificate.getPublicKey());
      return leaf.getIssuerX500Principal().equals(certificate.getSubjectX500Principal());
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private Credentials issue(String subject, KeyPurposeId purpose, GeneralNames sans, Instant now) {
    KeyPair pair = newKeyPair();
    Instant notAfter = now.plus(LEAF_VALIDITY);
    Instant caEnd = certificate.getNotAfter().toInstant();
    if (notAfter.isAfter(caEnd)) notAfter = caEnd;
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(),
          Date.from(now.minus(BACKDATE)), Date.from(notAfter), new X500Name(subject), pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
      if (sans != null) b.addExtension(Extension.subjectAlternativeName, false, sans);
      return new Credentials(sign(b, key), pair.getPrivate(), certificate);
    } catch (GeneralSecurityException | org.bouncycastle.cert.CertIOException e) {
      throw new IllegalStateException("cannot issue " + subject, e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
    String algorithm = KeyMatch.signatureAlgorithm(signer);
    try {
      return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(algorithm).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no EC P-256 key generator", e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE); // positive, unique in practice (RFC 5280: up to 20 octets)
  }

}
