package dev.weir.dataplane.pipeline;

import dev.weir.dataplane.proxy.CacheHandler;
import dev.weir.dataplane.proxy.FrontendHandler;
import dev.weir.dataplane.proxy.Http2ConnectionGuard;
import dev.weir.dataplane.proxy.ProxyContext;
import dev.weir.dataplane.proxy.HttpUpgrade;
import dev.weir.dataplane.proxy.RequestFraming;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/2 on the downstream side: one {@link Http2FrameCodec} per connection, a
 * {@link Http2MultiplexHandler} that gives every stream a child channel of its own, and on each
 * child the HTTP/2-to-HTTP/1.x message codec and the same {@link FrontendHandler} that serves an
 * HTTP/1.1 connection. A stream is thus one request/response exchange to the (HTTP/1.1 or H2C)
 * upstream, with the flow-control window as its backpressure.
 *
 * <p>Two ways in on a cleartext connection: prior knowledge (the client starts with the preface,
 * which {@link H2cPrefaceDetector} spots) and the HTTP/1.1 {@code Upgrade: h2c} dance (RFC 7540
 * 3.2; the upgrading request becomes stream 1).
 */
final class Http2ServerSetup {

  /** Like nginx's {@code http2_max_concurrent_streams}. */
  static final int MAX_CONCURRENT_STREAMS = 128;
  /** Per-stream receive window: 1 MiB lets one stream upload at speed on a fast link without a window update per 64 KiB. */
  static final int INITIAL_WINDOW_SIZE = 1024 * 1024;
  /** Longest an upgrading HTTP/1.1 request body may be: it is buffered while the protocol switches. */
  static final int MAX_UPGRADE_BODY = 64 * 1024;

  private final ProxyContext px;
  private final ChannelHandler streamInitializer;

  Http2ServerSetup(ProxyContext px) {
    this.px = px;
    this.streamInitializer = new StreamInitializer(px);
  }

  /** The connection handler; one per connection. */
  Http2FrameCodec newCodec() {
    Http2Settings settings =
        Http2Settings.defaultSettings()
            .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
            .initialWindowSize(INITIAL_WINDOW_SIZE)
            .maxHeaderListSize(px.settings().maxHeaderSize());
    return Http2FrameCodecBuilder.forServer()
        .initialSettings(settings)
        .validateHeaders(true)
        .gracefulShutdownTimeoutMillis(px.settings().responseTimeout().toMillis())
        .build();
  }

  /** The client spoke the preface: replaces the HTTP/1.1 handlers (codec, head timeout, proxy) with HTTP/2 ones. */
  void switchFromHttp1(ChannelPipeline p) {
    removeHttp1(p);
    p.addLast(PipelineNames.H2_CODEC, newCodec());
    p.addLast(PipelineNames.H2_MULTIPLEX, new Http2MultiplexHandler(streamInitializer));
    p.addLast(PipelineNames.H2_CONNECTION, new Http2ConnectionGuard(px, ctx -> removeHttp1(ctx.pipeline())));
  }

  /**
   * The handler that answers {@code Upgrade: h2c} requests (and only those: other upgrades, such as
   * WebSocket, pass through untouched, to be tunnelled by the proxy). Sits right after the HTTP/1.1
   * codec; after a switch the HTTP/2 handlers follow it, and the connection guard removes the
   * HTTP/1.1 ones behind them.
   */
  ChannelHandler newUpgradeHandler(HttpServerUpgradeHandler.SourceCodec codec) {
    return new HttpServerUpgradeHandler(
        codec,
        protocol -> {
          if (!AsciiString.contentEqualsIgnoreCase(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)) {
            return null;
          }
          return new Http2ServerUpgradeCodec(PipelineNames.H2_CODEC, newCodec(), new Http2MultiplexHandler(streamInitializer), new Http2ConnectionGuard(px, ctx -> removeHttp1(ctx.pipeline())));
        },
        MAX_UPGRADE_BODY) {
      @Override
      protected boolean shouldHandleUpgradeRequest(io.netty.handler.codec.http.HttpRequest req) {
        // A malformed request is not upgraded: the proxy answers it (the decoder's verdict and the framing checks would be lost).
        return req.decoderResult().isSuccess()
            && HttpUpgrade.asksForH2c(req)
            && RequestFraming.check(req, px.settings().maxHeaderCount(), true) == null;
      }
    };
  }

  /** Removes what only an HTTP/1.1 connection needs; the connection-level idle handler (first in line) stays. */
  static void removeHttp1(ChannelPipeline p) {
    for (String name : new String[] {PipelineNames.HTTP_CODEC, PipelineNames.H2C_UPGRADE, PipelineNames.HEAD_TIMEOUT, PipelineNames.CACHE,
        PipelineNames.COMPRESSION, PipelineNames.PROXY}) {
      if (p.get(name) != null) {
        p.remove(name);
      }
    }
  }

  /** Each stream: HTTP/2 frames as HTTP/1.x messages, an idle timeout, and the proxy. */
  @ChannelHandler.Sharable
  private static final class StreamInitializer extends ChannelInitializer<Channel> {
    private final ProxyContext px;

    StreamInitializer(ProxyContext px) {
      this.px = px;
    }

    @Override
    protected void initChannel(Channel ch) {
      // The proxy reads a stream only when it can pass on what it reads; unread DATA is not
      // acknowledged, so the client's flow-control window closes: backpressure end to end.
      ch.config().setOption(ChannelOption.AUTO_READ, false);
      ch.pipeline()
          .addLast(PipelineNames.H2_STREAM_CODEC, new Http2StreamFrameToHttpObjectCodec(true, true))
          .addLast(PipelineNames.IDLE, new IdleStateHandler(px.settings().clientIdleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
          .addLast(PipelineNames.PROXY, new FrontendHandler(px));
      if (px.caching() != null && px.config().current().caches()) {
        FrontendHandler proxy = ch.pipeline().get(FrontendHandler.class);
        ch.pipeline().addBefore(PipelineNames.PROXY, PipelineNames.CACHE, new CacheHandler(px, proxy.routes()));
      }
    }
  }
}
