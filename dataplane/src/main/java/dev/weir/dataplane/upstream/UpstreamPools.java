package dev.weir.dataplane.upstream;

import dev.weir.snapshot.UpstreamProtocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The upstream connection pools, one per event loop: a request's upstream connection is made on,
 * and pooled by, the event loop of its downstream connection, so no request ever hops threads.
 */
public final class UpstreamPools implements UpstreamConnector {

  private final Bootstrap template;
  private final Duration idleTimeout;
  private final int maxIdlePerEndpoint;
  private final Map<EventLoop, ConnectionPool> pools = new ConcurrentHashMap<>();

  /**
   * @param socketChannel the transport's client socket channel class
   * @param initializer sets up each new upstream channel's pipeline (codec and relay handler)
   */
  public UpstreamPools(
      Class<? extends Channel> socketChannel,
      ChannelHandler initializer,
      Duration connectTimeout,
      Duration idleTimeout,
      int maxIdlePerEndpoint) {
    this.template =
        new Bootstrap()
            .channel(socketChannel)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
            .handler(initializer);
    this.idleTimeout = idleTimeout;
    this.maxIdlePerEndpoint = maxIdlePerEndpoint;
  }

  @Override
  public Future<Channel> acquire(EventLoop loop, InetSocketAddress endpoint, UpstreamProtocol protocol, long connectTimeoutMillis, boolean fresh) {
    if (protocol == UpstreamProtocol.H2C) {
      return loop.newFailedFuture(new UnsupportedOperationException("H2C upstreams are not supported yet"));
    }
    return pool(loop).acquire(endpoint, fresh, connectTimeoutMillis);
  }

  @Override
  public void release(Channel channel) {
    pool(channel.eventLoop()).release(channel);
  }

  /** Idle connections to {@code endpoint} pooled on {@code loop}; call on that loop (tests use it). */
  public int idleCount(EventLoop loop, InetSocketAddress endpoint) {
    return pool(loop).idleCount(endpoint);
  }

  /** Closes every idle connection; later releases close instead of pooling. */
  public void close() {
    for (Map.Entry<EventLoop, ConnectionPool> e : pools.entrySet()) {
      if (e.getKey().inEventLoop()) {
        e.getValue().closeAll();
      } else if (!e.getKey().isShuttingDown()) {
        e.getKey().execute(e.getValue()::closeAll);
      }
    }
  }

  private ConnectionPool pool(EventLoop loop) {
    return pools.computeIfAbsent(loop, l -> new ConnectionPool(l, template, idleTimeout, maxIdlePerEndpoint));
  }
}
