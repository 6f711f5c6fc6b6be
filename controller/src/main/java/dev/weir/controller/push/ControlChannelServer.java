package dev.weir.controller.push;

import dev.weir.controller.report.ReplicaRegistry;
import dev.weir.snapshot.ChannelMessage;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control channel's server: dataplanes dial in, say hello, and get every published snapshot.
 * A few connections with little traffic: NIO and one thread are plenty. With an {@link SslContext}
 * (see {@link ServerTls}) every connection starts with a mutually authenticated TLS handshake, and a
 * peer that fails it never reaches a {@link DataplaneSession}.
 */
public final class ControlChannelServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlChannelServer.class);

  private final SnapshotPublisher publisher;
  private final ReplicaRegistry registry;
  private final TokenCheck tokenCheck;
  private volatile SslContext tls; // swapped when the server certificate is renewed; new connections use the new one
  private final LongAdder refusedHandshakes = new LongAdder();
  private final BooleanSupplier accepting;
  private final long heartbeatMillis;
  private final Map<String, DataplaneSession> sessions = new ConcurrentHashMap<>();
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private Channel serverChannel;

  /**
   * @param accepting whether new sessions are taken now (only the leader serves dataplanes, so that one
   *     controller sees every report; followers refuse and the dataplane retries)
   * @param tls the server side of mutual TLS, or null for plaintext ({@code --insecure-control-channel})
   */
  public ControlChannelServer(SnapshotPublisher publisher, ReplicaRegistry registry, TokenCheck tokenCheck,
      SslContext tls, BooleanSupplier accepting, long heartbeatMillis) {
    this.publisher = publisher;
    this.tls = tls;
    this.registry = registry;
    this.tokenCheck = tokenCheck;
    this.accepting = accepting;
    this.heartbeatMillis = heartbeatMillis;
    publisher.subscribe(snapshot -> sessions.values().forEach(s -> s.ctxExecute(snapshot)));
  }

  public ControlChannelServer start(String bindAddress, int port) throws InterruptedException {
    serverChannel = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            SslContext context = tls;
            if (context != null) {
              ch.pipeline()
                  .addLast("tls", context.newHandler(ch.alloc()))
                  .addLast("peer", new PeerAuthentication(refusedHandshakes));
            }
            ch.pipeline()
                .addLast("frames", new LengthFieldBasedFrameDecoder(ChannelMessage.MAX_FRAME_BYTES, 0, 4, 0, 4))
                .addLast("length", new LengthFieldPrepender(4))
                .addLast("json", new ChannelMessageCodec())
                .addLast("idle", new IdleStateHandler(3 * heartbeatMillis, heartbeatMillis, 0, TimeUnit.MILLISECONDS))
                .addLast("session", new DataplaneSession(ControlChannelServer.this, registry));
          }
        })
        .bind(new InetSocketAddress(bindAddress, port))
        .sync()
        .channel();
    log.info("control channel listening on {} ({})", serverChannel.localAddress(),
        tls == null ? "PLAINTEXT: --insecure-control-channel, for debugging only" : "mutual TLS");
    return this;
  }

  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** A renewed server certificate, for connections from now on (open sessions keep theirs). */
  public void useTls(SslContext renewed) {
    if (tls == null) throw new IllegalStateException("a plaintext control channel does not turn into TLS");
    tls = renewed;
  }

  /** Connections refused because their TLS handshake or client certificate failed. */
  public long refusedHandshakes() {
    return refusedHandshakes.sum();
  }

  /** Drops every session, e.g. when leadership is lost; the dataplanes reconnect to the new leader. */
  public void closeSessions() {
    sessions.values().forEach(DataplaneSession::close);
  }

  SnapshotPublisher publisher() {
    return publisher;
  }

  TokenCheck tokenCheck() {
    return tokenCheck;
  }

  boolean acceptingSessions() {
    return accepting.getAsBoolean();
  }

  void register(String replicaId, DataplaneSession session) {
    DataplaneSession previous = sessions.put(replicaId, session);
    // The same replica dialled again before its old connection was noticed dead: the newest wins.
    if (previous != null && previous != session) previous.close();
  }

  boolean unregister(String replicaId, DataplaneSession session) {
    return sessions.remove(replicaId, session);
  }

  @Override
  public void close() {
    if (serverChannel != null) serverChannel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
