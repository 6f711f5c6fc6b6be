package dev.weir.dataplane.tls;

import dev.weir.snapshot.pem.PemKeys;
import dev.weir.snapshot.ClientValidation;
import dev.weir.snapshot.TlsCertificate;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.PrivateKey;
import java.security.SecureRandom;
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

  /** TLS 1.2 sessions kept per certificate context for resumption by session id, and for how long. */
  private static final int SESSION_CACHE_SIZE = 20_000;
  private static final int SESSION_TIMEOUT_SECONDS = 300;

  private static final SecureRandom RANDOM = new SecureRandom();

  private ServerSslContexts() {}

  public static SslProvider provider() {
    return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  /** One line for the start-up log: which TLS implementation serves, and why. */
  public static String providerDescription() {
    if (OpenSsl.isAvailable()) {
      return "OpenSSL (" + OpenSsl.versionString() + " through netty-tcnative)";
    }
    Throwable cause = OpenSsl.unavailabilityCause();
    return "JDK TLS (netty-tcnative did not load: " + (cause == null ? "unknown reason" : cause.toString()) + ")";
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
    return build(certificate, policy, null);
  }

  /**
   * As {@link #build(TlsCertificate, TlsPolicy)}, asking clients for a certificate that chains to the
   * CA of {@code validation} (null: no client certificates). A context with client validation is a
   * {@link ValidatingSslContext}, so the connection remembers which validation its handshake made.
   */
  public static SslContext build(TlsCertificate certificate, TlsPolicy policy, ClientValidation validation) {
    List<X509Certificate> chain = PemKeys.certificates(certificate.certificateChainPem());
    PrivateKey key = PemKeys.privateKey(certificate.privateKeyPem());
    if (!PemKeys.matches(key, chain.get(0).getPublicKey())) {
      throw new IllegalArgumentException("private key does not match the certificate");
    }
    List<X509Certificate> clientCas = validation == null ? List.of() : clientCas(validation);
    try {
      SslContextBuilder builder =
          SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
              .sslProvider(provider())
              .protocols(policy.protocols())
              .applicationProtocolConfig(ALPN)
              // HTTP/2 forbids TLS 1.2 cipher suites without forward secrecy and AEAD (RFC 9113 9.2.2).
              .ciphers(policy.cipherSuites(), SupportedCipherSuiteFilter.INSTANCE)
              // TLS 1.2 session ids: a resumed handshake skips the key exchange and the certificate.
              .sessionCacheSize(SESSION_CACHE_SIZE)
              .sessionTimeout(SESSION_TIMEOUT_SECONDS);
      if (validation != null) {
        builder.trustManager(clientCas).clientAuth(validation.optional() ? ClientAuth.OPTIONAL : ClientAuth.REQUIRE);
      }
      SslContext context = builder.build();
      enableTickets(context);
      return validation == null ? context : new ValidatingSslContext(context, validation);
    } catch (SSLException | RuntimeException e) {
      throw new IllegalArgumentException("TLS context cannot be built: " + e.getMessage(), e);
    }
  }

  private static List<X509Certificate> clientCas(ClientValidation validation) {
    try {
      return PemKeys.certificates(validation.caCertificatesPem());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("client CA bundle: " + e.getMessage(), e);
    }
  }

  /**
   * Session tickets (the only resumption TLS 1.3 has), with keys of this context's own: Netty's
   * OpenSSL contexts turn tickets off unless keys are set. Keys are never shared between contexts,
   * so a ticket from a host without client certificates cannot resume a session on one that demands
   * them (which would skip the client certificate check); they live as long as the context, which
   * is reused across snapshots while its certificate and validation stay the same. The JDK provider
   * issues its own stateless tickets.
   */
  private static void enableTickets(SslContext context) {
    if (context.sessionContext() instanceof OpenSslSessionContext openSsl) {
      byte[] name = new byte[OpenSslSessionTicketKey.NAME_SIZE];
      byte[] hmac = new byte[OpenSslSessionTicketKey.HMAC_KEY_SIZE];
      byte[] aes = new byte[OpenSslSessionTicketKey.AES_KEY_SIZE];
      RANDOM.nextBytes(name);
      RANDOM.nextBytes(hmac);
      RANDOM.nextBytes(aes);
      openSsl.setTicketKeys(new OpenSslSessionTicketKey(name, hmac, aes));
    }
  }
}
