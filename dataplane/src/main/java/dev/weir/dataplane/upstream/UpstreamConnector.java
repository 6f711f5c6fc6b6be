package dev.weir.dataplane.upstream;

import dev.weir.snapshot.UpstreamProtocol;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.function.Predicate;

/**
 * Hands out upstream connections on a given event loop, so that a request and its upstream
 * connection share one thread. Called only from that event loop.
 */
public interface UpstreamConnector {

  /** Set on a connection that served an earlier request (it may have been closed by the upstream meanwhile). */
  AttributeKey<Boolean> REUSED = AttributeKey.valueOf(UpstreamConnector.class, "reused");

  /**
   * Set on a new upstream connection once it is ready: how long its connect (and TLS handshake, and for
   * HTTP/2 the server's first SETTINGS) took, in nanoseconds. The first request to use it takes it
   * ({@code getAndSet(null)}) to measure it once; on an HTTP/2 stream, look at the stream's parent.
   */
  AttributeKey<Long> CONNECT_NANOS = AttributeKey.valueOf(UpstreamConnector.class, "connectNanos");

  /**
   * A channel to {@code endpoint} whose event loop is {@code loop}, ready for one request: for
   * HTTP/1.1 an idle pooled connection unless {@code fresh}, else a new connection; for H2C a new
   * stream on a shared connection. Its AUTO_READ is off.
   *
   * @param tls null for plain TCP; else a connection with these TLS settings only, handed out once its
   *     handshake succeeded. A failed handshake fails the future with its {@link javax.net.ssl.SSLException}
   *     ({@link io.netty.handler.ssl.SslHandshakeTimeoutException} when it ran out of the connect timeout).
   * @param connectTimeoutMillis for a new connection (and its TLS handshake); 0 means the connector's
   *     default. A connect that runs out of time fails with {@link io.netty.channel.ConnectTimeoutException}.
   */
  Future<Channel> acquire(
      EventLoop loop, InetSocketAddress endpoint, UpstreamProtocol protocol, UpstreamTlsContext tls, long connectTimeoutMillis, boolean fresh);

  /** A plain connection. */
  default Future<Channel> acquire(EventLoop loop, InetSocketAddress endpoint, UpstreamProtocol protocol, long connectTimeoutMillis, boolean fresh) {
    return acquire(loop, endpoint, protocol, null, connectTimeoutMillis, fresh);
  }

  /** A plain HTTP/1.1 connection with the default connect timeout. */
  default Future<Channel> acquire(EventLoop loop, InetSocketAddress endpoint, boolean fresh) {
    return acquire(loop, endpoint, UpstreamProtocol.HTTP1, null, 0, fresh);
  }

  /** Gives back a connection that finished a request/response cleanly and may serve another. */
  void release(Channel channel);

  static boolean isReused(Channel channel) {
    return Boolean.TRUE.equals(channel.attr(REUSED).get());
  }

  /**
   * Idle pooled HTTP/1.1 connections to {@code endpoint} with these TLS settings on {@code loop} (so
   * an acquire would not open a new one); call on that loop. A connector that cannot tell says
   * {@link Integer#MAX_VALUE}.
   */
  default int idleCount(EventLoop loop, InetSocketAddress endpoint, UpstreamTlsContext tls) {
    return Integer.MAX_VALUE;
  }

  /**
   * Whether an HTTP/2 acquire to {@code endpoint} with these TLS settings on {@code loop} would use a
   * connection that exists (ready or still connecting) instead of opening one; call on that loop. A
   * connector that cannot tell says true.
   */
  default boolean hasHttp2Connection(EventLoop loop, InetSocketAddress endpoint, UpstreamTlsContext tls) {
    return true;
  }

  /**
   * Closes one idle connection on {@code loop} that {@code which} accepts, to make room for a new one:
   * an HTTP/1.1 connection idle in the pool (the longest idle first), or an HTTP/2 connection without
   * an open stream. Call on that loop; the close is done (and its close listeners ran) when this returns
   * true. A connector that cannot tell closes nothing.
   */
  default boolean closeIdle(EventLoop loop, Predicate<Channel> which) {
    return false;
  }
}
