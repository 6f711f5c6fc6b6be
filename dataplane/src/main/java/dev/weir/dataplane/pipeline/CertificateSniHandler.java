package dev.weir.dataplane.pipeline;

import dev.weir.dataplane.tls.ConnectionTls;
import dev.weir.dataplane.tls.ValidatingSslContext;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsyncMapping;

/**
 * Netty's SNI handler, which also records on the connection which client validation the chosen
 * context makes: a request for a host that demands client certificates is served only on a
 * connection whose handshake made that host's validation (see {@code FrontendHandler}).
 */
final class CertificateSniHandler extends SniHandler {

  CertificateSniHandler(AsyncMapping<String, SslContext> mapping) {
    super(mapping);
  }

  @Override
  protected void replaceHandler(ChannelHandlerContext ctx, String hostname, SslContext sslContext) throws Exception {
    if (sslContext instanceof ValidatingSslContext validating) {
      ctx.channel().attr(ConnectionTls.KEY).set(new ConnectionTls(validating.validation()));
    }
    super.replaceHandler(ctx, hostname, sslContext);
  }
}
