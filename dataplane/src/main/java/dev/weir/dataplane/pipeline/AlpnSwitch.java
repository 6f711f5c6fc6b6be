package dev.weir.dataplane.pipeline;

import dev.weir.dataplane.proxy.RequestStats;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * On a TLS connection, once the handshake is done: if ALPN chose h2, the HTTP/1.1 handlers that
 * wait behind this one are swapped for HTTP/2 ones ({@link Http2ServerSetup}); otherwise (http/1.1,
 * or a client without ALPN) they stay. Either way this handler then leaves the pipeline. It also
 * counts the handshake's result: a failed one, or a ClientHello for which no certificate could be
 * chosen (the SNI step fails, and no handshake follows).
 */
final class AlpnSwitch extends ApplicationProtocolNegotiationHandler {

  private final Http2ServerSetup http2;
  private final RequestStats stats;

  AlpnSwitch(Http2ServerSetup http2, RequestStats stats) {
    super(ApplicationProtocolNames.HTTP_1_1);
    this.http2 = http2;
    this.stats = stats;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent handshake) {
      stats.tlsHandshake(handshake.isSuccess());
    } else if (evt instanceof SniCompletionEvent sni && !sni.isSuccess()) {
      stats.tlsHandshake(false);
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
      http2.switchFromHttp1(ctx.pipeline());
    }
  }
}
