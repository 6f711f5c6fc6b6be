package dev.weir.dataplane.pipeline;

import dev.weir.dataplane.proxy.FrontendHandler;
import dev.weir.dataplane.proxy.ProxyContext;
import dev.weir.dataplane.proxy.RequestHeadTimeoutHandler;
import dev.weir.dataplane.tls.SniContextMapping;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Downstream connection pipeline, built in steps (TLS, HTTP/1.1, proxy): {@code [sni→ssl]
 * http-codec head-timeout idle proxy}.
 */
@ChannelHandler.Sharable
public final class HttpServerInitializer extends ChannelInitializer<Channel> {

  /** Largest body piece the codecs emit; bigger than the 8 KiB default to forward fewer, larger writes. */
  static final int MAX_CHUNK_SIZE = 64 * 1024;

  private final ProxyContext px;
  private final SniContextMapping sni;
  private final ChannelGroup connections;

  /**
   * @param sni certificate selection for an HTTPS listener, or null for plain HTTP
   * @param connections every accepted connection is added here (to drain them on shutdown)
   */
  public HttpServerInitializer(ProxyContext px, SniContextMapping sni, ChannelGroup connections) {
    this.px = px;
    this.sni = sni;
    this.connections = connections;
  }

  @Override
  protected void initChannel(Channel ch) {
    connections.add(ch);
    ChannelPipeline p = ch.pipeline();
    if (sni != null) {
      addTlsHandlers(p);
    }
    addHttp1Handlers(p);
    addProxyHandlers(p);
  }

  private void addTlsHandlers(ChannelPipeline p) {
    // Replaced by an SslHandler for the chosen certificate once the ClientHello is read.
    p.addLast(PipelineNames.SNI, new SniHandler(sni));
  }

  private void addHttp1Handlers(ChannelPipeline p) {
    HttpDecoderConfig decoder =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(px.settings().maxInitialLineLength())
            .setMaxHeaderSize(px.settings().maxHeaderSize())
            .setMaxChunkSize(MAX_CHUNK_SIZE);
    p.addLast(PipelineNames.HTTP_CODEC, new HttpServerCodec(decoder));
    p.addLast(PipelineNames.HEAD_TIMEOUT, new RequestHeadTimeoutHandler(px.settings().headerReadTimeout()));
    p.addLast(PipelineNames.IDLE, new IdleStateHandler(0, 0, px.settings().clientIdleTimeout().toMillis(), TimeUnit.MILLISECONDS));
  }

  private void addProxyHandlers(ChannelPipeline p) {
    p.addLast(PipelineNames.PROXY, new FrontendHandler(px));
  }
}
