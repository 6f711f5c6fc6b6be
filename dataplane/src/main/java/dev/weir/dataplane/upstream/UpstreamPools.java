package dev.weir.dataplane.upstream;

import dev.weir.snapshot.UpstreamProtocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The upstream connection pools, one per event loop: a request's upstream connection is made on,
 * and pooled by, the event loop of its downstream connection, so no request ever hops threads.
 */
public final class UpstreamPools implements UpstreamConnector {

  private final Bootstrap template;
  private final Duration idleTimeout;
  private final int maxIdlePerEndpoint;
  private final Map<EventLoop, ConnectionPool> pools = new ConcurrentHashMap<>();
  /** Null when H2C upstreams are not set up (then they fail to connect). */
  private final Bootstrap h2Template;
  private final ChannelHandler h2StreamInitializer;
  private final Map<EventLoop, Http2ConnectionPool> h2Pools = new ConcurrentHashMap<>();

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
    this(socketChannel, initializer, null, null, connectTimeout, idleTimeout, maxIdlePerEndpoint);
  }

  /**
   * @param h2Initializer sets up each new H2C connection (HTTP/2 codec and multiplexer)
   * @param h2StreamInitializer sets up each stream channel of an H2C connection (message codec and relay handler)
   */
  public UpstreamPools(
      Class<? extends Channel> socketChannel,
      ChannelHandler initializer,
      ChannelHandler h2Initializer,
      ChannelHandler h2StreamInitializer,
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
    // An HTTP/2 connection must always read (SETTINGS, PING, WINDOW_UPDATE, GOAWAY); backpressure
    // is per stream, where AUTO_READ is off and unread DATA holds back the flow-control window.
    this.h2Template = h2Initializer == null ? null : template.clone().option(ChannelOption.AUTO_READ, true).handler(h2Initializer);
    this.h2StreamInitializer = h2StreamInitializer;
  }

  @Override
  public Future<Channel> acquire(
      EventLoop loop, InetSocketAddress endpoint, UpstreamProtocol protocol, UpstreamTlsContext tls, long connectTimeoutMillis, boolean fresh) {
    if (protocol == UpstreamProtocol.H2C) {
      if (h2Template == null) {
        return loop.newFailedFuture(new UnsupportedOperationException("H2C upstreams are not set up"));
      }
      Http2ConnectionPool h2 = h2Pools.get(loop); // a plain get first, as in pool()
      if (h2 == null) {
        h2 = h2Pools.computeIfAbsent(loop, l -> new Http2ConnectionPool(l, h2Template, h2StreamInitializer));
      }
      return h2.acquire(endpoint, tls, connectTimeoutMillis);
    }
    return pool(loop).acquire(endpoint, tls, fresh, connectTimeoutMillis);
  }

  @Override
  public void release(Channel channel) {
    if (channel instanceof Http2StreamChannel) {
      channel.close(); // a stream serves one exchange; closing one that ended cleanly sends nothing
    } else {
      pool(channel.eventLoop()).release(channel);
    }
  }

  /** Idle plain connections to {@code endpoint} pooled on {@code loop}; call on that loop (tests use it). */
  public int idleCount(EventLoop loop, InetSocketAddress endpoint) {
    return idleCount(loop, endpoint, null);
  }

  /** Idle connections to {@code endpoint} with these TLS settings (null: plain) pooled on {@code loop}; call on that loop. */
  @Override
  public int idleCount(EventLoop loop, InetSocketAddress endpoint, UpstreamTlsContext tls) {
    return pool(loop).idleCount(endpoint, tls);
  }

  @Override
  public boolean hasHttp2Connection(EventLoop loop, InetSocketAddress endpoint, UpstreamTlsContext tls) {
    Http2ConnectionPool pool = h2Pools.get(loop);
    return pool != null && pool.hasConnection(endpoint, tls);
  }

  @Override
  public boolean closeIdle(EventLoop loop, Predicate<Channel> which) {
    if (pool(loop).closeIdle(which)) {
      return true;
    }
    Http2ConnectionPool h2 = h2Pools.get(loop);
    return h2 != null && h2.closeIdle(which);
  }

  /** Closes every idle connection; later releases close instead of pooling. */
  public void close() {
    for (Map.Entry<EventLoop, ConnectionPool> e : pools.entrySet()) {
      onLoop(e.getKey(), e.getValue()::closeAll);
    }
    for (Map.Entry<EventLoop, Http2ConnectionPool> e : h2Pools.entrySet()) {
      onLoop(e.getKey(), e.getValue()::closeAll);
    }
  }

  /**
   * The bootstrap to connect with: {@code bootstrap} itself, or for a route with its own connect
   * timeout, or a TLS cluster, a copy with that timeout and the TLS context for the channel initializer
   * (only new connections of such clusters pay for the copy). The connect timeout also bounds the handshake.
   */
  static Bootstrap bootstrapFor(Bootstrap bootstrap, UpstreamTlsContext tls, long connectTimeoutMillis) {
    if (connectTimeoutMillis <= 0 && tls == null) {
      return bootstrap;
    }
    Bootstrap b = bootstrap.clone();
    if (connectTimeoutMillis > 0) {
      b.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeoutMillis));
    }
    return tls == null ? b : b.attr(UpstreamTlsContext.ATTRIBUTE, tls);
  }

  private static void onLoop(EventLoop loop, Runnable task) {
    if (loop.inEventLoop()) {
      task.run();
    } else if (!loop.isShuttingDown()) {
      loop.execute(task);
    }
  }

  private ConnectionPool pool(EventLoop loop) {
    ConnectionPool pool = pools.get(loop); // a plain get first: the capturing lambda below allocates on every call
    return pool != null ? pool : pools.computeIfAbsent(loop, l -> new ConnectionPool(l, template, idleTimeout, maxIdlePerEndpoint));
  }
}
