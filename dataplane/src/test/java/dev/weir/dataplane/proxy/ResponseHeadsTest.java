package dev.weir.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class ResponseHeadsTest {

  static HttpResponse response(int code, String... headers) {
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_0, HttpResponseStatus.valueOf(code));
    for (int i = 0; i < headers.length; i += 2) {
      r.headers().add(headers[i], headers[i + 1]);
    }
    return r;
  }

  @Test
  void keepAliveForHttp11WithALength() {
    HttpResponse r = response(200, "Content-Length", "3", "Connection", "keep-alive", "Keep-Alive", "timeout=4");
    assertTrue(ResponseHeads.prepare(r, HttpVersion.HTTP_1_1, false, true));
    assertEquals(HttpVersion.HTTP_1_1, r.protocolVersion());
    assertNull(r.headers().get("connection"));
    assertNull(r.headers().get("keep-alive"));
  }

  @Test
  void closeWhenTheClientConnectionEnds() {
    HttpResponse r = response(200, "Content-Length", "3");
    assertFalse(ResponseHeads.prepare(r, HttpVersion.HTTP_1_1, false, false));
    assertEquals("close", r.headers().get("connection"));
  }

  @Test
  void readUntilCloseBodiesAreChunkedForHttp11AndEndTheConnectionForHttp10() {
    HttpResponse for11 = response(200);
    assertTrue(ResponseHeads.prepare(for11, HttpVersion.HTTP_1_1, false, true));
    assertTrue(HttpUtil.isTransferEncodingChunked(for11));

    HttpResponse for10 = response(200);
    assertFalse(ResponseHeads.prepare(for10, HttpVersion.HTTP_1_0, false, true));
    assertEquals("close", for10.headers().get("connection"));
  }

  @Test
  void http10ClientsGetNoChunkedEncoding() {
    HttpResponse r = response(200, "Transfer-Encoding", "chunked");
    assertFalse(ResponseHeads.prepare(r, HttpVersion.HTTP_1_0, false, true));
    assertFalse(HttpUtil.isTransferEncodingChunked(r));
    HttpResponse framed = response(200, "Content-Length", "1");
    assertTrue(ResponseHeads.prepare(framed, HttpVersion.HTTP_1_0, false, true));
    assertEquals("keep-alive", framed.headers().get("connection"));
  }

  @Test
  void bodilessResponsesNeedNoFraming() {
    for (int code : new int[] {204, 304}) {
      HttpResponse r = response(code);
      assertTrue(ResponseHeads.prepare(r, HttpVersion.HTTP_1_1, false, true));
      assertFalse(HttpUtil.isTransferEncodingChunked(r));
    }
    HttpResponse head = response(200);
    assertTrue(ResponseHeads.prepare(head, HttpVersion.HTTP_1_1, true, true));
    assertFalse(HttpUtil.isTransferEncodingChunked(head));
  }

  @Test
  void interimResponsesGetNoConnectionHeader() {
    HttpResponse r = response(100, "Connection", "keep-alive");
    ResponseHeads.prepare(r, HttpVersion.HTTP_1_1, false, false);
    assertNull(r.headers().get("connection"));
  }
}
