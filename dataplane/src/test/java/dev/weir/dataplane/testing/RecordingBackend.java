package dev.weir.dataplane.testing;

import dev.weir.snapshot.Endpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test upstream on 127.0.0.1 that records everything it receives: the raw bytes of every
 * connection (so a test can assert that a smuggled request never arrived, however it was framed)
 * and every request it decoded. It answers {@code 200} with {@code x-body-bytes} (the request body
 * length) and the body {@code ok <target>}, except on these paths:
 * <ul>
 *   <li>{@code /hang}: never answers</li>
 *   <li>{@code /rst}: resets the connection (SO_LINGER 0) as soon as the request head arrives</li>
 *   <li>{@code /rst-mid}: sends a head announcing 1 MiB and 16 KiB of it, then resets the connection</li>
 * </ul>
 */
public final class RecordingBackend implements AutoCloseable {

  /** A request as the backend decoded it; {@code bodyBytes} is -1 until its end arrived. */
  public record Seen(String method, String target, HttpHeaders headers, long bodyBytes) {

    public String header(String name) {
      return headers.get(name);
    }
  }

  private final EventLoopGroup group;
  private final Channel server;
  private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final StringBuffer raw = new StringBuffer();
  private final List<Seen> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();

  private RecordingBackend() throws InterruptedException {
    group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("recording-backend"), NioIoHandler.newFactory());
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    accepted.incrementAndGet();
                    open.incrementAndGet();
                    children.add(ch);
                    ch.closeFuture().addListener(f -> open.decrementAndGet());
                    ch.pipeline().addLast(new Tap()).addLast(new HttpServerCodec()).addLast(new Answerer());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  public static RecordingBackend start() {
    try {
      return new RecordingBackend();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Endpoint endpoint() {
    return new Endpoint("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort());
  }

  /** Every byte received on every connection so far, as ISO-8859-1 text (in arrival order per connection). */
  public String raw() {
    return raw.toString();
  }

  /** The request heads decoded so far, in arrival order. */
  public List<Seen> requests() {
    return List.copyOf(requests);
  }

  /** The targets of {@link #requests()}. */
  public List<String> targets() {
    return requests.stream().map(Seen::target).toList();
  }

  public int connectionsAccepted() {
    return accepted.get();
  }

  public int openConnections() {
    return open.get();
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly();
    children.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private static void reset(ChannelHandlerContext ctx) {
    ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
    ctx.close();
  }

  /** Records the raw bytes before the codec sees them. */
  private final class Tap extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf buf) {
        raw.append(buf.toString(StandardCharsets.ISO_8859_1));
      }
      ctx.fireChannelRead(msg);
    }
  }

  private final class Answerer extends SimpleChannelInboundHandler<HttpObject> {
    private HttpRequest head;
    private int index;
    private long body;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpRequest r) {
        head = r;
        body = 0;
        index = requests.size();
        requests.add(new Seen(r.method().name(), r.uri(), r.headers().copy(), -1));
        if (r.uri().startsWith("/rst") && !r.uri().startsWith("/rst-mid")) {
          reset(ctx);
          return;
        }
      }
      if (msg instanceof HttpContent c && head != null) {
        body += c.content().readableBytes();
        if (c instanceof LastHttpContent) {
          HttpRequest r = head;
          head = null;
          Seen s = requests.get(index);
          requests.set(index, new Seen(s.method(), s.target(), s.headers(), body));
          answer(ctx, r);
        }
      }
    }

    private void answer(ChannelHandlerContext ctx, HttpRequest r) {
      String target = r.uri();
      if (target.startsWith("/hang")) {
        return;
      }
      if (target.startsWith("/rst-mid")) {
        HttpResponse h = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setContentLength(h, 1 << 20);
        ctx.write(h);
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[16 * 1024])))
            .addListener(f -> ctx.channel().eventLoop().schedule(() -> reset(ctx), 50, TimeUnit.MILLISECONDS));
        return;
      }
      FullHttpResponse resp =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.copiedBuffer("ok " + target, StandardCharsets.UTF_8));
      resp.headers()
          .setInt(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes())
          .set("x-body-bytes", Long.toString(body));
      boolean keepAlive = HttpUtil.isKeepAlive(r);
      if (!keepAlive) {
        resp.headers().set(HttpHeaderNames.CONNECTION, "close");
      }
      var f = ctx.writeAndFlush(resp);
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
