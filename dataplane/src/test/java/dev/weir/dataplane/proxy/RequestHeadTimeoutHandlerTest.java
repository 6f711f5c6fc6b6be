package dev.weir.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestHeadTimeoutHandlerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private static EmbeddedChannel channel() {
    return new EmbeddedChannel(new HttpServerCodec(), new RequestHeadTimeoutHandler(TIMEOUT));
  }

  private static void advance(EmbeddedChannel ch, long millis) {
    ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    ch.runPendingTasks();
  }

  private static void writeRaw(EmbeddedChannel ch, String s) {
    ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII));
  }

  /** Everything written to the client so far, as text. */
  private static String outbound(EmbeddedChannel ch) {
    StringBuilder out = new StringBuilder();
    Object msg;
    while ((msg = ch.readOutbound()) != null) {
      ByteBuf b = (ByteBuf) msg;
      out.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return out.toString();
  }

  /** Releases what reached the end of the pipeline; returns how many request heads were among it. */
  private static int drainInbound(EmbeddedChannel ch) {
    int heads = 0;
    Object msg;
    while ((msg = ch.readInbound()) != null) {
      if (msg instanceof HttpRequest) {
        heads++;
      }
      ReferenceCountUtil.release(msg);
    }
    return heads;
  }

  private static void respond(EmbeddedChannel ch) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII));
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 2);
    ch.writeOutbound(r);
    assertTrue(outbound(ch).startsWith("HTTP/1.1 200 OK"));
  }

  private static void assertTimedOut(EmbeddedChannel ch) {
    String out = outbound(ch);
    assertTrue(out.startsWith("HTTP/1.1 408 Request Timeout\r\n"), out);
    assertTrue(out.toLowerCase().contains("connection: close"), out);
    assertFalse(ch.isOpen());
  }

  @Test
  void aTrickledHeadIsAnswered408AndClosed() {
    EmbeddedChannel ch = channel();
    writeRaw(ch, "GET / HTTP/1.1\r\nHost: a");
    for (int i = 0; i < 9; i++) {
      advance(ch, 100);
      writeRaw(ch, "a"); // the bytes keep coming, the head never ends
    }
    assertTrue(ch.isOpen());
    assertEquals("", outbound(ch));
    assertEquals(0, drainInbound(ch));
    advance(ch, 150);
    assertTimedOut(ch);
    drainInbound(ch); // the codec reports the unfinished head when the connection closes
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void aConnectionThatSendsNothingTimesOutToo() {
    EmbeddedChannel ch = channel();
    advance(ch, 1_001);
    assertTimedOut(ch);
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void aHeadInTimeIsPassedOnAndNotAnswered() {
    EmbeddedChannel ch = channel();
    advance(ch, 900);
    writeRaw(ch, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assertEquals(1, drainInbound(ch));
    advance(ch, 5_000); // the exchange takes long: not the head timeout's business
    assertTrue(ch.isOpen());
    assertEquals("", outbound(ch));
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void keepAliveRearmsTheTimerWhenTheResponseEnds() {
    EmbeddedChannel ch = channel();
    writeRaw(ch, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assertEquals(1, drainInbound(ch));
    advance(ch, 3_000);
    respond(ch);
    advance(ch, 900); // counted from the end of the response
    assertTrue(ch.isOpen());
    writeRaw(ch, "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
    assertEquals(1, drainInbound(ch));
    respond(ch);
    advance(ch, 900);
    assertTrue(ch.isOpen());
    assertEquals("", outbound(ch));
    advance(ch, 200);
    assertTimedOut(ch);
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void aPipelinedRequestKeepsTheTimerOffUntilItsResponseEnds() {
    EmbeddedChannel ch = channel();
    writeRaw(ch, "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
    assertEquals(2, drainInbound(ch));
    respond(ch);
    advance(ch, 2_000);
    assertTrue(ch.isOpen());
    respond(ch);
    advance(ch, 1_001);
    assertTimedOut(ch);
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void aSwitchedProtocolIsNeverTimedOut() {
    EmbeddedChannel ch = channel();
    writeRaw(ch, "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n");
    assertEquals(1, drainInbound(ch));
    ch.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS), LastHttpContent.EMPTY_LAST_CONTENT);
    assertTrue(outbound(ch).startsWith("HTTP/1.1 101"));
    ch.pipeline().remove(HttpServerCodec.class);
    advance(ch, 10_000);
    assertTrue(ch.isOpen());
    assertEquals("", outbound(ch));
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void closingCancelsTheTimer() {
    EmbeddedChannel ch = channel();
    ch.close();
    advance(ch, 2_000);
    assertEquals("", outbound(ch));
    assertFalse(ch.finishAndReleaseAll());
  }
}
