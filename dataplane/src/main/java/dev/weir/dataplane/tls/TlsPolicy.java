package dev.weir.dataplane.tls;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.OpenSsl;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * The downstream TLS versions and TLS 1.2 cipher suites, the same for every certificate.
 *
 * @param minVersion {@code 1.2} (TLS 1.2 and 1.3, the default) or {@code 1.3} (TLS 1.3 only)
 * @param ciphers TLS 1.2 cipher suites in order of preference (IANA/Java names, e.g.
 *     {@code TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}); empty for the defaults, the forward-secret
 *     AEAD suites that HTTP/2 allows (RFC 9113 9.2.2). TLS 1.3 suites are not configurable.
 */
public record TlsPolicy(String minVersion, List<String> ciphers) {

  public static final TlsPolicy DEFAULT = new TlsPolicy("1.2", List.of());

  public TlsPolicy {
    if (!"1.2".equals(minVersion) && !"1.3".equals(minVersion)) {
      throw new IllegalArgumentException("TLS minimum version must be 1.2 or 1.3, got " + minVersion);
    }
    ciphers = ciphers == null ? List.of() : List.copyOf(ciphers);
  }

  /** Parses {@code --tls-ciphers}: a colon- or comma-separated list; each suite must be known to the TLS provider in use. */
  public static List<String> parseCiphers(String list) {
    List<String> ciphers = Arrays.stream(list.split("[:,]")).map(String::trim).filter(c -> !c.isEmpty()).toList();
    if (ciphers.isEmpty()) {
      throw new IllegalArgumentException("--tls-ciphers: no cipher suite given");
    }
    Set<String> known = knownCiphers();
    for (String c : ciphers) {
      if (!known.contains(c)) {
        throw new IllegalArgumentException("--tls-ciphers: " + c + " is not a cipher suite " + ServerSslContexts.provider() + " supports here");
      }
    }
    return ciphers;
  }

  private static Set<String> knownCiphers() {
    if (OpenSsl.isAvailable()) {
      return OpenSsl.availableJavaCipherSuites();
    }
    try {
      return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  String[] protocols() {
    return "1.3".equals(minVersion) ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"};
  }

  List<String> cipherSuites() {
    return ciphers.isEmpty() ? Http2SecurityUtil.CIPHERS : ciphers;
  }
}
