package dev.weir.dataplane.tls;

import dev.weir.snapshot.pem.PemKeys;
import dev.weir.snapshot.TlsCertificate;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;

/** Builds the server-side {@link SslContext} of one certificate: OpenSSL (tcnative) when it loads, the JDK otherwise. */
public final class ServerSslContexts {

  /**
   * ALPN: h2 first, then http/1.1; a client that offers neither (or no ALPN at all) gets HTTP/1.1,
   * as with nginx.
   */
  private static final ApplicationProtocolConfig ALPN =
      new ApplicationProtocolConfig(
          ApplicationProtocolConfig.Protocol.ALPN,
          ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
          ApplicationProtocolNames.HTTP_2,
          ApplicationProtocolNames.HTTP_1_1);

  private ServerSslContexts() {}

  public static SslProvider provider() {
    return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  /**
   * Parses, checks and builds; throws {@link IllegalArgumentException} with a reason fit for a NACK
   * (never containing key material).
   */
  public static SslContext build(TlsCertificate certificate) {
    return build(certificate, TlsPolicy.DEFAULT);
  }

  /** As {@link #build(TlsCertificate)}, with the listener's versions and cipher suites. */
  public static SslContext build(TlsCertificate certificate, TlsPolicy policy) {
    List<X509Certificate> chain = PemKeys.certificates(certificate.certificateChainPem());
    PrivateKey key = PemKeys.privateKey(certificate.privateKeyPem());
    if (!PemKeys.matches(key, chain.get(0).getPublicKey())) {
      throw new IllegalArgumentException("private key does not match the certificate");
    }
    try {
      return SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
          .sslProvider(provider())
          .protocols(policy.protocols())
          .applicationProtocolConfig(ALPN)
          // HTTP/2 forbids TLS 1.2 cipher suites without forward secrecy and AEAD (RFC 9113 9.2.2).
          .ciphers(policy.cipherSuites(), SupportedCipherSuiteFilter.INSTANCE)
          .build();
    } catch (SSLException | RuntimeException e) {
      throw new IllegalArgumentException("TLS context cannot be built: " + e.getMessage(), e);
    }
  }
}
