package dev.weir.dataplane.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;

/**
 * On a TLS connection, once the handshake is done: if ALPN chose h2, the HTTP/1.1 handlers that
 * wait behind this one are swapped for HTTP/2 ones ({@link Http2ServerSetup}); otherwise (http/1.1,
 * or a client without ALPN) they stay. Either way this handler then leaves the pipeline.
 */
final class AlpnSwitch extends ApplicationProtocolNegotiationHandler {

  private final Http2ServerSetup http2;

  AlpnSwitch(Http2ServerSetup http2) {
    super(ApplicationProtocolNames.HTTP_1_1);
    this.http2 = http2;
  }

  @Override
  protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
      http2.switchFromHttp1(ctx.pipeline());
    }
  }
}
