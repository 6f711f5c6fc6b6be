package dev.weir.dataplane.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.StandardSocketOptions;
import java.util.function.Supplier;

/**
 * The I/O transport: native epoll when it loads (fewer system calls, SO_REUSEPORT), NIO otherwise.
 *
 * @param name {@code epoll} or {@code nio}, for logs
 */
public record Transport(
    String name,
    Supplier<IoHandlerFactory> ioHandlerFactory,
    Class<? extends ServerChannel> serverChannel,
    Class<? extends Channel> socketChannel,
    ChannelOption<Boolean> reusePortOption) {

  /**
   * The transport named by {@code -Dweir.transport} or {@code WEIR_TRANSPORT} ({@code io_uring}, {@code epoll},
   * {@code nio}) when it loads here, else the best one that does.
   */
  public static Transport detect() {
    String wanted = System.getProperty("weir.transport", System.getenv().getOrDefault("WEIR_TRANSPORT", ""));
    if (wanted.equals("nio")) return nio();
    if (wanted.equals("io_uring") && IoUring.isAvailable()) {
      return new Transport("io_uring", IoUringIoHandler::newFactory, IoUringServerSocketChannel.class,
          IoUringSocketChannel.class, IoUringChannelOption.SO_REUSEPORT);
    }
    if (Epoll.isAvailable()) {
      return new Transport("epoll", EpollIoHandler::newFactory, EpollServerSocketChannel.class, EpollSocketChannel.class, EpollChannelOption.SO_REUSEPORT);
    }
    return nio();
  }

  public static Transport nio() {
    return new Transport(
        "nio", NioIoHandler::newFactory, NioServerSocketChannel.class, NioSocketChannel.class, NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT));
  }

  /** An event loop group of {@code threads} threads named {@code <prefix>-N}. */
  public EventLoopGroup newGroup(int threads, String threadPrefix) {
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadPrefix), ioHandlerFactory.get());
  }
}
