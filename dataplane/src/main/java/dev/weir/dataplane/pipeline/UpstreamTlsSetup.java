package dev.weir.dataplane.pipeline;

import dev.weir.dataplane.upstream.UpstreamTlsContext;
import io.netty.channel.Channel;

/**
 * The TLS step of the upstream pipelines: a channel whose bootstrap carried an {@link UpstreamTlsContext}
 * gets its {@code SslHandler} first, with SNI and the handshake bounded by the connect timeout. Writes made
 * before the handshake is done (the HTTP/2 preface) wait inside the handler.
 */
final class UpstreamTlsSetup {
  private UpstreamTlsSetup() {}

  static void addTlsHandler(Channel ch) {
    UpstreamTlsContext tls = ch.attr(UpstreamTlsContext.ATTRIBUTE).get();
    if (tls == null) {
      return;
    }
    ch.pipeline().addFirst(PipelineNames.SSL, tls.newHandler(ch.alloc(), ch.config().getConnectTimeoutMillis()));
  }
}
