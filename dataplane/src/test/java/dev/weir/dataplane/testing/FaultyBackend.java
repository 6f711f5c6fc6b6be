package dev.weir.dataplane.testing;

import dev.weir.snapshot.Endpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
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
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test upstream on 127.0.0.1 that misbehaves on purpose, in the {@link Mode} set (and changeable)
 * at any time. Healthy answers are 200 with the body {@code backend=<name>\nbody-bytes=<n>\n} and
 * header {@code x-backend}. It counts requests and keeps the Host header of each (for mirror tests).
 * {@link #kill()} closes the listener and every connection, as a backend that died.
 */
public final class FaultyBackend implements AutoCloseable {

  public enum Mode {
    /** Answers 200. */
    OK,
    /** Reads the request and never answers. */
    HANG,
    /** Every second request (the 1st, 3rd, ...) gets 503, the others 200. */
    HALF_503,
    /** Always 503. */
    ALWAYS_503,
    /** Resets the connection (SO_LINGER 0, then close) on every request. */
    RESET,
    /** Answers 200 after {@link #delayMillis}. */
    SLOW,
    /** Answers 503 after {@link #delayMillis}. */
    SLOW_503
  }

  private final String name;
  private final EventLoopGroup group;
  private final Channel server;
  private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger sequence = new AtomicInteger();
  private final List<String> hosts = new CopyOnWriteArrayList<>();
  private final List<Integer> bodySizes = new CopyOnWriteArrayList<>();
  private volatile Mode mode;
  private volatile long delayMillis = 200;

  private FaultyBackend(String name, Mode mode) {
    this.name = name;
    this.mode = mode;
    this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("faulty-" + name), NioIoHandler.newFactory());
    this.server = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            children.add(ch);
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Handler());
          }
        })
        .bind("127.0.0.1", 0)
        .syncUninterruptibly()
        .channel();
  }

  public static FaultyBackend start(String name, Mode mode) {
    return new FaultyBackend(name, mode);
  }

  public String name() {
    return name;
  }

  public Endpoint endpoint() {
    return new Endpoint("127.0.0.1", ((java.net.InetSocketAddress) server.localAddress()).getPort());
  }

  public FaultyBackend mode(Mode m) {
    mode = m;
    return this;
  }

  public FaultyBackend delayMillis(long ms) {
    delayMillis = ms;
    return this;
  }

  /** Request heads received. */
  public int requests() {
    return requests.get();
  }

  /** Responses written (of any status). */
  public int answered() {
    return answered.get();
  }

  /** The Host header of every request, in order. */
  public List<String> hosts() {
    return List.copyOf(hosts);
  }

  /** The body size of every request, in order. */
  public List<Integer> bodySizes() {
    return List.copyOf(bodySizes);
  }

  /** Closes the listener and every open connection: a backend that died. */
  public void kill() {
    server.close().syncUninterruptibly();
    children.close().syncUninterruptibly();
  }

  @Override
  public void close() {
    kill();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      requests.incrementAndGet();
      hosts.add(String.valueOf(req.headers().get(HttpHeaderNames.HOST)));
      int bodyBytes = req.content().readableBytes();
      bodySizes.add(bodyBytes);
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      switch (mode) {
        case OK -> answer(ctx, HttpResponseStatus.OK, bodyBytes, keepAlive);
        case HANG -> { }
        case HALF_503 -> answer(ctx, sequence.getAndIncrement() % 2 == 0 ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK,
            bodyBytes, keepAlive);
        case ALWAYS_503 -> answer(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, bodyBytes, keepAlive);
        case RESET -> {
          ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
          ctx.close();
        }
        case SLOW -> ctx.executor().schedule(() -> answer(ctx, HttpResponseStatus.OK, bodyBytes, keepAlive), delayMillis, TimeUnit.MILLISECONDS);
        case SLOW_503 -> ctx.executor().schedule(() -> answer(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, bodyBytes, keepAlive), delayMillis,
            TimeUnit.MILLISECONDS);
      }
    }

    private void answer(ChannelHandlerContext ctx, HttpResponseStatus status, int bodyBytes, boolean keepAlive) {
      if (!ctx.channel().isActive()) {
        return;
      }
      ByteBuf body = Unpooled.copiedBuffer("backend=" + name + "\nbody-bytes=" + bodyBytes + "\n", StandardCharsets.UTF_8);
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
      r.headers().set("x-backend", name).setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      if (!keepAlive) {
        r.headers().set(HttpHeaderNames.CONNECTION, "close");
      }
      answered.incrementAndGet();
      var f = ctx.writeAndFlush(r);
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
