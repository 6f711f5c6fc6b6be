package dev.weir.dataplane.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.pipeline.StrictRequestDecoder.MalformedRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StrictHttpServerCodecTest {

  /** How a refused head reads: Netty's placeholder request (a full one, with no content), failed. */
  private static final String BAD = "GET /bad-request HTTP/1.0 FAILED ";
  private static final String BAD_END = " last: FAILED";

  private final EmbeddedChannel ch = new EmbeddedChannel(new StrictHttpServerCodec(new HttpDecoderConfig().setMaxChunkSize(64 * 1024)));

  @AfterEach
  void tearDown() {
    assertFalse(ch.finishAndReleaseAll(), "unread messages left");
  }

  /** What the decoder emitted, as text; every message is released. */
  private List<String> decode(String... pieces) {
    for (String piece : pieces) {
      ch.writeInbound(Unpooled.copiedBuffer(piece, StandardCharsets.ISO_8859_1));
    }
    return read();
  }

  private List<String> read() {
    List<String> out = new ArrayList<>();
    Object msg;
    while ((msg = ch.readInbound()) != null) {
      StringBuilder b = new StringBuilder();
      if (msg instanceof HttpRequest r) {
        b.append(r.method()).append(' ').append(r.uri()).append(' ').append(r.protocolVersion());
        if (r.decoderResult().isFailure()) {
          b.append(" FAILED ").append(r.decoderResult().cause().getMessage());
        }
      }
      if (msg instanceof HttpContent c) {
        b.append(b.length() > 0 ? " " : "").append(msg instanceof LastHttpContent ? "last:" : "content:").append(c.content().toString(StandardCharsets.ISO_8859_1));
        if (c.decoderResult().isFailure()) {
          b.append(" FAILED");
        }
      }
      out.add(b.toString());
      ReferenceCountUtil.release(msg);
    }
    return out;
  }

  private static void writeEach(EmbeddedChannel ch, String text) {
    for (int i = 0; i < text.length(); i++) {
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) text.charAt(i)}));
    }
  }

  @Test
  void passesWellFormedPipelinedRequestsWhateverTheirBodiesHold() {
    // Body bytes look like a folded header and a bad request line: they are body, never scanned.
    String wire =
        "\r\nPOST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nq\r\n  \t\r\n "
            + "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n\r\n\tGET\r\n0\r\n\r\n"
            + "GET /c?q=%20ü HTTP/1.0\r\nHost:x\r\nX-Empty:\r\n\r\n";
    List<String> expected =
        List.of("POST /a HTTP/1.1", "last:q\r\n  \t\r\n ", "POST /b HTTP/1.1", "content:\r\n\tGET", "last:", "GET /c?q=%20\u00fc HTTP/1.0", "last:");
    assertEquals(expected, decode(wire));
    // The same bytes one at a time: the head scan carries its state across reads.
    writeEach(ch, wire);
    List<String> heads = read().stream().filter(m -> !m.startsWith("content:") && !m.startsWith("last:")).toList();
    assertEquals(List.of("POST /a HTTP/1.1", "POST /b HTTP/1.1", "GET /c?q=%20\u00fc HTTP/1.0"), heads);
  }

  @Test
  void canonicalizesFramingHeadersAndMinorVersions() {
    ch.writeInbound(
        Unpooled.copiedBuffer(
            "POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n"
                + "POST /l HTTP/1.1\r\nHost: x\r\nContent-Length: 007\r\n\r\nabcdefg"
                + "GET /v HTTP/1.2\r\nHost: x\r\n\r\n",
            StandardCharsets.ISO_8859_1));
    HttpRequest t = ch.readInbound();
    assertTrue(t.decoderResult().isSuccess());
    assertEquals("chunked", t.headers().get(HttpHeaderNames.TRANSFER_ENCODING));
    ReferenceCountUtil.release(ch.readInbound());
    HttpRequest l = ch.readInbound();
    assertEquals("7", l.headers().get(HttpHeaderNames.CONTENT_LENGTH));
    ReferenceCountUtil.release(ch.readInbound());
    HttpRequest v = ch.readInbound();
    assertEquals(HttpVersion.HTTP_1_1, v.protocolVersion(), "HTTP/1.2 is handled as HTTP/1.1 (RFC 9110 2.5)");
    ReferenceCountUtil.release(ch.readInbound());
  }

  @Test
  void refusesObsFoldAndDiscardsEverythingAfterIt() {
    List<String> out = decode("GET /ok HTTP/1.1\r\nHost: x\r\n\r\nGET /bad HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n 2\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
    assertEquals(List.of("GET /ok HTTP/1.1", "last:", BAD + "obs-fold (a header line starting with whitespace)" + BAD_END), out);
  }

  @Test
  void refusesObsFoldSplitAcrossReads() {
    assertEquals(List.of(), decode("GET /bad HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n"));
    List<String> out = decode("\t2\r\n\r\n", "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
    assertEquals(List.of(BAD + "obs-fold (a header line starting with whitespace)" + BAD_END), out);
  }

  @Test
  void refusesMalformedRequestLines() {
    String[][] cases = {
      {"GET  /x HTTP/1.1\r\n", "extra space in the request line"},
      {"GET /x  HTTP/1.1\r\n", "extra space in the request line"},
      {"GET /x HTTP/1.1 \r\n", "extra space in the request line"},
      {" GET /x HTTP/1.1\r\n", "the request does not start with a method"},
      {"GET\t/x HTTP/1.1\r\n", "invalid character in the method"},
      {"GET /x\ty HTTP/1.1\r\n", "invalid character in the request target"},
      {"GET /x\0y HTTP/1.1\r\n", "invalid character in the request target"},
      {"GET /x\u007f HTTP/1.1\r\n", "invalid character in the request target"},
      {"GET /x\rHTTP/1.1\r\n", "invalid character in the request target"},
      {"GET /x HTTP/1.1\rX\r\n", "bare CR in the request line"},
      {"GET /x HTTP/1.1\n", "invalid character in the request line"},
      {"GET /x\r\n", "invalid character in the request target"},
      {"\nGET /x HTTP/1.1\r\n", "bare LF before the request line"},
      {"GET /x HTTP/1.1\r\nHost: x\nX: y\r\n", "bare LF in a header line"},
      {"GET /x HTTP/1.1\r\nHost: x\rX: y\r\n", "bare CR in a header line"},
      {"GET /x HTTP/1.1\r\nHost: x\r\n\rX", "bare CR at the end of the head"},
    };
    for (String[] c : cases) {
      EmbeddedChannel fresh = new EmbeddedChannel(new StrictHttpServerCodec(new HttpDecoderConfig()));
      fresh.writeInbound(Unpooled.copiedBuffer(c[0] + "Host: x\r\n\r\n", StandardCharsets.ISO_8859_1));
      HttpRequest r = fresh.readInbound();
      assertTrue(r.decoderResult().isFailure(), c[0]);
      assertInstanceOf(MalformedRequestException.class, r.decoderResult().cause(), c[0]);
      assertEquals(c[1], r.decoderResult().cause().getMessage(), c[0]);
      ReferenceCountUtil.release(r);
      assertNull(fresh.readInbound(), "nothing after the refused head: " + c[0]);
      assertFalse(fresh.finishAndReleaseAll());
    }
  }

  @Test
  void refusesGarbageWithoutWaitingForALineEnd() {
    ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00}));
    HttpRequest r = ch.readInbound();
    assertEquals("the request does not start with a method", r.decoderResult().cause().getMessage());
    ReferenceCountUtil.release(r);
    ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));
    assertNull(ch.readInbound(), "discarded after the refusal");
  }

  @Test
  void netty4sOwnRefusalsStillComeThroughAndStopDecoding() {
    List<String> out = decode("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
    assertEquals(1, out.size(), out.toString());
    assertTrue(out.get(0).startsWith("POST /x HTTP/1.1 FAILED Content-Length are not allowed"), out.get(0));
  }

  @Test
  void aResponseToHeadHasNoBodyAndInterimResponsesDoNotCount() {
    decode("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /g HTTP/1.1\r\nHost: x\r\n\r\n");
    ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
    FullHttpResponse head = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII));
    HttpUtil.setContentLength(head, 4);
    ch.writeOutbound(head);
    HttpResponse chunked = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    HttpUtil.setTransferEncodingChunked(chunked, true);
    ch.writeOutbound(chunked, new io.netty.handler.codec.http.DefaultLastHttpContent(Unpooled.copiedBuffer("get", StandardCharsets.US_ASCII)));
    String wire = outbound();
    assertEquals(
        "HTTP/1.1 100 Continue\r\n\r\n"
            + "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n"
            + "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nget\r\n0\r\n\r\n",
        wire);
  }

  @Test
  void tooManyPipelinedRequestsFailTheConnection() {
    String get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    assertThrows(DecoderException.class, () -> ch.writeInbound(Unpooled.copiedBuffer(get.repeat(StrictHttpServerCodec.MAX_PIPELINE_DEPTH + 1), StandardCharsets.US_ASCII)));
    List<String> out = read();
    assertEquals(2 * StrictHttpServerCodec.MAX_PIPELINE_DEPTH, out.size(), "head and end of each of the first 128");
    ch.writeInbound(Unpooled.copiedBuffer(get, StandardCharsets.US_ASCII));
    assertNull(ch.readInbound(), "discarded from then on");
  }

  @Test
  void anAcceptedUpgradeRemovesTheCodec() {
    StrictHttpServerCodec codec = ch.pipeline().get(StrictHttpServerCodec.class);
    assertInstanceOf(HttpServerUpgradeHandler.SourceCodec.class, codec);
    codec.upgradeFrom(ch.pipeline().firstContext());
    assertNull(ch.pipeline().get(StrictHttpServerCodec.class));
  }

  private String outbound() {
    StringBuilder b = new StringBuilder();
    Object msg;
    while ((msg = ch.readOutbound()) != null) {
      b.append(((ByteBuf) msg).toString(StandardCharsets.ISO_8859_1));
      ReferenceCountUtil.release(msg);
    }
    return b.toString();
  }
}
