package dev.weir.dataplane.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Idle keep-alive connections of one event loop, per endpoint and TLS settings ({@link PoolKey}); a TLS
 * connection is handed out (and so ever pooled) only after its handshake succeeded. Not thread-safe by design: only
 * its event loop touches it, so there are no locks on the request path.
 *
 * <p>An idle connection keeps a read armed; its handler closes it on anything that arrives (the
 * upstream closing it, or stray bytes), and the close removes it from the pool, so a connection the
 * upstream closed is not handed out again. Idle connections are also closed after {@code idleTimeout}:
 * each records when it went idle, and one sweep per pool, due only while connections idle, closes
 * the expired ones (a timer per release and a cancel per reuse cost more than the request they serve).
 */
final class ConnectionPool {

  private static final AttributeKey<PoolKey> KEY = AttributeKey.valueOf(ConnectionPool.class, "key");
  private static final AttributeKey<Long> IDLE_SINCE = AttributeKey.valueOf(ConnectionPool.class, "idleSince");

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final Duration idleTimeout;
  private final int maxIdlePerEndpoint;
  private final Map<PoolKey, ArrayDeque<Channel>> idle = new HashMap<>();
  private boolean closed;
  private ScheduledFuture<?> sweep;

  ConnectionPool(EventLoop loop, Bootstrap template, Duration idleTimeout, int maxIdlePerEndpoint) {
    this.loop = loop;
    this.bootstrap = template.clone(loop);
    this.idleTimeout = idleTimeout;
    this.maxIdlePerEndpoint = maxIdlePerEndpoint;
  }

  /**
   * @param tls null: plain TCP
   * @param connectTimeoutMillis 0: the bootstrap's
   */
  Future<Channel> acquire(InetSocketAddress endpoint, UpstreamTlsContext tls, boolean fresh, long connectTimeoutMillis) {
    PoolKey key = new PoolKey(endpoint, tls);
    if (!fresh) {
      ArrayDeque<Channel> channels = idle.get(key);
      Channel ch;
      while (channels != null && (ch = channels.pollLast()) != null) {
        if (ch.isActive()) {
          ch.attr(UpstreamConnector.REUSED).set(Boolean.TRUE);
          return loop.newSucceededFuture(ch);
        }
        ch.close();
      }
    }
    Promise<Channel> promise = loop.newPromise();
    long startedAt = loop.ticker().nanoTime();
    ChannelFuture connect = UpstreamPools.bootstrapFor(bootstrap, tls, connectTimeoutMillis).connect(endpoint);
    Channel ch = connect.channel();
    ch.attr(KEY).set(key);
    // Before anyone else's listener: the acquirer reads it when the promise completes.
    promise.addListener(f -> {
      if (f.isSuccess()) {
        ch.attr(UpstreamConnector.CONNECT_NANOS).set(loop.ticker().nanoTime() - startedAt);
      }
    });
    ch.closeFuture().addListener(f -> forget(ch));
    connect.addListener(
        f -> {
          if (f.isSuccess()) {
            TlsHandshakes.whenDone(ch, promise);
          } else {
            promise.tryFailure(f.cause());
          }
        });
    return promise;
  }

  void release(Channel ch) {
    PoolKey key = ch.attr(KEY).get();
    if (closed || key == null || !ch.isActive()) {
      ch.close();
      return;
    }
    ArrayDeque<Channel> channels = idle.computeIfAbsent(key, e -> new ArrayDeque<>());
    if (channels.size() >= maxIdlePerEndpoint) {
      ch.close();
      return;
    }
    channels.addLast(ch);
    ch.attr(IDLE_SINCE).set(loop.ticker().nanoTime());
    if (sweep == null) {
      sweep = loop.schedule(this::sweep, idleTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }
    ch.read();
  }

  /** Closes the connections idle for longer than the timeout; comes again while any connection idles. */
  private void sweep() {
    sweep = null;
    if (closed) {
      return;
    }
    long now = loop.ticker().nanoTime();
    long timeout = idleTimeout.toNanos();
    long nextDue = Long.MAX_VALUE;
    List<Channel> expired = new ArrayList<>();
    for (ArrayDeque<Channel> channels : idle.values()) {
      for (Channel ch : channels) {
        long since = ch.attr(IDLE_SINCE).get();
        if (now - since >= timeout) {
          expired.add(ch);
        } else {
          nextDue = Math.min(nextDue, since + timeout - now);
        }
      }
    }
    expired.forEach(Channel::close); // the close listener takes them out of the pool
    if (nextDue != Long.MAX_VALUE) {
      sweep = loop.schedule(this::sweep, nextDue, TimeUnit.NANOSECONDS);
    }
  }

  int idleCount(InetSocketAddress endpoint, UpstreamTlsContext tls) {
    ArrayDeque<Channel> channels = idle.get(new PoolKey(endpoint, tls));
    return channels == null ? 0 : channels.size();
  }

  /** Closes the longest idle connection {@code which} accepts; whether there was one. */
  boolean closeIdle(Predicate<Channel> which) {
    Channel oldest = null;
    long oldestSince = Long.MAX_VALUE;
    for (ArrayDeque<Channel> channels : idle.values()) {
      for (Channel ch : channels) { // each deque is in release order: its first match is its oldest
        if (which.test(ch)) {
          long since = ch.attr(IDLE_SINCE).get();
          if (since < oldestSince) {
            oldest = ch;
            oldestSince = since;
          }
          break;
        }
      }
    }
    if (oldest == null) {
      return false;
    }
    forget(oldest);
    oldest.close();
    return true;
  }

  void closeAll() {
    closed = true;
    if (sweep != null) {
      sweep.cancel(false);
      sweep = null;
    }
    // Closing runs the close listener, which edits the map: close from a copy.
    List<Channel> all = new ArrayList<>();
    idle.values().forEach(all::addAll);
    idle.clear();
    all.forEach(Channel::close);
  }

  private void forget(Channel ch) {
    PoolKey key = ch.attr(KEY).get();
    ArrayDeque<Channel> channels = key == null ? null : idle.get(key);
    if (channels != null) {
      channels.remove(ch);
      if (channels.isEmpty()) {
        idle.remove(key);
      }
    }
  }

}
