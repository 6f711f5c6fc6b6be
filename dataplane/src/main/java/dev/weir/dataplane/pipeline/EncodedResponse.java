package dev.weir.dataplane.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A whole final HTTP/1.1 response (status line, headers, body) already in wire form, written through the
 * {@link StrictHttpServerCodec} as one buffer: the cache answers hits this way, so a hit costs one buffer
 * instead of a header map, an encoder pass and a promise combiner. The codec counts it as the answer to
 * the oldest request awaiting one, as it does for an {@code HttpResponse}.
 */
public final class EncodedResponse extends DefaultByteBufHolder {
  public EncodedResponse(ByteBuf wire) {
    super(wire);
  }
}
