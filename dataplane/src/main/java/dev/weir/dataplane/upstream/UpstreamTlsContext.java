package dev.weir.dataplane.upstream;

import dev.weir.snapshot.UpstreamProtocol;
import dev.weir.snapshot.UpstreamTls;
import dev.weir.snapshot.pem.PemKeys;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.AttributeKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;

/**
 * The TLS a cluster is spoken to with: its settings and the client {@link SslContext} built from them
 * once, when the snapshot is compiled (OpenSSL when tcnative loads, the JDK otherwise; TLS 1.2 and 1.3;
 * ALPN {@code h2} for H2C clusters, {@code http/1.1} otherwise; SNI and, when verifying, the certificate
 * checked against the CA bundle or the default trust store and for the server name).
 *
 * <p>Equal by {@link #key()}, not by context: pools key connections by endpoint and this, so a TLS and a
 * plain connection to one address, or two with different settings, never mix, while an unchanged cluster
 * keeps its pooled connections across snapshots.
 */
public final class UpstreamTlsContext {

  /** Set on a new upstream channel (through its bootstrap) that must speak TLS; the initializer adds the handler. */
  public static final AttributeKey<UpstreamTlsContext> ATTRIBUTE = AttributeKey.valueOf(UpstreamTlsContext.class, "tls");

  /** What a context is built from, and what it is reused by across snapshots. */
  public record Key(UpstreamTls settings, UpstreamProtocol protocol) {}

  private final Key key;
  private final SslContext context;

  private UpstreamTlsContext(Key key, SslContext context) {
    this.key = key;
    this.context = context;
  }

  /** Builds the context; throws {@link IllegalArgumentException} with a reason fit for a NACK. */
  public static UpstreamTlsContext build(Key key) {
    UpstreamTls tls = key.settings();
    if (tls.serverName() == null || tls.serverName().isBlank()) {
      throw new IllegalArgumentException("tls.serverName is required");
    }
    SNIHostName sni;
    try {
      sni = new SNIHostName(tls.serverName());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("tls.serverName \"" + tls.serverName() + "\" cannot be sent as SNI: " + e.getMessage(), e);
    }
    boolean h2 = key.protocol() == UpstreamProtocol.H2C;
    SslContextBuilder b =
        SslContextBuilder.forClient()
            .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
            .protocols("TLSv1.3", "TLSv1.2")
            .serverName(sni)
            .applicationProtocolConfig(
                new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    h2 ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1));
    if (h2) {
      // HTTP/2 forbids TLS 1.2 suites without forward secrecy and AEAD (RFC 9113 9.2.2).
      b.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
    }
    if (!tls.verify()) {
      b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
    } else {
      if (tls.caCertificatesPem() != null) {
        List<X509Certificate> cas;
        try {
          cas = PemKeys.certificates(tls.caCertificatesPem());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("tls.caCertificatesPem: " + e.getMessage(), e);
        }
        b.trustManager(cas);
      } // else the JDK's default trust store
      b.endpointIdentificationAlgorithm("HTTPS"); // the certificate must be valid for serverName
    }
    try {
      return new UpstreamTlsContext(key, b.build());
    } catch (SSLException | RuntimeException e) {
      throw new IllegalArgumentException("TLS client context cannot be built: " + e.getMessage(), e);
    }
  }

  public Key key() {
    return key;
  }

  public UpstreamTls settings() {
    return key.settings();
  }

  /** The ALPN protocol asked for: {@code h2} or {@code http/1.1}. */
  public String applicationProtocol() {
    return key.protocol() == UpstreamProtocol.H2C ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1;
  }

  /**
   * A handler for one new connection, with the server name as the peer host (what the certificate is
   * checked for). It is made before the connect, so the peer port is left unknown (-1).
   *
   * @param handshakeTimeoutMillis the handshake fails with {@link io.netty.handler.ssl.SslHandshakeTimeoutException} after this; 0: never
   */
  public SslHandler newHandler(ByteBufAllocator alloc, long handshakeTimeoutMillis) {
    SslHandler handler = context.newHandler(alloc, key.settings().serverName(), -1);
    handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
    return handler;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UpstreamTlsContext other && key.equals(other.key);
  }

  @Override
  public int hashCode() {
    return key.hashCode();
  }

  @Override
  public String toString() {
    return key.settings().toString();
  }
}
