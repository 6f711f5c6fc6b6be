package dev.weir.controller.push;

import dev.weir.controller.pki.Credentials;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import javax.net.ssl.SSLException;

/**
 * The control channel's server-side TLS: the controller's certificate, TLS 1.3 and 1.2 only, and a client
 * certificate required that chains to the control-channel CA and nothing else (the JVM's default trust
 * store plays no part). OpenSSL (tcnative) when it loads, the JDK otherwise, as the dataplane does.
 */
public final class ServerTls {
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private ServerTls() {}

  public static SslContext context(Credentials server) {
    try {
      return SslContextBuilder.forServer(server.key(), server.certificate())
          .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
          .protocols(PROTOCOLS)
          .trustManager(server.ca())
          .clientAuth(ClientAuth.REQUIRE)
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("control-channel TLS context cannot be built: " + e.getMessage(), e);
    }
  }
}
