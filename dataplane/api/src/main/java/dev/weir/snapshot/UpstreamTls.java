package dev.weir.snapshot;

/**
 * TLS from the dataplane to a cluster's endpoints.
 *
 * @param serverName sent as SNI, and the name the endpoint's certificate must be valid for (when verifying)
 * @param caCertificatesPem the PEM CA bundle the certificate chain must lead to; null: the dataplane's
 *     default trust store (publicly trusted CAs)
 * @param verify false: accept any certificate, unverified (for debugging only); then there is no CA
 */
public record UpstreamTls(String serverName, String caCertificatesPem, boolean verify) {
  /** Verify against the default trust store. */
  public static UpstreamTls verified(String serverName) {
    return new UpstreamTls(serverName, null, true);
  }

  @Override
  public String toString() {
    // Log lines name the settings, not a bundle of PEM.
    return "UpstreamTls[serverName=" + serverName + ", ca=" + (caCertificatesPem == null ? "default" : "bundle")
        + ", verify=" + verify + "]";
  }
}
