package dev.weir.dataplane.config;

import dev.weir.snapshot.ChannelMessage;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A controller side of the control channel, small enough to steer from a test. */
final class FakeController implements AutoCloseable {

  /** What the controller received, in order, tagged with the connection number (1-based). */
  record Received(int connection, ChannelMessage message) {}

  final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  final AtomicInteger connections = new AtomicInteger();
  /** Answer to each hello (null: none). */
  volatile Function<ChannelMessage.Hello, ChannelMessage> onHello = h -> null;
  /** Send heartbeats every 50 ms; false plays a controller that hangs. */
  volatile boolean heartbeats = true;
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private volatile Channel latest;
  private final io.netty.channel.group.ChannelGroup children =
      new io.netty.channel.group.DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);

  FakeController(int port) throws InterruptedException {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    int n = connections.incrementAndGet();
                    latest = ch;
                    children.add(ch);
                    ch.pipeline()
                        .addLast(new LengthFieldBasedFrameDecoder(ChannelMessage.MAX_FRAME_BYTES, 0, 4, 0, 4))
                        .addLast(new LengthFieldPrepender(4))
                        .addLast(ChannelMessageCodec.INSTANCE)
                        .addLast(
                            new SimpleChannelInboundHandler<ChannelMessage>() {
                              @Override
                              public void channelActive(ChannelHandlerContext ctx) {
                                ctx.executor().scheduleAtFixedRate(() -> {
                                  if (heartbeats && ctx.channel().isActive()) {
                                    ctx.writeAndFlush(new ChannelMessage.Heartbeat(System.currentTimeMillis()));
                                  }
                                }, 50, 50, TimeUnit.MILLISECONDS);
                              }

                              @Override
                              protected void channelRead0(ChannelHandlerContext ctx, ChannelMessage msg) {
                                received.add(new Received(n, msg));
                                if (msg instanceof ChannelMessage.Hello hello) {
                                  ChannelMessage answer = onHello.apply(hello);
                                  if (answer instanceof ChannelMessage.Refused) {
                                    ctx.writeAndFlush(answer).addListener(f -> ctx.close());
                                  } else if (answer != null) {
                                    ctx.writeAndFlush(answer);
                                  }
                                }
                              }
                            });
                  }
                })
            .bind("127.0.0.1", port)
            .sync()
            .channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  void send(ChannelMessage message) {
    latest.writeAndFlush(message);
  }

  /** Writes bytes as they are (no framing) on the latest connection: a part of a frame, say. */
  void sendRaw(byte[] bytes) {
    // From the first handler's context: straight to the socket, past the length prepender.
    latest.pipeline().firstContext().writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(bytes));
  }

  /** The next received message of the given type (skipping others), or fails after the timeout. */
  <T extends ChannelMessage> Received next(Class<T> type, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = end - System.nanoTime();
      Received r = left > 0 ? received.poll(left, TimeUnit.NANOSECONDS) : null;
      if (r == null) {
        throw new AssertionError("no " + type.getSimpleName() + " within " + timeout);
      }
      if (type.isInstance(r.message())) {
        return r;
      }
    }
  }

  <T extends ChannelMessage> T nextMessage(Class<T> type) throws InterruptedException {
    return type.cast(next(type, Duration.ofSeconds(5)).message());
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly();
    children.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }
}
