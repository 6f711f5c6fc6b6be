package dev.weir.dataplane.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an upstream connection: relays what the upstream sends to the exchange (or
 * mirrored copy) that currently uses the connection. While the connection idles in the pool it has no exchange, and
 * anything that arrives (the upstream closing it, stray bytes) closes it.
 */
public final class BackendHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(BackendHandler.class);

  private UpstreamUser exchange;

  /** The relay handler of an upstream channel set up by the upstream initializer; null once the channel is gone. */
  static BackendHandler of(Channel upstream) {
    return upstream.pipeline().get(BackendHandler.class);
  }

  void bind(UpstreamUser e) {
    exchange = e;
  }

  void unbind(UpstreamUser e) {
    if (exchange == e) {
      exchange = null;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    UpstreamUser e = exchange;
    if (e != null) {
      e.onUpstreamMessage(msg);
    } else {
      // An idle pooled connection must be silent; whatever this is, the connection is unusable.
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    UpstreamUser e = exchange;
    if (e != null) {
      e.onUpstreamReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    UpstreamUser e = exchange;
    if (e != null) {
      e.onUpstreamWritabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    UpstreamUser e = exchange;
    if (e != null) {
      e.onUpstreamClosed(null);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    UpstreamUser e = exchange;
    if (e != null) {
      e.onUpstreamClosed(cause);
    } else {
      log.debug("idle upstream connection {} failed: {}", ctx.channel(), cause.toString());
    }
    ctx.close();
  }
}
