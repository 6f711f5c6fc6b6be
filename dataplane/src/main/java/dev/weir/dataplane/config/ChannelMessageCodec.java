package dev.weir.dataplane.config;

import dev.weir.snapshot.ChannelMessage;
import dev.weir.snapshot.SnapshotJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import java.util.List;

/**
 * One control-channel frame (already split by the length-field codec) to one {@link ChannelMessage}
 * and back, in the JSON of {@link SnapshotJson}. A frame that does not decode fails the connection
 * (a DecoderException reaches exceptionCaught).
 */
@ChannelHandler.Sharable
public final class ChannelMessageCodec extends MessageToMessageCodec<ByteBuf, ChannelMessage> {

  public static final ChannelMessageCodec INSTANCE = new ChannelMessageCodec();

  @Override
  protected void encode(ChannelHandlerContext ctx, ChannelMessage msg, List<Object> out) {
    out.add(Unpooled.wrappedBuffer(SnapshotJson.encode(msg)));
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
    out.add(SnapshotJson.decode(ByteBufUtil.getBytes(frame)));
  }
}
