package dev.weir.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A raw byte relay between a client and an upstream connection after an HTTP {@code Upgrade} was
 * accepted (101 Switching Protocols); both pipelines have had their HTTP codecs removed. Both
 * channels have AUTO_READ off: a side is read again only once what was last read from it has been
 * written to the other side (so a slow reader holds back the fast writer). When either side closes,
 * the other is closed once what was relayed to it is out. Runs on the one event loop both share.
 */
final class Tunnel {

  private static final Logger log = LoggerFactory.getLogger(Tunnel.class);

  private final Channel client;
  private final Channel upstream;

  /** When the upstream last sent something (event-loop clock). */
  private long lastFromUpstream;

  Tunnel(Channel client, Channel upstream) {
    this.client = client;
    this.upstream = upstream;
    this.lastFromUpstream = now();
  }

  /** How long the upstream has sent nothing. */
  long upstreamSilentNanos() {
    return now() - lastFromUpstream;
  }

  private long now() {
    return client.eventLoop().ticker().nanoTime();
  }

  /** The handler that replaces the upstream connection's HTTP relay. */
  ChannelInboundHandlerAdapter upstreamHandler() {
    return new UpstreamSide();
  }

  /** Starts relaying: both sides are read from now on. */
  void start() {
    client.read();
    upstream.read();
  }

  void fromClient(Object msg) {
    relay(msg, client, upstream);
  }

  void clientClosed() {
    closeOnFlush(upstream);
  }

  /** The client sent FIN but still reads: pass the half-close on once what it sent is relayed. */
  void clientInputShutdown() {
    if (upstream instanceof DuplexChannel duplex && upstream.isActive()) {
      upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> duplex.shutdownOutput());
    } else {
      closeOnFlush(client);
    }
  }

  void close() {
    client.close();
    upstream.close();
  }

  private static void relay(Object msg, Channel from, Channel to) {
    if (!(msg instanceof ByteBuf buf)) {
      ReferenceCountUtil.release(msg); // nothing but bytes flow once the codecs are gone
      return;
    }
    if (!to.isActive()) {
      buf.release();
      from.close();
      return;
    }
    to.writeAndFlush(buf).addListener((ChannelFutureListener) f -> {
      if (f.isSuccess()) {
        from.read();
      } else {
        log.debug("tunnel write to {} failed: {}", to, f.cause() == null ? "?" : f.cause().toString());
        from.close();
        to.close();
      }
    });
  }

  private static void closeOnFlush(Channel ch) {
    if (ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private final class UpstreamSide extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      lastFromUpstream = now();
      relay(msg, upstream, client);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closeOnFlush(client);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("tunnel upstream {} failed: {}", ctx.channel(), cause.toString());
      ctx.close();
    }
  }
}
