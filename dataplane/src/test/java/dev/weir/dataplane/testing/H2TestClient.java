package dev.weir.dataplane.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An HTTP/2 client for tests that speaks cleartext HTTP/2 with prior knowledge (as gRPC clients
 * and {@code curl --http2-prior-knowledge} do) over one connection, many streams at once. It reports
 * what arrived frame by frame: the response headers, the body, and trailers as a separate block.
 */
public final class H2TestClient implements AutoCloseable {

  /**
   * @param headers the first (final, non-1xx) header block
   * @param trailers the header block after the body, or null when there was none
   * @param reset the RST_STREAM error code if the stream was reset, else -1
   */
  public record Response(Http2Headers headers, byte[] body, Http2Headers trailers, long reset) {
    public int status() {
      return Integer.parseInt(headers.status().toString());
    }

    public String header(String name) {
      CharSequence v = headers.get(name);
      return v == null ? null : v.toString();
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** A {@code key=value} line of an {@link EchoBackend} answer. */
    public String echo(String key) {
      for (String line : text().split("\n")) {
        if (line.startsWith(key + "=")) {
          return line.substring(key.length() + 1);
        }
      }
      return null;
    }
  }

  private final EventLoopGroup group;
  private final Channel connection;
  private final AtomicBoolean goAway = new AtomicBoolean();

  private H2TestClient(int port) throws InterruptedException {
    group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("h2-test-client"), NioIoHandler.newFactory());
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(Http2FrameCodecBuilder.forClient().build())
                        .addLast(
                            new Http2MultiplexHandler(
                                new ChannelInboundHandlerAdapter() {
                                  @Override
                                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ReferenceCountUtil.release(msg); // no pushes expected
                                  }
                                }))
                        .addLast(
                            new ChannelInboundHandlerAdapter() {
                              @Override
                              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof Http2GoAwayFrame) {
                                  goAway.set(true);
                                }
                                ReferenceCountUtil.release(msg);
                              }
                            });
                  }
                });
    connection = b.connect("127.0.0.1", port).sync().channel();
  }

  public static H2TestClient connect(int port) {
    try {
      return new H2TestClient(port);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Whether the server sent GOAWAY. */
  public boolean goAwayReceived() {
    return goAway.get();
  }

  public boolean isOpen() {
    return connection.isActive();
  }

  public Response get(String authority, String path) {
    return request("GET", authority, path, Map.of(), null);
  }

  /** Sends one request on a new stream and waits (up to 10 s) for its whole response. */
  public Response request(String method, String authority, String path, Map<String, String> headers, byte[] body) {
    try {
      return send(method, authority, path, headers, body).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new UncheckedIOException(new IOException("stream failed: " + e.getCause(), e.getCause()));
    } catch (InterruptedException | TimeoutException e) {
      throw new IllegalStateException("no complete response in 10 s for " + method + " " + path, e);
    }
  }

  /** Sends one request on a new stream; the future completes with the response (or the reset). */
  public CompletableFuture<Response> send(String method, String authority, String path, Map<String, String> headers, byte[] body) {
    CompletableFuture<Response> result = new CompletableFuture<>();
    Http2Headers h = new DefaultHttp2Headers().method(method).scheme("http").authority(authority).path(path);
    headers.forEach((k, v) -> h.add(k.toLowerCase(java.util.Locale.ROOT), v));
    new Http2StreamChannelBootstrap(connection)
        .handler(new ResponseCollector(result))
        .open()
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                return;
              }
              Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
              boolean hasBody = body != null;
              stream.write(new DefaultHttp2HeadersFrame(h, !hasBody));
              if (hasBody) {
                stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
              }
              stream.flush();
            });
    return result;
  }

  /** Collects one stream's response frames. */
  private static final class ResponseCollector extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Response> result;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private Http2Headers headers;
    private Http2Headers trailers;

    ResponseCollector(CompletableFuture<Response> result) {
      this.result = result;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        boolean end = false;
        if (msg instanceof Http2HeadersFrame hf) {
          CharSequence status = hf.headers().status();
          if (headers == null && status != null && status.length() == 3 && status.charAt(0) == '1') {
            return; // an interim response
          }
          if (headers == null) {
            headers = hf.headers();
          } else {
            trailers = hf.headers();
          }
          end = hf.isEndStream();
        } else if (msg instanceof Http2DataFrame df) {
          ByteBuf data = df.content();
          body.writeBytes(ByteBufUtil.getBytes(data));
          end = df.isEndStream();
        } else if (msg instanceof Http2ResetFrame rst) {
          result.complete(new Response(headers == null ? new DefaultHttp2Headers() : headers, body.toByteArray(), trailers, rst.errorCode()));
          return;
        }
        if (end) {
          result.complete(new Response(headers, body.toByteArray(), trailers, -1));
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      result.completeExceptionally(new IOException("stream closed before the response ended"));
    }
  }

  @Override
  public void close() {
    connection.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }
}
