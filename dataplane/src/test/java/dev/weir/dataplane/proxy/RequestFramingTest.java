package dev.weir.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestFramingTest {

  /** A request from {@code "VERSION\nName: value\n..."}. */
  private static HttpRequest request(String spec) {
    String[] lines = spec.split("\n");
    HttpRequest r = new DefaultHttpRequest(HttpVersion.valueOf(lines[0]), HttpMethod.POST, "/");
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      r.headers().add(lines[i].substring(0, colon), lines[i].substring(colon + 1).trim());
    }
    return r;
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // spec, host required, status (0: accepted), reason
        Arguments.of("HTTP/1.1\nHost: a.test", true, 0, null),
        Arguments.of("HTTP/1.1\nHost: a.test:8080\nContent-Length: 0", true, 0, null),
        Arguments.of("HTTP/1.1\nHost: [::1]:80\nTransfer-Encoding: chunked", true, 0, null),
        Arguments.of("HTTP/1.1\nHost: a.test\nTransfer-Encoding: Chunked", true, 0, null),
        Arguments.of("HTTP/1.1\nHost:", true, 0, null),
        Arguments.of("HTTP/1.0", true, 0, null),
        Arguments.of("HTTP/1.1", false, 0, null),
        Arguments.of("HTTP/1.1", true, 400, "no Host header"),
        Arguments.of("HTTP/1.0\nHost: a\nHost: b", true, 400, "more than one Host header"),
        Arguments.of("HTTP/1.1\nHost: a\nHost: a", false, 400, "more than one Host header"),
        Arguments.of("HTTP/1.1\nHost: a.test/x", true, 400, "invalid Host header"),
        Arguments.of("HTTP/1.1\nHost: user@a.test", true, 400, "invalid Host header"),
        Arguments.of("HTTP/1.1\nHost: a test", true, 400, "invalid Host header"),
        Arguments.of("HTTP/2.0\nHost: a", true, 505, "only HTTP/1.x is spoken here"),
        Arguments.of("HTTP/1.1\nHost: a\nContent-Length: 1\nContent-Length: 1", true, 400, "invalid Content-Length"),
        Arguments.of("HTTP/1.1\nHost: a\nContent-Length: 1, 1", true, 400, "invalid Content-Length"),
        Arguments.of("HTTP/1.1\nHost: a\nContent-Length: -1", true, 400, "invalid Content-Length"),
        Arguments.of("HTTP/1.1\nHost: a\nContent-Length: 1\nTransfer-Encoding: chunked", true, 400, "Transfer-Encoding with Content-Length"),
        Arguments.of("HTTP/1.0\nHost: a\nTransfer-Encoding: chunked", true, 400, "Transfer-Encoding in HTTP/1.0"),
        Arguments.of("HTTP/1.1\nHost: a\nTransfer-Encoding: gzip, chunked", true, 501, "transfer coding not supported"),
        Arguments.of("HTTP/1.1\nHost: a\nTransfer-Encoding: xchunked", true, 501, "transfer coding not supported"),
        Arguments.of("HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\nTransfer-Encoding: chunked", true, 400, "chunked applied more than once"),
        Arguments.of("HTTP/1.1\nHost: a\nTransfer-Encoding: chunked,", true, 501, "transfer coding not supported"));
  }

  @ParameterizedTest(name = "{0} (host required: {1})")
  @MethodSource("cases")
  void checks(String spec, boolean hostRequired, int status, String reason) {
    RequestFraming.Rejection r = RequestFraming.check(request(spec), 100, hostRequired);
    if (status == 0) {
      assertNull(r);
    } else {
      assertEquals(status, r.status().code());
      assertEquals(reason, r.reason());
    }
  }

  @ParameterizedTest(name = "limit {0}")
  @MethodSource("limits")
  void countsHeaderFields(int limit, int fields, boolean refused) {
    HttpRequest r = request("HTTP/1.1\nHost: a");
    for (int i = 1; i < fields; i++) {
      r.headers().add("X-" + i, "v");
    }
    RequestFraming.Rejection rejection = RequestFraming.check(r, limit, true);
    if (refused) {
      assertEquals(431, rejection.status().code());
      assertEquals("more than " + limit + " header fields", rejection.reason());
    } else {
      assertNull(rejection);
    }
  }

  static Stream<Arguments> limits() {
    return Stream.of(Arguments.of(100, 100, false), Arguments.of(100, 101, true), Arguments.of(1, 1, false), Arguments.of(1, 2, true));
  }
}
