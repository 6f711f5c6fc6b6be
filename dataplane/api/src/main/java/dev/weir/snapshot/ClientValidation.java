package dev.weir.snapshot;

/**
 * Client certificates that the HTTPS listener asks for on a virtual host (mutual TLS).
 *
 * @param caCertificatesPem the CA bundle (PEM) a client certificate must chain to
 * @param optional false: a handshake without a valid client certificate fails; true: a client may
 *     present none (the upstream then gets no subject header), but one it presents must verify
 */
public record ClientValidation(String caCertificatesPem, boolean optional) {
  @Override
  public String toString() {
    return "ClientValidation[optional=" + optional + ", ca=" + (caCertificatesPem == null ? 0 : caCertificatesPem.length()) + " chars]";
  }
}
