package dev.weir.dataplane.testing;

import dev.weir.snapshot.TlsCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Self-signed certificates for tests (valid for 100 years), from this package's {@code tls/}
 * resources: {@code default} (CN default.test, RSA, PKCS#8 key), {@code shop} (shop.example.com,
 * RSA, PKCS#1 key), {@code wild} (*.wild.example.com, EC P-256, SEC1 key); {@code other.key} is an
 * RSA key that matches none of them.
 */
public final class TestCertificates {

  private TestCertificates() {}

  /** A certificate with its own key, e.g. {@code certificate("shop", "web/shop-tls")}. */
  public static TlsCertificate certificate(String file, String name) {
    return new TlsCertificate(name, resource(file + ".crt"), resource(file + ".key"));
  }

  /** PEM text of a resource in {@code tls/}, e.g. {@code other.key}. */
  public static String resource(String file) {
    try (InputStream in = TestCertificates.class.getResourceAsStream("tls/" + file)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource tls/" + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
