package dev.weir.snapshot;

/**
 * A certificate chain and its private key, both PEM, as found in a {@code kubernetes.io/tls} Secret.
 *
 * @param name e.g. {@code web/shop-tls}; virtual hosts refer to it by this name
 */
public record TlsCertificate(String name, String certificateChainPem, String privateKeyPem) {
  @Override
  public String toString() {
    // Never print key material into logs.
    return "TlsCertificate[name=" + name + "]";
  }
}
