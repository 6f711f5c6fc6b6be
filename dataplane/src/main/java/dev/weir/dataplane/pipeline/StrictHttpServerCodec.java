package dev.weir.dataplane.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The downstream HTTP/1.1 codec: a {@link StrictRequestDecoder} and a response encoder that knows
 * which request each response answers. It does what {@link HttpServerCodec} does (which is final, so
 * its decoder cannot be replaced): no body is written in a response to HEAD, no Transfer-Encoding in
 * a 2xx to CONNECT, at most {@value #MAX_PIPELINE_DEPTH} requests may await their responses
 * (more fail the connection, as they do in Netty's codec), and it is the source codec that an
 * {@code Upgrade: h2c} removes.
 */
public final class StrictHttpServerCodec extends CombinedChannelDuplexHandler<StrictRequestDecoder, HttpResponseEncoder>
    implements HttpServerUpgradeHandler.SourceCodec {

  /** Netty's HttpServerCodec default. */
  static final int MAX_PIPELINE_DEPTH = 128;

  /** The methods of the requests decoded and not yet answered, oldest first. */
  private final ArrayDeque<HttpMethod> awaiting = new ArrayDeque<>(4);

  public StrictHttpServerCodec(HttpDecoderConfig config) {
    init(new Decoder(config), new Encoder());
  }

  /** After an accepted {@code Upgrade: h2c}: HTTP/1.1 is over on this connection. */
  @Override
  public void upgradeFrom(ChannelHandlerContext ctx) {
    ctx.pipeline().remove(this);
  }

  private final class Decoder extends StrictRequestDecoder {
    Decoder(HttpDecoderConfig config) {
      super(config);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
      int first = out.size();
      super.decode(ctx, in, out);
      for (int i = first; i < out.size(); i++) {
        if (out.get(i) instanceof HttpRequest request) {
          if (awaiting.size() >= MAX_PIPELINE_DEPTH) {
            for (int j = out.size() - 1; j >= i; j--) {
              ReferenceCountUtil.release(out.remove(j));
            }
            discardFromNowOn();
            throw new DecoderException("more than " + MAX_PIPELINE_DEPTH + " pipelined requests await a response");
          }
          awaiting.add(request.method());
        }
      }
    }
  }

  private final class Encoder extends HttpResponseEncoder {
    /** The method of the request the response being encoded answers. */
    private HttpMethod method;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
      if (msg instanceof EncodedResponse encoded) {
        awaiting.poll(); // it answers the oldest request; it is whole, so the encoder's state stays at a message boundary
        ctx.write(encoded.content(), promise);
        return;
      }
      super.write(ctx, msg, promise);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
      if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        return super.isContentAlwaysEmpty(msg); // an interim response answers no request for good
      }
      method = awaiting.poll();
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
    }

    @Override
    protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
      if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(method) && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
        // RFC 9110 9.3.6: a 2xx to CONNECT starts a tunnel; it has no framing of its own.
        msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        return;
      }
      super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
    }
  }
}
