package dev.weir.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class ForwardedHeadersTest {

  @Test
  void stripsHopByHopHeadersAndThoseConnectionNames() {
    HttpHeaders h = new DefaultHttpHeaders()
        .add("Connection", "close, X-Secret")
        .add("Connection", "Upgrade")
        .add("X-Secret", "1")
        .add("Upgrade", "websocket")
        .add("Keep-Alive", "timeout=5")
        .add("Proxy-Connection", "keep-alive")
        .add("Proxy-Authorization", "Basic x")
        .add("TE", "trailers")
        .add("Trailer", "X-Checksum")
        .add("Transfer-Encoding", "chunked")
        .add("Content-Type", "text/plain");
    HopByHopHeaders.strip(h);
    assertEquals(2, h.size(), h.toString());
    assertEquals("chunked", h.get("transfer-encoding"), "framing is the codec's business");
    assertEquals("text/plain", h.get("content-type"));
  }

  @Test
  void connectionCannotNameFramingHeaders() {
    HttpHeaders h = new DefaultHttpHeaders().add("Connection", "content-length, transfer-encoding").add("Content-Length", "3");
    HopByHopHeaders.strip(h);
    assertEquals("3", h.get("content-length"));
  }

  @Test
  void setsForwardedHeaders() {
    HttpHeaders h = new DefaultHttpHeaders().add("Host", "shop.example.com").add("X-Forwarded-For", "1.1.1.1").add("X-Forwarded-For", "2.2.2.2");
    String id = ForwardedHeaders.apply(h, "10.0.0.9", "https");
    assertEquals("1.1.1.1, 2.2.2.2, 10.0.0.9", h.get("x-forwarded-for"));
    assertEquals(1, h.getAll("x-forwarded-for").size());
    assertEquals("https", h.get("x-forwarded-proto"));
    assertEquals("shop.example.com", h.get("x-forwarded-host"));
    assertEquals(id, h.get("x-request-id"));
    assertTrue(id.matches("[0-9a-f]{32}"));
  }

  @Test
  void keepsARequestIdAndOverwritesAClaimedProto() {
    HttpHeaders h = new DefaultHttpHeaders().add("X-Request-Id", "client-id").add("X-Forwarded-Proto", "https");
    assertEquals("client-id", ForwardedHeaders.apply(h, "::1", "http"));
    assertEquals("http", h.get("x-forwarded-proto"));
    assertEquals("::1", h.get("x-forwarded-for"));
    assertFalse(h.contains("x-forwarded-host"), "no Host, nothing to forward");
  }

  @Test
  void requestIdsDifferAndAre32LowercaseHexDigits() {
    assertNotEquals(ForwardedHeaders.newRequestId(), ForwardedHeaders.newRequestId());
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = ForwardedHeaders.newRequestId();
      org.junit.jupiter.api.Assertions.assertTrue(id.matches("[0-9a-f]{32}"), id);
      seen.add(id);
    }
    assertEquals(1000, seen.size());
  }
}
