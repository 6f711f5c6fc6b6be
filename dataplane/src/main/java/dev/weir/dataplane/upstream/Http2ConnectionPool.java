package dev.weir.dataplane.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import javax.net.ssl.SSLHandshakeException;

/**
 * HTTP/2 upstream connections of one event loop, cleartext (H2C) or over TLS (ALPN h2): one connection
 * per endpoint and TLS settings ({@link PoolKey}), shared by all the requests of that loop to it, each
 * request on a stream of its own. A TLS connection is used once its handshake succeeded and the backend
 * agreed to h2 (or said nothing through ALPN). Streams beyond the server's
 * concurrency limit wait in the codec until one ends (its buffering encoder), instead of failing.
 * A connection that is closed or got GOAWAY is replaced by a new one for new streams; streams
 * already open on it finish there. Not thread-safe by design: only its event loop touches it.
 */
final class Http2ConnectionPool {

  /** Stream channels handed out on a connection and not closed yet (the codec's active streams miss those still queued in it). */
  private static final AttributeKey<int[]> OPEN_STREAMS = AttributeKey.valueOf(Http2ConnectionPool.class, "openStreams");

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final ChannelHandler streamInitializer;
  /** Per endpoint: the connection, ready once connected and the server's first SETTINGS arrived. */
  private final Map<PoolKey, Future<Channel>> connections = new HashMap<>();
  private boolean closed;

  /**
   * @param template sets up each connection (HTTP/2 client codec, multiplexer)
   * @param streamInitializer sets up each stream channel (message codec, relay handler)
   */
  Http2ConnectionPool(EventLoop loop, Bootstrap template, ChannelHandler streamInitializer) {
    this.loop = loop;
    this.bootstrap = template.clone(loop);
    this.streamInitializer = streamInitializer;
  }

  /** A new stream to {@code endpoint}, on the shared connection (made now if there is none usable). */
  Future<Channel> acquire(InetSocketAddress endpoint, UpstreamTlsContext tls, long connectTimeoutMillis) {
    Promise<Channel> stream = loop.newPromise();
    if (closed) {
      return stream.setFailure(new IllegalStateException("upstream pools are closed"));
    }
    PoolKey key = new PoolKey(endpoint, tls);
    Future<Channel> connection = connections.get(key);
    if (connection == null || (connection.isDone() && !usable(connection))) {
      connection = connect(key, connectTimeoutMillis);
    }
    Future<Channel> c = connection;
    if (c.isDone()) {
      openStream(c, stream);
    } else {
      c.addListener(f -> openStream(c, stream));
    }
    return stream;
  }

  /** Whether {@link #acquire} would use an existing connection (ready, or still connecting). */
  boolean hasConnection(InetSocketAddress endpoint, UpstreamTlsContext tls) {
    Future<Channel> connection = connections.get(new PoolKey(endpoint, tls));
    return connection != null && (!connection.isDone() || usable(connection));
  }

  /** Closes a ready connection without open streams that {@code which} accepts; whether there was one. */
  boolean closeIdle(Predicate<Channel> which) {
    for (Map.Entry<PoolKey, Future<Channel>> e : connections.entrySet()) {
      Future<Channel> f = e.getValue();
      if (f.isSuccess()) {
        Channel ch = f.getNow();
        int[] open = ch.attr(OPEN_STREAMS).get();
        if ((open == null || open[0] == 0) && which.test(ch)) {
          connections.remove(e.getKey());
          ch.close();
          return true;
        }
      }
    }
    return false;
  }

  int connectionCount() {
    return connections.size();
  }

  void closeAll() {
    closed = true;
    List<Future<Channel>> all = new ArrayList<>(connections.values());
    connections.clear();
    for (Future<Channel> f : all) {
      if (f.isSuccess()) {
        f.getNow().close();
      } else {
        f.cancel(false); // the listener below closes the channel
      }
    }
  }

  private Future<Channel> connect(PoolKey key, long connectTimeoutMillis) {
    long startedAt = loop.ticker().nanoTime();
    ChannelFuture connect = UpstreamPools.bootstrapFor(bootstrap, key.tls(), connectTimeoutMillis).connect(key.endpoint());
    Channel ch = connect.channel();
    Promise<Channel> ready = loop.newPromise();
    SslHandler ssl = ch.pipeline().get(SslHandler.class);
    if (ssl != null) {
      // The codec's preface waits in the SslHandler until the handshake is done; a failed one fails the
      // connection with its own cause rather than with the close that follows.
      ssl.handshakeFuture().addListener(h -> {
        if (!h.isSuccess()) {
          ready.tryFailure(h.cause());
        } else if (ssl.applicationProtocol() != null && !ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
          ready.tryFailure(new SSLHandshakeException("backend chose ALPN protocol " + ssl.applicationProtocol() + ", not h2"));
        }
      });
    }
    // Streams are opened only once the server's SETTINGS are in: before that its concurrency limit
    // is unknown, and streams over it would be refused instead of waiting in the codec.
    ch.pipeline().addAfter(ch.pipeline().context(Http2MultiplexHandler.class).name(), null, new SettingsReceived(ready));
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            ready.tryFailure(f.cause());
          }
        });
    ready.addListener(f -> {
      if (f.isSuccess()) {
        ch.attr(UpstreamConnector.CONNECT_NANOS).set(loop.ticker().nanoTime() - startedAt);
      } else {
        ch.close();
      }
    });
    connections.put(key, ready);
    ch.closeFuture()
        .addListener(
            x -> {
              connections.remove(key, ready);
              ready.tryFailure(new java.nio.channels.ClosedChannelException());
            });
    return ready;
  }

  private static boolean usable(Future<Channel> connection) {
    if (!connection.isSuccess() || !connection.getNow().isActive()) {
      return false;
    }
    Http2FrameCodec codec = connection.getNow().pipeline().get(Http2FrameCodec.class);
    return codec != null && !codec.connection().goAwayReceived() && !codec.connection().goAwaySent();
  }

  private void openStream(Future<Channel> connection, Promise<Channel> stream) {
    if (!connection.isSuccess()) {
      stream.tryFailure(connection.cause());
      return;
    }
    new Http2StreamChannelBootstrap(connection.getNow())
        .option(ChannelOption.AUTO_READ, false)
        .handler(streamInitializer)
        .open()
        .addListener(
            (Future<Http2StreamChannel> f) -> {
              if (f.isSuccess()) {
                Channel parent = connection.getNow();
                int[] open = parent.attr(OPEN_STREAMS).get();
                if (open == null) {
                  open = new int[1];
                  parent.attr(OPEN_STREAMS).set(open);
                }
                int[] count = open;
                count[0]++;
                f.getNow().closeFuture().addListener(x -> count[0]--);
                if (!stream.trySuccess(f.getNow())) {
                  f.getNow().close(); // nobody waits for it any more
                }
              } else {
                stream.tryFailure(f.cause());
              }
            });
  }

  /** Completes {@code ready} at the server's first SETTINGS frame, then steps out of the pipeline. */
  private static final class SettingsReceived extends ChannelInboundHandlerAdapter {
    private final Promise<Channel> ready;

    SettingsReceived(Promise<Channel> ready) {
      this.ready = ready;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2SettingsFrame) {
        ready.trySuccess(ctx.channel());
        ctx.pipeline().remove(this);
      }
      ctx.fireChannelRead(msg);
    }
  }
}
