package dev.weir.dataplane.testing;

import dev.weir.snapshot.Endpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cleartext HTTP/2 (prior knowledge) test upstream that answers the way a gRPC server does:
 * response headers, the request body echoed back as the response body, then trailers. It knows:
 * <ul>
 *   <li>any path: {@code :status 200}, {@code content-type} as requested, {@code x-backend},
 *       {@code x-seen-te} / {@code x-seen-authority} / {@code x-seen-path} / {@code x-seen-forwarded-for}
 *       (what arrived), the body echoed, then trailers {@code grpc-status: 0},
 *       {@code grpc-message: ok}, {@code x-body-bytes: <n>}</li>
 *   <li>{@code /trailers-only}: one header block that ends the stream, with {@code grpc-status: 12}
 *       (as gRPC answers an unimplemented method)</li>
 *   <li>{@code /reset}: RST_STREAM (INTERNAL_ERROR) instead of an answer</li>
 * </ul>
 */
public final class H2EchoBackend implements AutoCloseable {

  private final String name;
  private final EventLoopGroup group;
  private final Channel server;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger streams = new AtomicInteger();

  private final String bindAddress;

  /** Null for a cleartext backend. */
  private final BackendTls tls;

  private H2EchoBackend(String name, int maxConcurrentStreams, String bindAddress, BackendTls tls) throws InterruptedException {
    this.tls = tls;
    this.bindAddress = bindAddress;
    this.name = name;
    this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("h2-echo-" + name), NioIoHandler.newFactory());
    this.server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    connections.incrementAndGet();
                    if (tls == null) {
                      addHttp2(ch, maxConcurrentStreams);
                    } else {
                      // HTTP/2 only once the handshake is done: the server's SETTINGS must not go out before it.
                      ch.pipeline()
                          .addLast(tls.context().newHandler(ch.alloc()))
                          .addLast(tls.recorder(ctx -> addHttp2(ctx.channel(), maxConcurrentStreams)));
                    }
                  }
                })
            .bind(bindAddress, 0)
            .sync()
            .channel();
  }

  private void addHttp2(Channel ch, int maxConcurrentStreams) {
    ch.pipeline()
        .addLast(Http2FrameCodecBuilder.forServer().initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(maxConcurrentStreams)).build())
        .addLast(
            new Http2MultiplexHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel stream) {
                    streams.incrementAndGet();
                    stream.pipeline().addLast(new StreamEcho());
                  }
                }));
  }

  /** An HTTP/2 backend over TLS with {@code certificate}, ALPN h2, as a gRPC server with TLS is. */
  public static H2EchoBackend startTls(String name, TestPki.Leaf certificate) {
    try {
      return new H2EchoBackend(name, 1000, "127.0.0.1", new BackendTls(certificate, "h2"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SNI names the successful handshakes saw ("" for none); TLS backends only. */
  public java.util.List<String> serverNames() {
    return tls == null ? java.util.List.of() : tls.serverNames();
  }

  /** ALPN protocols the successful handshakes agreed on; TLS backends only. */
  public java.util.List<String> applicationProtocols() {
    return tls == null ? java.util.List.of() : tls.applicationProtocols();
  }

  public static H2EchoBackend start(String name) {
    return start(name, 1000);
  }

  public static H2EchoBackend start(String name, int maxConcurrentStreams) {
    return start(name, maxConcurrentStreams, "127.0.0.1");
  }

  /** @param bindAddress the address to listen on (and to give out in {@link #endpoint()}) */
  public static H2EchoBackend start(String name, int maxConcurrentStreams, String bindAddress) {
    try {
      return new H2EchoBackend(name, maxConcurrentStreams, bindAddress, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Endpoint endpoint() {
    return new Endpoint(bindAddress, port());
  }

  public int port() {
    return ((java.net.InetSocketAddress) server.localAddress()).getPort();
  }

  /** TCP connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** Streams (requests) seen so far. */
  public int streams() {
    return streams.get();
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }

  private final class StreamEcho extends ChannelInboundHandlerAdapter {
    private Http2Headers request;
    private ByteBuf body;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        boolean end;
        if (msg instanceof Http2HeadersFrame h) {
          if (request == null) {
            request = h.headers();
          }
          end = h.isEndStream();
        } else if (msg instanceof Http2DataFrame d) {
          if (body == null) {
            body = ctx.alloc().buffer();
          }
          body.writeBytes(d.content());
          end = d.isEndStream();
        } else {
          return;
        }
        if (end) {
          answer(ctx);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void answer(ChannelHandlerContext ctx) {
      String path = request.path() == null ? "" : request.path().toString();
      if (path.startsWith("/reset")) {
        release();
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
        return;
      }
      Http2Headers headers = new DefaultHttp2Headers().status("200");
      if (path.startsWith("/trailers-only")) {
        release();
        headers.add("content-type", "application/grpc").add("grpc-status", "12").add("grpc-message", "unimplemented");
        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));
        return;
      }
      CharSequence contentType = request.get("content-type");
      headers.add("content-type", contentType == null ? "application/octet-stream" : contentType);
      headers.add("x-backend", name);
      headers.add("x-seen-te", String.valueOf(request.get("te")));
      headers.add("x-seen-authority", String.valueOf(request.authority()));
      headers.add("x-seen-path", path);
      headers.add("x-seen-forwarded-for", String.valueOf(request.get("x-forwarded-for")));
      int n = body == null ? 0 : body.readableBytes();
      ctx.write(new DefaultHttp2HeadersFrame(headers, false));
      if (body != null) {
        ctx.write(new DefaultHttp2DataFrame(body, false));
        body = null; // the frame owns it now
      }
      Http2Headers trailers = new DefaultHttp2Headers().add("grpc-status", "0").add("grpc-message", "ok").add("x-body-bytes", Integer.toString(n));
      ctx.writeAndFlush(new DefaultHttp2HeadersFrame(trailers, true));
    }

    private void release() {
      if (body != null) {
        body.release();
        body = null;
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      release();
      ctx.fireChannelInactive();
    }
  }
}
