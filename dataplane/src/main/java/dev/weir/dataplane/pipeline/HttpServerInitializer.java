package dev.weir.dataplane.pipeline;

import dev.weir.dataplane.proxy.CacheHandler;
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
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Downstream connection pipeline, built in steps (TLS, HTTP/1.1, proxy): {@code [sni→ssl] idle
 * [alpn | h2c-preface] http-codec head-timeout proxy}. Over TLS, ALPN's choice of h2 switches the
 * connection to HTTP/2 right after the handshake. On a cleartext listener with h2c
 * enabled, a client may switch to HTTP/2 (prior knowledge or {@code Upgrade: h2c}); the pipeline
 * then becomes {@code idle h2-codec h2-multiplex h2-connection}, with {@code h2-stream-codec idle
 * proxy} on each stream (see {@link Http2ServerSetup}).
 */
@ChannelHandler.Sharable
public final class HttpServerInitializer extends ChannelInitializer<Channel> {

  /** Largest body piece the codecs emit; bigger than the 8 KiB default to forward fewer, larger writes. */
  static final int MAX_CHUNK_SIZE = 64 * 1024;

  private final ProxyContext px;
  private final SniContextMapping sni;
  private final ChannelGroup connections;
  /** Null when HTTP/2 is off on this listener (a cleartext one with h2c off). */
  private final Http2ServerSetup http2;
  private final boolean h2c;

  /**
   * @param sni certificate selection for an HTTPS listener, or null for plain HTTP
   * @param connections every accepted connection is added here (to drain them on shutdown)
   */
  public HttpServerInitializer(ProxyContext px, SniContextMapping sni, ChannelGroup connections) {
    this(px, sni, connections, false);
  }

  /** @param h2c accept HTTP/2 over cleartext (prior knowledge and {@code Upgrade: h2c}); only without TLS */
  public HttpServerInitializer(ProxyContext px, SniContextMapping sni, ChannelGroup connections, boolean h2c) {
    if (h2c && sni != null) {
      throw new IllegalArgumentException("h2c is HTTP/2 without TLS");
    }
    this.px = px;
    this.sni = sni;
    this.connections = connections;
    this.h2c = h2c;
    // Over TLS, ALPN decides: HTTP/2 is always on offer there.
    this.http2 = h2c || sni != null ? new Http2ServerSetup(px) : null;
  }

  @Override
  protected void initChannel(Channel ch) {
    connections.add(ch);
    px.stats().connectionAccepted(px.scheme());
    ChannelPipeline p = ch.pipeline();
    if (sni != null) {
      addTlsHandlers(p);
    }
    // First, so that it sees every byte in whatever the protocol turns out to be. Reads only: the
    // proxy's idle rules are all about a client that sends nothing (between requests, or mid-body),
    // and watching writes too would cost a promise and a listener on every write.
    p.addLast(PipelineNames.IDLE, new IdleStateHandler(px.settings().clientIdleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
    if (sni != null) {
      p.addLast(PipelineNames.ALPN, new AlpnSwitch(http2, px.stats()));
    } else if (h2c) {
      p.addLast(PipelineNames.H2C_PREFACE, new H2cPrefaceDetector(http2));
    }
    StrictHttpServerCodec codec = addHttp1Handlers(p);
    addProxyHandlers(p, codec);
  }

  private void addTlsHandlers(ChannelPipeline p) {
    // Replaced by an SslHandler for the chosen certificate once the ClientHello is read.
    p.addLast(PipelineNames.SNI, new CertificateSniHandler(sni));
  }

  private StrictHttpServerCodec addHttp1Handlers(ChannelPipeline p) {
    HttpDecoderConfig decoder =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(px.settings().maxInitialLineLength())
            .setMaxHeaderSize(px.settings().maxHeaderSize())
            .setMaxChunkSize(MAX_CHUNK_SIZE);
    // Netty's codec, held to RFC 9112 where Netty is lenient (request smuggling defences).
    StrictHttpServerCodec codec = new StrictHttpServerCodec(decoder);
    p.addLast(PipelineNames.HTTP_CODEC, codec);
    p.addLast(PipelineNames.HEAD_TIMEOUT, new RequestHeadTimeoutHandler(px.settings().headerReadTimeout()));
    return codec;
  }

  private void addProxyHandlers(ChannelPipeline p, StrictHttpServerCodec codec) {
    // The h2c upgrade handler is put in front of the proxy only when a request asks for h2c: in the
    // pipeline of every connection it would cost about a tenth of the proxy's CPU on small requests.
    FrontendHandler proxy = new FrontendHandler(px, !h2c ? null : () -> http2.newUpgradeHandler(codec));
    if (px.caching() != null && px.config().current().caches()) {
      // from the first request: a hit must not need the proxy to see it first
      p.addLast(PipelineNames.CACHE, new CacheHandler(px, proxy.routes()));
    }
    p.addLast(PipelineNames.PROXY, proxy);
  }
}
