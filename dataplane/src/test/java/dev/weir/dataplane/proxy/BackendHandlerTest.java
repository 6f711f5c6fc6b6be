package dev.weir.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import org.junit.jupiter.api.Test;

class BackendHandlerTest {

  @Test
  void anIdleConnectionThatReceivesAnythingIsClosedAndTheMessageReleased() {
    EmbeddedChannel ch = new EmbeddedChannel(new BackendHandler());
    ByteBuf data = Unpooled.copiedBuffer(new byte[] {1, 2, 3});
    DefaultHttpContent stray = new DefaultHttpContent(data);
    ch.writeInbound(stray);
    assertEquals(0, data.refCnt(), "released");
    assertFalse(ch.isOpen());
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void anIdleConnectionSurvivesWritabilityChangesAndErrorsCloseIt() {
    EmbeddedChannel ch = new EmbeddedChannel(new BackendHandler());
    ch.pipeline().fireChannelWritabilityChanged();
    ch.pipeline().fireChannelReadComplete();
    ch.pipeline().fireExceptionCaught(new java.io.IOException("reset"));
    assertFalse(ch.isOpen());
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void findsItselfInAPipeline() {
    BackendHandler h = new BackendHandler();
    EmbeddedChannel ch = new EmbeddedChannel(h);
    assertEquals(h, BackendHandler.of(ch));
    assertFalse(ch.finishAndReleaseAll());
  }
}
