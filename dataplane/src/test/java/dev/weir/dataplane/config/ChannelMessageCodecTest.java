package dev.weir.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weir.dataplane.testing.SnapshotBuilder;
import dev.weir.snapshot.ChannelMessage;
import dev.weir.snapshot.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChannelMessageCodecTest {

  static EmbeddedChannel framed() {
    return new EmbeddedChannel(
        new LengthFieldBasedFrameDecoder(ChannelMessage.MAX_FRAME_BYTES, 0, 4, 0, 4), new LengthFieldPrepender(4), ChannelMessageCodec.INSTANCE);
  }

  @Test
  void roundTripsEveryMessageThroughLengthPrefixedFrames() {
    List<ChannelMessage> messages =
        List.of(
            new ChannelMessage.Hello(1, "r", 3, "h", "t"),
            new ChannelMessage.Refused("no"),
            new ChannelMessage.Push(new SnapshotBuilder(5).cluster("c", new Endpoint("10.0.0.1", 80)).host("a").prefix("r", "/", "c").build()),
            new ChannelMessage.Ack(5),
            new ChannelMessage.Nack(6, "bad"),
            new ChannelMessage.Heartbeat(123),
            new ChannelMessage.Report("r", true, 5, "h", 2, 10, Map.of("x", 10L)));
    EmbeddedChannel sender = framed();
    EmbeddedChannel receiver = framed();
    for (ChannelMessage m : messages) {
      sender.writeOutbound(m);
      ByteBuf wire = Unpooled.buffer();
      Object part;
      while ((part = sender.readOutbound()) != null) {
        ByteBuf b = (ByteBuf) part;
        wire.writeBytes(b);
        b.release();
      }
      // Deliver the frame in two pieces: the frame decoder must reassemble it.
      int half = wire.readableBytes() / 2;
      receiver.writeInbound(wire.readRetainedSlice(half));
      receiver.writeInbound(wire.readRetainedSlice(wire.readableBytes()));
      wire.release();
      assertEquals(m, receiver.readInbound());
    }
    assertFalse(sender.finishAndReleaseAll());
    assertFalse(receiver.finishAndReleaseAll());
  }

  @Test
  void aMalformedFrameFailsTheConnection() {
    EmbeddedChannel ch = framed();
    byte[] junk = "{\"type\":\"nonsense\"}".getBytes(StandardCharsets.UTF_8);
    ByteBuf frame = Unpooled.buffer().writeInt(junk.length).writeBytes(junk);
    DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(frame));
    assertEquals(IllegalArgumentException.class, e.getCause().getClass());
    assertFalse(ch.finishAndReleaseAll());
  }
}
