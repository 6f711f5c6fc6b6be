package dev.weir.dataplane.config;

import dev.weir.snapshot.ChannelMessage;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol on one control-channel connection: hello first, then ACK or NACK every push,
 * heartbeats and reports on timers and a report after every push. Silence for three heartbeat
 * intervals (an {@link IdleStateEvent} from the pipeline) means the controller is gone.
 */
final class ControlChannelHandler extends SimpleChannelInboundHandler<ChannelMessage> {

  private static final Logger log = LoggerFactory.getLogger(ControlChannelHandler.class);

  private final ControlChannelClient client;
  private final ControlChannelSettings settings;
  private final ConfigHolder config;
  private final Supplier<ChannelMessage.Report> reports;
  private ScheduledFuture<?> heartbeats;
  private ScheduledFuture<?> reporting;
  private boolean accepted;
  private boolean tlsFailed;

  ControlChannelHandler(
      ControlChannelClient client, ControlChannelSettings settings, ConfigHolder config, Supplier<ChannelMessage.Report> reports) {
    this.client = client;
    this.settings = settings;
    this.config = config;
    this.reports = reports;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    // Over TLS the hello waits for the handshake: until then the controller is not known to be ours.
    if (ctx.pipeline().get(SslHandler.class) == null) {
      begin(ctx);
    }
    ctx.fireChannelActive();
  }

  private void begin(ChannelHandlerContext ctx) {
    log.info("control channel: connected to {}{}", ctx.channel().remoteAddress(),
        ctx.pipeline().get(SslHandler.class) == null ? " (plaintext)" : " (mutual TLS)");
    client.onConnected();
    ctx.writeAndFlush(
        new ChannelMessage.Hello(ChannelMessage.PROTOCOL, settings.replicaId(), config.appliedVersion(), config.appliedHash(), settings.token()));
    long hb = settings.heartbeatInterval().toNanos();
    heartbeats =
        ctx.executor().scheduleAtFixedRate(
            () -> ctx.writeAndFlush(new ChannelMessage.Heartbeat(System.currentTimeMillis())), hb, hb, TimeUnit.NANOSECONDS);
    long rp = settings.reportInterval().toNanos();
    reporting = ctx.executor().scheduleAtFixedRate(() -> sendReport(ctx), rp, rp, TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (heartbeats != null) {
      heartbeats.cancel(false);
      reporting.cancel(false);
      log.info("control channel: disconnected from {}", ctx.channel().remoteAddress());
    }
    client.onDisconnected();
    ctx.fireChannelInactive();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ChannelMessage msg) {
    if (msg instanceof ChannelMessage.Refused refused) {
      log.error("control channel: controller refused this replica ({}): {}", settings.replicaId(), refused.reason());
      ctx.close();
      return;
    }
    if (!accepted) {
      accepted = true;
      client.onAccepted();
    }
    if (msg instanceof ChannelMessage.Push push) {
      ApplyResult result = config.apply(push.snapshot());
      ChannelMessage answer =
          result instanceof ApplyResult.Rejected rejected
              ? new ChannelMessage.Nack(rejected.version(), rejected.reason())
              : new ChannelMessage.Ack(result.version());
      ctx.write(answer);
      sendReport(ctx);
    } else if (!(msg instanceof ChannelMessage.Heartbeat)) {
      log.debug("control channel: ignoring unexpected {}", msg.getClass().getSimpleName());
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent handshake) {
      if (handshake.isSuccess()) {
        begin(ctx);
      } else {
        tlsFailed = true;
        client.failed("control channel: TLS handshake with controller " + settings.host() + ":" + settings.port()
            + " failed: " + innermost(handshake.cause()) + " (does its certificate chain to " + settings.tlsDir()
            + "/ca.crt and name " + settings.host() + "?)");
        ctx.close();
      }
    } else if (evt instanceof IdleStateEvent) {
      log.warn("control channel: nothing from the controller for {} ms, reconnecting", settings.heartbeatInterval().toMillis() * 3);
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (tlsFailed) {
      return; // the handshake failure was logged already; this is the same failure again
    }
    if (hasSslCause(cause)) {
      // With TLS 1.3 the controller checks our certificate after our side of the handshake is done: its
      // refusal arrives as an alert on the first read.
      tlsFailed = true;
      client.failed("control channel: controller " + settings.host() + ":" + settings.port() + " ended TLS: "
          + innermost(cause) + " (did it refuse this replica's client certificate from " + settings.tlsDir() + "?)");
    } else {
      log.warn("control channel: {}", cause.toString());
    }
    ctx.close();
  }

  private static boolean hasSslCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof SSLException) {
        return true;
      }
    }
    return false;
  }

  private static String innermost(Throwable t) {
    String message = t.toString();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c.getMessage() != null) {
        message = c.getMessage();
      }
    }
    return message;
  }

  private void sendReport(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(reports.get()).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
  }
}
