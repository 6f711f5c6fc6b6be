package dev.weir.dataplane.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * First handler of a cleartext connection: tells HTTP/2 with prior knowledge (RFC 9113 3.3, the
 * connection starts with the client preface {@code PRI * HTTP/2.0...}) from HTTP/1.1 by the first
 * bytes. On the preface it has {@link Http2ServerSetup} swap the HTTP/1.1 handlers for HTTP/2 ones;
 * on anything else it steps aside. Either way it removes itself, and the bytes it held go on to the
 * handlers that follow, so it costs nothing after the first read.
 */
final class H2cPrefaceDetector extends ByteToMessageDecoder {

  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

  private final Http2ServerSetup http2;

  H2cPrefaceDetector(Http2ServerSetup http2) {
    this.http2 = http2;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
    if (!ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n)) {
      ctx.pipeline().remove(this); // HTTP/1.1 (or garbage, which the HTTP/1.1 codec answers with 400)
    } else if (n == PREFACE.readableBytes()) {
      http2.switchFromHttp1(ctx.pipeline());
      ctx.pipeline().remove(this); // the HTTP/2 codec reads the preface itself
    }
    // else: a prefix of the preface so far; wait for more (the head timeout bounds the wait)
  }
}
