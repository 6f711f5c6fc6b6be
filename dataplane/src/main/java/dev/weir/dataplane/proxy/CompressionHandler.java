package dev.weir.dataplane.proxy;

import dev.weir.dataplane.compress.Compression;
import dev.weir.dataplane.compress.CompressionDecision;
import dev.weir.dataplane.compress.ContentEncoder;
import dev.weir.dataplane.compress.RequestCompression;
import dev.weir.dataplane.config.RuntimeConfig;
import dev.weir.dataplane.pipeline.PipelineNames;
import dev.weir.dataplane.routing.RouteMatch;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * Compresses the responses of routes with a {@code compression} policy, between the HTTP codec and
 * the proxy: it sees each request head on its way in (and negotiates {@code Accept-Encoding} then,
 * before the proxy rewrites the head) and each response on its way out, whoever made it (the
 * upstream, or the proxy itself). Responses leave in request order, so one queue entry per request
 * pairs them up. A handler of its own rather than a step of the exchange because the cache, which
 * sits in front of it, must store what it produces: compressed variants are cached and served
 * without compressing again.
 *
 * <p>Installed on a connection (or HTTP/2 stream) by the {@link FrontendHandler} the first time one of
 * its requests goes to a route that compresses ({@link #install}): the connections that never do pay
 * nothing for it, while one that did routes each later request itself (one more route lookup).
 *
 * <p>Flushes pass through without flushing the encoder: what the codec holds goes out at the end of the
 * body, since a sync flush per upstream read (the proxy flushes after each) would cost ratio on fast bodies.
 *
 * <p>HTTP/1.0 clients get identity bodies (as nginx's {@code gzip_http_version 1.1}): without
 * chunked encoding a body of unknown length would have to end the connection.
 */
public final class CompressionHandler extends ChannelDuplexHandler {

  /** The compression of the request whose response is next; {@link #NONE} for none. */
  private record Pending(Compression compression, RequestCompression request) {}

  private static final Pending NONE = new Pending(null, null);

  private final ProxyContext px;
  private final RouteMemo routes;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>(2);
  /** The encoder of the response being written, or null. */
  private ContentEncoder encoder;
  private boolean http2Stream;

  /** @param routes the proxy's request routes on this connection, so that each request is routed once */
  CompressionHandler(ProxyContext px, RouteMemo routes) {
    this.px = px;
    this.routes = routes;
  }

  /**
   * Puts a compression handler in front of {@code proxy} (unless there is one) and registers the
   * requests it has taken but not answered yet, in the order their responses will go out.
   */
  static boolean install(ChannelHandlerContext proxy, ProxyContext px, RouteMemo routes, Iterable<HttpRequest> unanswered) {
    if (proxy.pipeline().get(CompressionHandler.class) != null) {
      return true;
    }
    CompressionHandler h = new CompressionHandler(px, routes);
    proxy.pipeline().addBefore(proxy.name(), PipelineNames.COMPRESSION, h);
    for (HttpRequest r : unanswered) {
      h.pending.add(h.negotiate(r));
    }
    return true;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    http2Stream = ctx.channel() instanceof Http2StreamChannel;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      pending.add(negotiate(request));
    }
    ctx.fireChannelRead(msg);
  }

  private Pending negotiate(HttpRequest request) {
    RuntimeConfig config = px.config().current();
    if (!config.compresses() || request.protocolVersion().equals(HttpVersion.HTTP_1_0) || request.decoderResult().isFailure()) {
      return NONE;
    }
    Optional<RouteMatch> match = routes.route(request, config);
    Compression c = match.isEmpty() ? null : match.get().compression();
    return c == null ? NONE : new Pending(c, c.negotiate(request));
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response) {
      int code = response.status().code();
      if (code >= 100 && code < 200 && code != 101) {
        ctx.write(msg, promise); // interim: the final response still follows
        return;
      }
      closeEncoder(); // a response that never ended (the exchange failed): its encoder goes now
      Pending p = pending.isEmpty() ? NONE : pending.poll();
      if (p.compression() != null) {
        CompressionDecision d = p.compression().prepare(p.request(), response);
        if (d.compress()) {
          encoder = p.compression().newEncoder(d, ctx.alloc());
          px.stats().responseCompressed(d.coding().token());
          writeEncodedHead(ctx, response, promise);
          return;
        }
      }
      ctx.write(msg, promise);
      return;
    }
    if (msg instanceof HttpContent content && encoder != null) {
      writeEncoded(ctx, content, promise);
      return;
    }
    ctx.write(msg, promise);
  }

  /** The head (chunked for HTTP/1.1: the encoded length is not known yet), and the body if it came along. */
  private void writeEncodedHead(ChannelHandlerContext ctx, HttpResponse response, ChannelPromise promise) {
    if (!(response instanceof HttpContent content)) {
      frame(response);
      ctx.write(response, promise);
      return;
    }
    // A whole response in one message: encode it at once and say its length.
    HttpResponse head = new DefaultHttpResponse(response.protocolVersion(), response.status(), response.headers());
    ByteBuf body;
    try {
      body = encoder.finish(content.content().retain());
    } finally {
      encoder = null;
    }
    LastHttpContent last = new DefaultLastHttpContent(body);
    if (response instanceof FullHttpResponse full) {
      last.trailingHeaders().set(full.trailingHeaders());
    }
    ReferenceCountUtil.release(response);
    HttpUtil.setContentLength(head, body.readableBytes());
    head.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
    ctx.write(head, ctx.voidPromise());
    ctx.write(last, promise);
  }

  private void frame(HttpResponse head) {
    if (!http2Stream) {
      HttpUtil.setTransferEncodingChunked(head, true);
    }
  }

  private void writeEncoded(ChannelHandlerContext ctx, HttpContent content, ChannelPromise promise) {
    ByteBuf out;
    boolean last = content instanceof LastHttpContent;
    try {
      out = last ? encoder.finish(content.content().retain()) : encoder.encode(content.content().retain());
    } catch (RuntimeException e) {
      content.release();
      closeEncoder();
      promise.tryFailure(e);
      ctx.close(); // the body cannot be completed; a truncated encoded body must not look whole
      return;
    }
    if (last) {
      encoder = null;
      DefaultLastHttpContent end = new DefaultLastHttpContent(out);
      end.trailingHeaders().set(((LastHttpContent) content).trailingHeaders());
      content.release();
      ctx.write(end, promise);
      return;
    }
    content.release();
    if (out.isReadable()) {
      ctx.write(new DefaultHttpContent(out), promise);
    } else {
      out.release();
      promise.trySuccess(); // the codec keeps it for now; nothing to send yet
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closeEncoder();
    pending.clear();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    closeEncoder();
  }

  private void closeEncoder() {
    if (encoder != null) {
      encoder.close();
      encoder = null;
    }
  }
}
