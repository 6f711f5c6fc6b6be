package dev.weir.dataplane.pipeline;

import dev.weir.dataplane.proxy.BackendHandler;
import dev.weir.dataplane.proxy.ProxySettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * Upstream connection pipeline: for a TLS cluster the {@link SslHandler} first ({@link UpstreamTlsSetup}),
 * then the HTTP/1.1 client codec, then the relay to the current exchange.
 */
@ChannelHandler.Sharable
public final class UpstreamChannelInitializer extends ChannelInitializer<Channel> {

  private final ProxySettings settings;

  public UpstreamChannelInitializer(ProxySettings settings) {
    this.settings = settings;
  }

  @Override
  protected void initChannel(Channel ch) {
    HttpDecoderConfig decoder =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(settings.maxInitialLineLength())
            .setMaxHeaderSize(settings.maxHeaderSize())
            .setMaxChunkSize(HttpServerInitializer.MAX_CHUNK_SIZE);
    UpstreamTlsSetup.addTlsHandler(ch);
    ch.pipeline()
        .addLast(PipelineNames.UPSTREAM_CODEC, new HttpClientCodec(decoder, false, false))
        .addLast(PipelineNames.UPSTREAM_RELAY, new BackendHandler());
  }
}
