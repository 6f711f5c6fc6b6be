package dev.weir.dataplane.testing;

import dev.weir.snapshot.pem.PemKeys;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLException;

/**
 * The server side of TLS for the test backends ({@link EchoBackend#startTls}, {@link H2EchoBackend#startTls}):
 * a context for one certificate (the JDK provider, so the session reports the SNI name asked for), and a
 * record of what each handshake saw: SNI names and ALPN protocols.
 */
final class BackendTls {
  private final SslContext context;
  private final Queue<String> serverNames = new ConcurrentLinkedQueue<>();
  private final Queue<String> applicationProtocols = new ConcurrentLinkedQueue<>();

  /** @param alpn protocols offered, in order of preference; none: no ALPN */
  BackendTls(TestPki.Leaf certificate, String... alpn) {
    try {
      List<X509Certificate> chain = PemKeys.certificates(certificate.chainPem());
      SslContextBuilder b = SslContextBuilder.forServer(PemKeys.privateKey(certificate.keyPem()), chain.toArray(X509Certificate[]::new))
          .sslProvider(SslProvider.JDK);
      if (alpn.length > 0) {
        b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
      }
      this.context = b.build();
    } catch (SSLException e) {
      throw new IllegalStateException(e);
    }
  }

  SslContext context() {
    return context;
  }

  /** SNI names of the handshakes so far ("" for one without SNI). */
  List<String> serverNames() {
    return List.copyOf(serverNames);
  }

  /** ALPN protocols the handshakes so far agreed on ("" for none). */
  List<String> applicationProtocols() {
    return List.copyOf(applicationProtocols);
  }

  /** Records what the handshake of {@code ch} saw, then runs {@code onSuccess} (e.g. adding the codec). */
  ChannelInboundHandlerAdapter recorder(Consumer<ChannelHandlerContext> onSuccess) {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e) {
          if (e.isSuccess()) {
            record(ctx.channel());
            onSuccess.accept(ctx);
          } else {
            ctx.close();
          }
        }
        ctx.fireUserEventTriggered(evt);
      }
    };
  }

  private void record(Channel ch) {
    SslHandler ssl = ch.pipeline().get(SslHandler.class);
    String sni = "";
    if (ssl.engine().getSession() instanceof ExtendedSSLSession s) {
      for (SNIServerName n : s.getRequestedServerNames()) {
        if (n instanceof SNIHostName h) {
          sni = h.getAsciiName();
        }
      }
    }
    serverNames.add(sni);
    applicationProtocols.add(ssl.applicationProtocol() == null ? "" : ssl.applicationProtocol());
  }
}
