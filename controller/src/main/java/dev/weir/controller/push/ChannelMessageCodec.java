package dev.weir.controller.push;

import dev.weir.snapshot.ChannelMessage;
import dev.weir.snapshot.SnapshotJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import java.util.List;

/** One length-delimited frame to one {@link ChannelMessage} and back (the frame's buffer is released by the base class). */
final class ChannelMessageCodec extends MessageToMessageCodec<ByteBuf, ChannelMessage> {
  @Override
  protected void encode(ChannelHandlerContext ctx, ChannelMessage msg, List<Object> out) {
    out.add(Unpooled.wrappedBuffer(SnapshotJson.encode(msg)));
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
    out.add(SnapshotJson.decode(ByteBufUtil.getBytes(frame)));
  }
}
