package dev.weir.dataplane.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection-level end of a downstream HTTP/2 connection (its streams each have a
 * {@link FrontendHandler}): counts the connection, closes it when idle with no stream open, and
 * on drain closes it gracefully (GOAWAY, then the open streams finish). After an {@code Upgrade:
 * h2c} it also removes the HTTP/1.1 handlers that the upgrade left behind it.
 */
public final class Http2ConnectionGuard extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(Http2ConnectionGuard.class);

  private final ProxyContext px;
  private final Consumer<ChannelHandlerContext> removeHttp1;
  private boolean counted;

  /** @param removeHttp1 removes the HTTP/1.1 handlers from the pipeline (called after an upgrade) */
  public Http2ConnectionGuard(ProxyContext px, Consumer<ChannelHandlerContext> removeHttp1) {
    this.px = px;
    this.removeHttp1 = removeHttp1;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      counted = true;
      px.stats().connectionOpened();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (counted) {
      counted = false;
      px.stats().connectionClosed();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent upgrade) {
      removeHttp1.accept(ctx);
      upgrade.release();
    } else if (evt == DrainEvent.INSTANCE || evt instanceof ChannelInputShutdownEvent) {
      ctx.close(); // the codec turns this into GOAWAY and closes once the open streams are done
    } else if (evt instanceof IdleStateEvent) {
      closeIfNoStreamOpen(ctx);
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg); // connection-level frames (SETTINGS, PING, GOAWAY) the codec already acted on
  }

  /**
   * An idle HTTP/2 connection (this side or an upstream one) is closed only when no stream is open:
   * a stream waiting on a slow peer is that stream's business (its own timeouts).
   */
  public static void closeIfNoStreamOpen(ChannelHandlerContext ctx) {
    Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
    if (codec == null || codec.connection().numActiveStreams() == 0) {
      ctx.close();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("HTTP/2 connection {} failed: {}", ctx.channel(), cause.toString());
    ctx.close();
  }
}
