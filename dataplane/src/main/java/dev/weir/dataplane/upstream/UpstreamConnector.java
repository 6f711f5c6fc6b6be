package dev.weir.dataplane.upstream;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;

/**
 * Hands out upstream connections on a given event loop, so that a request and its upstream
 * connection share one thread. Called only from that event loop.
 */
public interface UpstreamConnector {

  /** Set on a connection that served an earlier request (it may have been closed by the upstream meanwhile). */
  AttributeKey<Boolean> REUSED = AttributeKey.valueOf(UpstreamConnector.class, "reused");

  /**
   * A connected channel to {@code endpoint} whose event loop is {@code loop}: an idle pooled one
   * unless {@code fresh}, else a new connection. Its AUTO_READ is off.
   */
  Future<Channel> acquire(EventLoop loop, InetSocketAddress endpoint, boolean fresh);

  /** Gives back a connection that finished a request/response cleanly and may serve another. */
  void release(Channel channel);

  static boolean isReused(Channel channel) {
    return Boolean.TRUE.equals(channel.attr(REUSED).get());
  }
}
