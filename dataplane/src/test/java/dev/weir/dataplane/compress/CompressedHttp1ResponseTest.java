package dev.weir.dataplane.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole sequence the proxy runs, on real Netty HTTP/1.1 codecs: negotiate on the request,
 * prepare the response head, encode each content into the server's {@link HttpResponseEncoder}, and
 * a client's {@link HttpResponseDecoder} reads a chunked, encoded response that decodes to the
 * upstream's body; every buffer is released on the way (PARANOID leak detection watches).
 */
class CompressedHttp1ResponseTest {

  @ParameterizedTest
  @EnumSource(value = ContentCoding.class, names = {"GZIP", "BROTLI", "ZSTD"})
  void aCompressedResponseCrossesTheCodecs(ContentCoding coding) {
    Compression compression = new Compression(CompressionSettings.defaults());
    DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/products");
    request.headers().set("accept-encoding", coding.token() + ", gzip;q=0.1");
    RequestCompression rc = compression.negotiate(request);
    assertEquals(coding, rc.accepted());

    byte[] body = Bodies.json(300_000, 10);
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set("content-type", "application/json").set("content-length", body.length).set("etag", "\"p1\"");

    EmbeddedChannel server = new EmbeddedChannel(new HttpResponseEncoder());
    EmbeddedChannel client = new EmbeddedChannel(new HttpResponseDecoder());
    client.writeOutbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/")); // so the decoder expects a GET's response
    client.releaseOutbound();

    CompressionDecision d = compression.prepare(rc, head);
    assertTrue(d.compress());
    HttpUtil.setTransferEncodingChunked(head, true); // what the proxy's framing does for a head without length
    server.writeOutbound(head);
    ContentEncoder enc = compression.newEncoder(d, server.alloc());
    try {
      for (int pos = 0; pos < body.length; pos += 8192) {
        int len = Math.min(8192, body.length - pos);
        ByteBuf piece = server.alloc().buffer(len).writeBytes(body, pos, len);
        boolean last = pos + len == body.length;
        if (last) {
          server.writeOutbound(new DefaultLastHttpContent(enc.finish(piece)));
        } else {
          ByteBuf encoded = enc.encode(piece);
          if (encoded.isReadable()) {
            server.writeOutbound(new DefaultHttpContent(encoded));
          } else {
            encoded.release();
          }
        }
      }
    } finally {
      enc.close();
    }

    ByteBuf wire;
    while ((wire = server.readOutbound()) != null) {
      client.writeInbound(wire);
    }
    HttpResponse received = null;
    ByteArrayOutputStream encoded = new ByteArrayOutputStream();
    boolean ended = false;
    HttpObject msg;
    while ((msg = client.readInbound()) != null) {
      if (msg instanceof HttpResponse) {
        received = (HttpResponse) msg;
      }
      if (msg instanceof HttpContent) {
        ByteBuf c = ((HttpContent) msg).content();
        byte[] b = new byte[c.readableBytes()];
        c.readBytes(b);
        encoded.writeBytes(b);
        ended |= msg instanceof LastHttpContent;
        ((HttpContent) msg).release();
      }
    }
    assertTrue(ended);
    assertEquals(coding.token(), received.headers().get("content-encoding"));
    assertTrue(HttpUtil.isTransferEncodingChunked(received));
    assertNull(received.headers().get("content-length"));
    assertEquals("Accept-Encoding", received.headers().get("vary"));
    assertEquals("W/\"p1\"", received.headers().get("etag"));
    assertTrue(encoded.size() < body.length / 3);
    assertArrayEquals(body, Bodies.decode(coding, encoded.toByteArray()));
    assertFalse(server.finishAndReleaseAll());
    assertFalse(client.finishAndReleaseAll());
  }
}
