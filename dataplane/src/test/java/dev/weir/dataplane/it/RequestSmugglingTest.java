package dev.weir.dataplane.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.app.Dataplane;
import dev.weir.dataplane.app.DataplaneOptions;
import dev.weir.dataplane.proxy.ProxySettings;
import dev.weir.dataplane.testing.Await;
import dev.weir.dataplane.testing.HttpTestClient;
import dev.weir.dataplane.testing.RawConnection;
import dev.weir.dataplane.testing.RawConnection.End;
import dev.weir.dataplane.testing.RawConnection.Received;
import dev.weir.dataplane.testing.RecordingBackend;
import dev.weir.dataplane.testing.SnapshotBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request smuggling over real sockets: each hostile request is followed, in the same write, by a
 * second request ({@code GET /smuggled}) that a proxy and an upstream could disagree about. The
 * proxy must answer the first with an error and {@code Connection: close}, close the connection,
 * and send nothing of the second to the upstream, which records every byte it receives.
 */
class RequestSmugglingTest {

  static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: a.test\r\n\r\n";
  static final int TIMEOUT_MS = 3_000;

  static RecordingBackend backend;
  static Dataplane dp;
  static final AtomicInteger sentinels = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    backend = RecordingBackend.start();
    dp = Dataplane.start(DataplaneOptions.ephemeral().ioThreads(1).proxy(ProxySettings.defaults().withResponseTimeout(Duration.ofSeconds(5))).build());
    assertTrue(dp.config().apply(new SnapshotBuilder(1).cluster("c", backend.endpoint()).host("a.test").prefix("r", "/", "c").build()).accepted());
  }

  @AfterAll
  static void stop() {
    dp.close(Duration.ofSeconds(1));
    backend.close();
  }

  /** What the upstream may have seen of the hostile request. */
  enum Upstream {
    /** Nothing: the request was refused from its head. */
    NOTHING,
    /** At most the head of {@code /x} (and some of its body): the body was malformed, the upstream connection closed. */
    HEAD_AT_MOST
  }

  static Stream<Arguments> rejected() {
    String post = "POST /x HTTP/1.1\r\nHost: a.test\r\n";
    String chunked = post + "Transfer-Encoding: chunked\r\n\r\n";
    String get = "GET /x HTTP/1.1\r\nHost: a.test\r\n";
    return Stream.of(
        // Content-Length that is not one plain number.
        Arguments.of("duplicate Content-Length, same value", post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400, Upstream.NOTHING),
        Arguments.of("duplicate Content-Length, different values", post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 400, Upstream.NOTHING),
        Arguments.of("Content-Length list 5, 5", post + "Content-Length: 5, 5\r\n\r\nhello", 400, Upstream.NOTHING),
        Arguments.of("Content-Length +5", post + "Content-Length: +5\r\n\r\nhello", 400, Upstream.NOTHING),
        Arguments.of("Content-Length -1", post + "Content-Length: -1\r\n\r\nhello", 400, Upstream.NOTHING),
        Arguments.of("Content-Length 0x5", post + "Content-Length: 0x5\r\n\r\nhello", 400, Upstream.NOTHING),
        Arguments.of("Content-Length overflowing a long", post + "Content-Length: 99999999999999999999\r\n\r\nhello", 400, Upstream.NOTHING),
        Arguments.of("empty Content-Length", post + "Content-Length: \r\n\r\nhello", 400, Upstream.NOTHING),
        // Transfer-Encoding together with Content-Length (CL.TE and TE.CL).
        Arguments.of("Content-Length then Transfer-Encoding", post + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("Transfer-Encoding then Content-Length", post + "Transfer-Encoding: chunked\r\nContent-Length: 48\r\n\r\n0\r\n\r\n", 400, Upstream.NOTHING),
        // Transfer-Encoding whose final coding is not exactly chunked, or that is obfuscated (TE.TE).
        Arguments.of("Transfer-Encoding gzip", post + "Transfer-Encoding: gzip\r\n\r\n0\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("Transfer-Encoding chunked, gzip", post + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("Transfer-Encoding xchunked", post + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("Transfer-Encoding chunked twice in one line", post + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("Transfer-Encoding chunked twice in two lines", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("Transfer-Encoding chunked with a parameter", post + "Transfer-Encoding: chunked;x=y\r\n\r\n0\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("Transfer-Encoding with a vertical tab", post + "Transfer-Encoding:\u000bchunked\r\n\r\n0\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("Transfer-Encoding in HTTP/1.0", "POST /x HTTP/1.0\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("Transfer-Encoding gzip, chunked (a coding the proxy does not implement)", post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501, Upstream.NOTHING),
        // obs-fold (RFC 9112 5.2) and whitespace between a field name and its colon (5.1).
        Arguments.of("obs-fold of Transfer-Encoding", post + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("obs-fold of another header", get + "X-A: one\r\n two\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("obs-fold with a tab", get + "X-A: one\r\n\ttwo\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("obs-fold before the first header", "GET /x HTTP/1.1\r\n X-A: one\r\nHost: a.test\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("space before the colon of Content-Length", post + "Content-Length : 5\r\n\r\nhello", 400, Upstream.NOTHING),
        Arguments.of("space before the colon of Transfer-Encoding", post + "Transfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\nhello", 400, Upstream.NOTHING),
        Arguments.of("tab before a colon", "GET /x HTTP/1.1\r\nHost\t: a.test\r\n\r\n", 400, Upstream.NOTHING),
        // Line endings and control characters.
        Arguments.of("bare CR in a header value", get + "X-A: one\rX-B: two\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("bare CR ending a header line", "GET /x HTTP/1.1\r\nHost: a.test\rX-A: one\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("bare CR in the request line", "GET /x\rHTTP/1.1\r\nHost: a.test\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("bare LF line endings", "GET /x HTTP/1.1\nHost: a.test\n\n", 400, Upstream.NOTHING),
        Arguments.of("bare LF after one header", "GET /x HTTP/1.1\r\nHost: a.test\nX-A: one\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("NUL in a header value", get + "X-A: o\0ne\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("control character in a header value", get + "X-A: o\u0001ne\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("NUL in a header name", get + "X-\0A: one\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("NUL in the request target", "GET /x\0y HTTP/1.1\r\nHost: a.test\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("control character in the request target", "GET /x\u0001y HTTP/1.1\r\nHost: a.test\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("DEL in the request target", "GET /x\u007fy HTTP/1.1\r\nHost: a.test\r\n\r\n", 400, Upstream.NOTHING),
        // Request lines that are not method SP target SP version.
        Arguments.of("request line with double spaces", "GET  /x  HTTP/1.1\r\nHost: a.test\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("request line with a leading space", " GET /x HTTP/1.1\r\nHost: a.test\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("request line with a trailing space", "GET /x HTTP/1.1 \r\nHost: a.test\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("request line separated by tabs", "GET\t/x\tHTTP/1.1\r\nHost: a.test\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("request target with a space", "GET /x y HTTP/1.1\r\nHost: a.test\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("HTTP/0.9 request line", "GET /x\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("unsupported major version", "GET /x HTTP/9.9\r\nHost: a.test\r\n\r\n", 505, Upstream.NOTHING),
        Arguments.of("HTTP/2.0 in an HTTP/1 request line", "GET /x HTTP/2.0\r\nHost: a.test\r\n\r\n", 505, Upstream.NOTHING),
        // Host (RFC 9112 3.2): exactly one, in every HTTP/1.1 request.
        Arguments.of("two Host headers", "GET /x HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("no Host header in HTTP/1.1", "GET /x HTTP/1.1\r\n\r\n", 400, Upstream.NOTHING),
        Arguments.of("Host with a path", "GET /x HTTP/1.1\r\nHost: a.test/evil\r\n\r\n", 400, Upstream.NOTHING),
        // Chunk sizes (RFC 9112 7.1): the head is fine, so the upstream may have the head; never the rest.
        Arguments.of("chunk size not hex", chunked + "zz\r\nhello\r\n0\r\n\r\n", 400, Upstream.HEAD_AT_MOST),
        Arguments.of("negative chunk size", chunked + "-5\r\nhello\r\n0\r\n\r\n", 400, Upstream.HEAD_AT_MOST),
        Arguments.of("chunk size with 0x", chunked + "0x5\r\nhello\r\n0\r\n\r\n", 400, Upstream.HEAD_AT_MOST),
        Arguments.of("chunk size overflowing a long", chunked + "ffffffffffffffff1\r\nhello\r\n0\r\n\r\n", 400, Upstream.HEAD_AT_MOST),
        Arguments.of("chunk size above 2^31", chunked + "80000000\r\nhello\r\n0\r\n\r\n", 400, Upstream.HEAD_AT_MOST),
        Arguments.of("empty chunk size", chunked + "\r\nhello\r\n0\r\n\r\n", 400, Upstream.HEAD_AT_MOST),
        Arguments.of("chunk size with a leading space", chunked + " 5\r\nhello\r\n0\r\n\r\n", 400, Upstream.HEAD_AT_MOST),
        Arguments.of("chunk size with a trailing space", chunked + "5 \r\nhello\r\n0\r\n\r\n", 400, Upstream.HEAD_AT_MOST),
        Arguments.of("chunk size ended by a bare LF", chunked + "5\nhello\r\n0\r\n\r\n", 400, Upstream.HEAD_AT_MOST),
        Arguments.of("chunk extension with a bare LF", chunked + "5;a\nb\r\nhello\r\n0\r\n\r\n", 400, Upstream.HEAD_AT_MOST),
        Arguments.of("chunk data longer than its size", chunked + "3\r\nhelloXX\r\n0\r\n\r\n", 400, Upstream.HEAD_AT_MOST),
        Arguments.of("chunk data without its CRLF", chunked + "5\r\nhello0\r\n\r\n", 400, Upstream.HEAD_AT_MOST));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejected")
  void isRefusedAndClosedAndNothingIsSmuggled(String name, String request, int status, Upstream upstream) {
    int before = backend.requests().size();
    int rawBefore = backend.raw().length();

    Received r = RawConnection.exchange(dp.httpPort(), request + SMUGGLED, TIMEOUT_MS);

    assertEquals(status, r.status(), r.toString());
    assertTrue(r.head().contains("\r\nconnection: close\r\n"), r.toString());
    assertEquals(End.EOF, r.end(), "the connection must be closed after the error: " + r);
    assertEquals(1, r.responses(), "the smuggled request must not be answered: " + r);
    assertNothingSmuggled(before, rawBefore, upstream == Upstream.NOTHING ? List.of() : List.of("/x"));
  }

  /** Positive controls: framing that is valid (if odd) goes through, pipelined requests included. */
  @Test
  void validFramingPassesAndIsForwardedCanonically() {
    int before = backend.requests().size();
    Received r =
        RawConnection.exchange(
            dp.httpPort(),
            "POST /te HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: CHUNKED\r\n\r\n5;ext=1\r\nhello\r\n0\r\n\r\n"
                + "POST /cl HTTP/1.1\r\nHost: a.test\r\nContent-Length: 05\r\n\r\nhello"
                + "\r\nGET /folded-free HTTP/1.1\r\nHost:a.test\r\nX-Long:  spaced   value\t\r\nConnection: close\r\n\r\n",
            TIMEOUT_MS);
    assertEquals(End.EOF, r.end(), r.toString());
    assertEquals(3, r.responses(), r.toString());
    Await.until("three requests upstream", Duration.ofSeconds(2), () -> backend.requests().size() >= before + 3);
    List<RecordingBackend.Seen> seen = backend.requests().subList(before, before + 3);
    assertEquals(List.of("/te", "/cl", "/folded-free"), seen.stream().map(RecordingBackend.Seen::target).toList());
    // An upstream that knows only the lowercase coding must not see CHUNKED (TE.TE desync).
    assertEquals("chunked", seen.get(0).header("transfer-encoding"));
    assertEquals(5, seen.get(0).bodyBytes());
    assertEquals("5", seen.get(1).header("content-length"));
    assertEquals(5, seen.get(1).bodyBytes());
    assertEquals("spaced   value", seen.get(2).header("x-long"));
  }

  @Test
  void moreThanTheHeaderCountLimitIs431() {
    StringBuilder head = new StringBuilder("GET /x HTTP/1.1\r\nHost: a.test\r\n");
    for (int i = 1; i < 100; i++) {
      head.append("X-H").append(i).append(": v\r\n");
    }
    // 100 fields (Host and 99 others): the default limit, allowed.
    try (HttpTestClient c = HttpTestClient.connect(dp.httpPort())) {
      c.writeRaw((head + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      assertEquals(200, c.readResponse(false).status());
    }
    // 101 fields: 431, closed, and the request behind it goes nowhere.
    int before = backend.requests().size();
    int rawBefore = backend.raw().length();
    Received r = RawConnection.exchange(dp.httpPort(), head + "X-H100: v\r\n\r\n" + SMUGGLED, TIMEOUT_MS);
    assertEquals(431, r.status(), r.toString());
    assertTrue(r.head().contains("\r\nconnection: close\r\n"), r.toString());
    assertEquals(End.EOF, r.end(), r.toString());
    assertNothingSmuggled(before, rawBefore, List.of());
  }

  /**
   * Sends a sentinel request on a fresh connection (the dataplane has one I/O thread, so it is
   * handled after everything of the hostile connection) and checks that the upstream got
   * {@code expected} and the sentinel since {@code before}, and never a byte of the smuggled request.
   */
  static void assertNothingSmuggled(int before, int rawBefore, List<String> expected) {
    String sentinel = "/sentinel-" + sentinels.incrementAndGet();
    HttpTestClient.Response ok = HttpTestClient.get(dp.httpPort(), "a.test", sentinel);
    assertEquals(200, ok.status(), "the dataplane still serves: " + ok.text());
    List<String> targets = backend.targets();
    List<String> since = targets.subList(before, targets.size());
    assertEquals(sentinel, since.get(since.size() - 1), "sentinel last: " + since);
    List<String> hostile = since.subList(0, since.size() - 1);
    assertTrue(expected.containsAll(hostile) && hostile.size() <= expected.size(), "upstream got " + hostile + ", at most " + expected + " allowed");
    String raw = backend.raw().substring(rawBefore);
    assertFalse(raw.contains("smuggled"), "the smuggled request reached the upstream:\n" + raw);
  }
}
