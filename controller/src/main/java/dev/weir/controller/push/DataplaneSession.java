package dev.weir.controller.push;

import dev.weir.controller.report.ReplicaRegistry;
import dev.weir.snapshot.ChannelMessage;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import dev.weir.controller.logs.ObjectLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's side of one dataplane connection. All state is touched on the channel's event loop
 * only; the publisher hands snapshots over with {@code eventLoop().execute}.
 */
final class DataplaneSession extends SimpleChannelInboundHandler<ChannelMessage> {
  private static final Logger log = LoggerFactory.getLogger(DataplaneSession.class);
  static final long HELLO_TIMEOUT_SECONDS = 10;

  private final ControlChannelServer server;
  private final ReplicaRegistry registry;
  private ChannelHandlerContext ctx;
  private String replicaId;
  private long lastSentVersion;
  private PublishedSnapshot waiting; // newest snapshot not yet written because the channel was not writable
  private ScheduledFuture<?> helloTimeout;

  DataplaneSession(ControlChannelServer server, ReplicaRegistry registry) {
    this.server = server;
    this.registry = registry;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    helloTimeout = ctx.executor().schedule(() -> refuse("no hello within " + HELLO_TIMEOUT_SECONDS + "s"),
        HELLO_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    ctx.fireChannelActive();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ChannelMessage msg) {
    if (replicaId == null) {
      if (msg instanceof ChannelMessage.Hello hello) {
        onHello(hello);
      } else {
        refuse("expected hello first, got " + msg.getClass().getSimpleName());
      }
      return;
    }
    if (msg instanceof ChannelMessage.Ack ack) {
      registry.acked(replicaId, ack.version());
    } else if (msg instanceof ChannelMessage.Nack nack) {
      registry.nacked(replicaId, nack.version(), nack.reason());
    } else if (msg instanceof ChannelMessage.Report r) {
      registry.reported(replicaId, r.ready(), r.requestsTotal());
    } else if (!(msg instanceof ChannelMessage.Heartbeat)) {
      // A heartbeat's arrival already reset the idle timer; anything else is unexpected but harmless.
      ObjectLog.replica(log.atWarn(), replicaId).log("dataplane sent unexpected {}", msg.getClass().getSimpleName());
    }
  }

  private void onHello(ChannelMessage.Hello hello) {
    helloTimeout.cancel(false);
    if (hello.protocol() != ChannelMessage.PROTOCOL) {
      refuse("protocol " + hello.protocol() + " not supported; this controller speaks " + ChannelMessage.PROTOCOL);
      return;
    }
    if (hello.replicaId() == null || hello.replicaId().isBlank()) {
      refuse("hello without replica id");
      return;
    }
    if (!server.tokenCheck().accepts(hello.token())) {
      ObjectLog.replica(log.atWarn(), hello.replicaId()).addKeyValue("remote", String.valueOf(ctx.channel().remoteAddress()))
          .log("refused dataplane: invalid token");
      refuse("invalid token");
      return;
    }
    if (!server.acceptingSessions()) {
      refuse("this controller does not serve dataplanes now (starting up, or not the leader); retry");
      return;
    }
    replicaId = hello.replicaId();
    server.register(replicaId, this);
    // The replica's own version may come from another controller, with other content: it raises our floor
    // (versions never go backwards) but counts as applied only once the replica ACKs a push of ours.
    registry.connected(replicaId);
    server.publisher().raiseFloor(hello.lastAppliedVersion());
    server.publisher().current().ifPresent(this::offer);
  }

  /** Called on the event loop. Only the newest snapshot matters: an older one still waiting is dropped. */
  void offer(PublishedSnapshot snapshot) {
    if (replicaId == null || snapshot.version() <= lastSentVersion) return;
    if (!ctx.channel().isWritable()) {
      if (waiting == null || waiting.version() < snapshot.version()) waiting = snapshot;
      return;
    }
    lastSentVersion = snapshot.version();
    waiting = null;
    // Already-encoded JSON passes the codec untouched (it only encodes ChannelMessage objects).
    ctx.writeAndFlush(Unpooled.wrappedBuffer(snapshot.pushFrame()))
        .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && waiting != null) offer(waiting);
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent idle) {
      if (idle.state() == IdleState.WRITER_IDLE) {
        ctx.writeAndFlush(new ChannelMessage.Heartbeat(System.currentTimeMillis()));
      } else if (idle.state() == IdleState.READER_IDLE) {
        ObjectLog.replica(log.atWarn(), replicaId).log("dataplane silent for too long; closing");
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (helloTimeout != null) helloTimeout.cancel(false);
    if (replicaId != null && server.unregister(replicaId, this)) registry.disconnected(replicaId);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    var event = replicaId == null ? log.atWarn().addKeyValue("remote", String.valueOf(ctx.channel().remoteAddress()))
        : ObjectLog.replica(log.atWarn(), replicaId);
    event.log("control channel failed: {}", cause.toString());
    ctx.close();
  }

  /** From any thread: hands the snapshot to this session's event loop. */
  void ctxExecute(PublishedSnapshot snapshot) {
    if (ctx != null) ctx.executor().execute(() -> offer(snapshot));
  }

  void close() {
    ctx.close();
  }

  private void refuse(String reason) {
    ctx.writeAndFlush(new ChannelMessage.Refused(reason)).addListener(ChannelFutureListener.CLOSE);
  }
}
