package dev.weir.dataplane.proxy;

import dev.weir.snapshot.UpstreamProtocol;
import dev.weir.dataplane.upstream.UpstreamConnector;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link UpstreamConnector} that hands out {@link EmbeddedChannel}s with a {@link BackendHandler},
 * so a test plays the upstream by reading the requests it gets and writing responses into it.
 */
final class FakeUpstreams implements UpstreamConnector {

  final List<InetSocketAddress> acquired = new ArrayList<>();
  final List<Boolean> fresh = new ArrayList<>();
  final List<Channel> released = new ArrayList<>();
  final List<EmbeddedChannel> handedOut = new ArrayList<>();
  private final ArrayDeque<Object> next = new ArrayDeque<>();
  /** When set, acquisitions stay pending until the test completes this promise. */
  Promise<Channel> pending;
  boolean holdNext;

  /** The next acquire gets a new upstream channel (marked reused if asked). */
  EmbeddedChannel willConnect(boolean reused) {
    EmbeddedChannel ch = new EmbeddedChannel(new BackendHandler());
    if (reused) {
      ch.attr(REUSED).set(true);
    }
    next.add(ch);
    return ch;
  }

  /** The next acquire gets a new upstream channel with {@code outbound} in front of its relay handler. */
  EmbeddedChannel willConnect(boolean reused, io.netty.channel.ChannelHandler outbound) {
    EmbeddedChannel ch = new EmbeddedChannel(outbound, new BackendHandler());
    if (reused) {
      ch.attr(REUSED).set(true);
    }
    next.add(ch);
    return ch;
  }

  /** The next acquire fails as a refused connection would. */
  void willFail() {
    next.add(new java.net.ConnectException("Connection refused"));
  }

  /** The next acquire fails as a connect running out of time would. */
  void willTimeOut() {
    next.add(new io.netty.channel.ConnectTimeoutException("connection timed out"));
  }

  /** The connect timeout each acquire asked for (0: the default). */
  final List<Long> connectTimeouts = new ArrayList<>();

  @Override
  public Future<Channel> acquire(EventLoop loop, InetSocketAddress endpoint, UpstreamProtocol protocol, dev.weir.dataplane.upstream.UpstreamTlsContext tls, long connectTimeoutMillis, boolean fresh) {
    acquired.add(endpoint);
    connectTimeouts.add(connectTimeoutMillis);
    this.fresh.add(fresh);
    if (holdNext) {
      holdNext = false;
      pending = ImmediateEventExecutor.INSTANCE.newPromise();
      return pending;
    }
    Object n = next.poll();
    if (n == null) {
      n = new EmbeddedChannel(new BackendHandler());
    }
    if (n instanceof Throwable t) {
      return ImmediateEventExecutor.INSTANCE.newFailedFuture(t);
    }
    handedOut.add((EmbeddedChannel) n);
    return ImmediateEventExecutor.INSTANCE.newSucceededFuture((Channel) n);
  }

  @Override
  public void release(Channel channel) {
    released.add(channel);
  }

  /** Releases whatever is left in every upstream channel handed out; true if anything was left. */
  boolean finishAll() {
    boolean left = false;
    for (EmbeddedChannel ch : handedOut) {
      left |= ch.finishAndReleaseAll();
    }
    for (Object n : next) {
      if (n instanceof EmbeddedChannel ch) {
        left |= ch.finishAndReleaseAll();
      }
    }
    return left;
  }
}
