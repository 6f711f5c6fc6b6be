package dev.weir.dataplane.testing;

import dev.weir.snapshot.TlsCertificate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Self-signed certificates for tests, generated when first asked for (once per JVM, kept in memory;
 * nothing is committed): {@code default} (CN default.test, RSA, PKCS#8 key), {@code shop}
 * (shop.example.com, RSA, PKCS#1 key), {@code wild} (*.wild.example.com, EC P-256, SEC1 key),
 * {@code ed448} (ed448.example.com, Ed448: the JDK parses it, BoringSSL cannot serve it);
 * {@code other.key} is an RSA key (PKCS#8) that matches none of them. The subject names are also
 * the certificates' DNS SANs; they are valid for ten years.
 *
 * <p>Only the JDK is used: its {@code keytool} makes each key pair and self-signed certificate into
 * a PKCS#12 file in a temporary directory (deleted again right away); this class reads that back
 * and writes the PEM. The JDK hands out private keys as PKCS#8 only, so the PKCS#1 and SEC1 forms
 * (the traditional OpenSSL ones, which the dataplane must accept) are cut out of the PKCS#8 DER.
 */
public final class TestCertificates {

  private static final String PASSWORD = "test-only";

  /** The keytool arguments of each certificate, besides the keystore ones. */
  private static final Map<String, List<String>> SPECS =
      Map.of(
          "default", List.of("-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=default.test", "-ext", "SAN=dns:default.test"),
          "shop", List.of("-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=shop.example.com", "-ext", "SAN=dns:shop.example.com"),
          "wild", List.of("-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=*.wild.example.com", "-ext", "SAN=dns:*.wild.example.com"),
          // The JDK reads Ed448; BoringSSL (the dataplane's TLS) cannot use it: a certificate only the dataplane can reject.
          "ed448", List.of("-keyalg", "Ed448", "-dname", "CN=ed448.example.com", "-ext", "SAN=dns:ed448.example.com"));

  private static Map<String, String> pems; // file name -> PEM text; guarded by the class lock

  private TestCertificates() {}

  /** A certificate with its own key, e.g. {@code certificate("shop", "web/shop-tls")}. */
  public static TlsCertificate certificate(String file, String name) {
    return new TlsCertificate(name, resource(file + ".crt"), resource(file + ".key"));
  }

  /** PEM text of {@code default|shop|wild .crt|.key} or {@code other.key}. */
  public static String resource(String file) {
    String pem = pems().get(file);
    if (pem == null) {
      throw new IllegalArgumentException("no test certificate or key " + file + " (there are " + new TreeSet<>(pems().keySet()) + ")");
    }
    return pem;
  }

  private static synchronized Map<String, String> pems() {
    if (pems == null) {
      try {
        pems = Map.copyOf(generate());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot generate the test certificates", e);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot generate the test certificates", e);
      }
    }
    return pems;
  }

  private static Map<String, String> generate() throws IOException, GeneralSecurityException {
    Path dir = Files.createTempDirectory("weir-test-certs");
    Map<String, Process> running = new HashMap<>();
    try {
      // One keytool JVM per certificate, all at once; each takes about a second (JVM start, and the
      // prime search for RSA), less with only the quick compiler and the serial collector.
      Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
      for (Map.Entry<String, List<String>> spec : SPECS.entrySet()) {
        List<String> command = new ArrayList<>(List.of(keytool.toString(), "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        command.addAll(List.of("-genkeypair", "-alias", spec.getKey(), "-validity", "3650", "-noprompt"));
        command.addAll(spec.getValue());
        command.addAll(List.of("-storetype", "PKCS12", "-keystore", dir.resolve(spec.getKey() + ".p12").toString()));
        command.addAll(List.of("-storepass", PASSWORD, "-keypass", PASSWORD));
        Path log = dir.resolve(spec.getKey() + ".log");
        running.put(spec.getKey(), new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start());
      }

      Map<String, String> out = new HashMap<>();
      KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
      rsa.initialize(2048);
      out.put("other.key", pem("PRIVATE KEY", rsa.generateKeyPair().getPrivate().getEncoded()));

      for (Map.Entry<String, Process> p : running.entrySet()) {
        String name = p.getKey();
        if (!waitFor(p.getValue()) || p.getValue().exitValue() != 0) {
          throw new IOException("keytool failed for " + name + ": " + Files.readString(dir.resolve(name + ".log")));
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(name + ".p12"))) {
          store.load(in, PASSWORD.toCharArray());
        }
        PrivateKey key = (PrivateKey) store.getKey(name, PASSWORD.toCharArray());
        byte[] pkcs8 = key.getEncoded();
        out.put(name + ".crt", pem("CERTIFICATE", store.getCertificate(name).getEncoded()));
        out.put(
            name + ".key",
            switch (name) {
              case "default", "ed448" -> pem("PRIVATE KEY", pkcs8);
              case "shop" -> pem("RSA PRIVATE KEY", pkcs1(pkcs8));
              case "wild" -> pem("EC PRIVATE KEY", sec1(pkcs8));
              default -> throw new IllegalStateException(name);
            });
      }
      return out;
    } finally {
      running.values().forEach(Process::destroyForcibly); // all have ended unless something failed
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private static boolean waitFor(Process process) throws IOException {
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return false;
      }
      return true;
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for keytool", e);
    }
  }

  private static String pem(String label, byte[] der) {
    String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + base64 + "\n-----END " + label + "-----\n";
  }

  // --- PKCS#8 to the traditional forms -------------------------------------------------------

  private static final int INTEGER = 0x02;
  private static final int OCTET_STRING = 0x04;
  private static final int OID = 0x06;
  private static final int SEQUENCE = 0x30;
  private static final int PARAMETERS = 0xa0; // [0], context-specific and constructed

  /**
   * PrivateKeyInfo ::= SEQUENCE { version INTEGER, algorithm AlgorithmIdentifier, privateKey OCTET
   * STRING, ... }: the content of privateKey, which is the algorithm's own encoding of the key.
   */
  private static Der privateKeyOctets(byte[] pkcs8) {
    Der version = Der.at(pkcs8, 0).expect(SEQUENCE).first().expect(INTEGER);
    return version.next().expect(SEQUENCE).next().expect(OCTET_STRING);
  }

  /** For RSA the privateKey octets are exactly the PKCS#1 RSAPrivateKey. */
  private static byte[] pkcs1(byte[] pkcs8) {
    return privateKeyOctets(pkcs8).content();
  }

  /**
   * For EC they are the SEC1 ECPrivateKey ::= SEQUENCE { version INTEGER, privateKey OCTET STRING,
   * parameters [0] OID OPTIONAL, publicKey [1] BIT STRING OPTIONAL }. Inside PKCS#8 the curve is
   * in the AlgorithmIdentifier ({ ecPublicKey OID, curve OID }), so the JDK leaves out [0]; a
   * stand-alone "EC PRIVATE KEY" must name it, so it is copied in from there (1.2.840.10045.3.1.7
   * for P-256).
   */
  private static byte[] sec1(byte[] pkcs8) {
    Der octets = privateKeyOctets(pkcs8);
    byte[] ecKey = octets.content();
    Der sequence = Der.at(ecKey, 0).expect(SEQUENCE);
    Der key = sequence.first().expect(INTEGER).next().expect(OCTET_STRING);
    if (key.end() < sequence.end() && key.next().tag() == PARAMETERS) {
      return ecKey;
    }
    Der version = Der.at(pkcs8, 0).first();
    Der curve = version.next().first().next().expect(OID);
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    content.write(ecKey, sequence.start(), key.end() - sequence.start()); // version, privateKey
    content.writeBytes(tlv(PARAMETERS, curve.encoded()));
    content.write(ecKey, key.end(), sequence.end() - key.end()); // publicKey, if there
    return tlv(SEQUENCE, content.toByteArray());
  }

  /** Tag, length (short form below 128, else 0x80 + the count of big-endian length bytes), content. */
  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = length < 0x100 ? 1 : length < 0x10000 ? 2 : 3;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  /**
   * A DER element in {@code der}: its tag byte, where it begins ({@code pos}), where its content
   * begins ({@code start}) and where it ends ({@code end}, exclusive). Single-byte tags only, which is
   * all that keys use. (Package-private: {@code TestCertificatesTest} reads the keys back with it.)
   */
  record Der(byte[] der, int tag, int pos, int start, int end) {

    static Der at(byte[] der, int pos) {
      int tag = der[pos] & 0xff;
      int length = der[pos + 1] & 0xff;
      int start = pos + 2;
      if (length >= 0x80) { // long form: the low 7 bits say how many length bytes follow
        int bytes = length & 0x7f;
        length = 0;
        for (int i = 0; i < bytes; i++) {
          length = (length << 8) | (der[start + i] & 0xff);
        }
        start += bytes;
      }
      if (start + length > der.length) {
        throw new IllegalStateException("DER element at " + pos + " runs past the end");
      }
      return new Der(der, tag, pos, start, start + length);
    }

    Der expect(int expectedTag) {
      if (tag != expectedTag) {
        throw new IllegalStateException(String.format("DER tag 0x%02x at %d, expected 0x%02x", tag, pos, expectedTag));
      }
      return this;
    }

    /** The first element inside this (constructed) one. */
    Der first() {
      return at(der, start);
    }

    /** The element after this one. */
    Der next() {
      return at(der, end);
    }

    byte[] content() {
      return Arrays.copyOfRange(der, start, end);
    }

    /** Tag, length and content. */
    byte[] encoded() {
      return Arrays.copyOfRange(der, pos, end);
    }
  }
}
