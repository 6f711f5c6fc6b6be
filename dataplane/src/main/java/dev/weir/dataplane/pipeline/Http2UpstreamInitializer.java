package dev.weir.dataplane.pipeline;

import dev.weir.dataplane.proxy.BackendHandler;
import dev.weir.dataplane.proxy.Http2ConnectionGuard;
import dev.weir.dataplane.proxy.ProxySettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream HTTP/2 connection pipeline, prior knowledge over cleartext (H2C) or over TLS with ALPN h2:
 * {@code [ssl] idle h2-codec h2-multiplex h2-guard} ({@link UpstreamTlsSetup}); and {@link #streamInitializer()} for each stream: {@code h2-stream-codec
 * upstream-relay}, so that an exchange sees the same HTTP/1.x messages, trailers included (as the
 * last content's trailing headers), as from an HTTP/1.1 upstream.
 */
@ChannelHandler.Sharable
public final class Http2UpstreamInitializer extends ChannelInitializer<Channel> {

  private static final Logger log = LoggerFactory.getLogger(Http2UpstreamInitializer.class);

  private final ProxySettings settings;
  private final ChannelHandler streams = new StreamInitializer();

  public Http2UpstreamInitializer(ProxySettings settings) {
    this.settings = settings;
  }

  /** Sets up one stream channel of an upstream connection. */
  public ChannelHandler streamInitializer() {
    return streams;
  }

  @Override
  protected void initChannel(Channel ch) {
    Http2Settings initial =
        Http2Settings.defaultSettings()
            .pushEnabled(false)
            .initialWindowSize(Http2ServerSetup.INITIAL_WINDOW_SIZE)
            .maxHeaderListSize(settings.maxHeaderSize());
    UpstreamTlsSetup.addTlsHandler(ch);
    ch.pipeline()
        .addLast(PipelineNames.IDLE, new IdleStateHandler(settings.upstreamIdleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
        .addLast(
            PipelineNames.H2_CODEC,
            Http2FrameCodecBuilder.forClient()
                .initialSettings(initial)
                .validateHeaders(true)
                // Streams over the server's concurrency limit wait for a free slot instead of failing.
                .encoderEnforceMaxConcurrentStreams(true)
                .build())
        .addLast(PipelineNames.H2_MULTIPLEX, new Http2MultiplexHandler(new RefusePushes()))
        .addLast(PipelineNames.H2_CONNECTION, new ConnectionGuard());
  }

  /** Push is disabled in our SETTINGS; a server that pushes anyway gets its streams dropped. */
  @ChannelHandler.Sharable
  private static final class RefusePushes extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }

  /** Closes a connection that has been idle with no stream open, and one that fails. */
  private static final class ConnectionGuard extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        Http2ConnectionGuard.closeIfNoStreamOpen(ctx);
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg); // connection-level frames (SETTINGS, PING, GOAWAY) the codec already acted on
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("upstream HTTP/2 connection {} failed: {}", ctx.channel(), cause.toString());
      ctx.close();
    }
  }

  @ChannelHandler.Sharable
  private static final class StreamInitializer extends ChannelInitializer<Channel> {
    @Override
    protected void initChannel(Channel ch) {
      ch.pipeline()
          .addLast(PipelineNames.H2_STREAM_CODEC, new Http2StreamFrameToHttpObjectCodec(false, true))
          .addLast(PipelineNames.UPSTREAM_RELAY, new BackendHandler());
    }
  }
}
