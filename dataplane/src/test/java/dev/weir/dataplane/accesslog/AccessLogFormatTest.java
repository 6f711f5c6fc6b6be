package dev.weir.dataplane.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.proxy.RequestRecord;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AccessLogFormatTest {

  /** A value as the HTTP codecs hand it over: one char per byte of the client's (UTF-8) bytes. */
  private static String onTheWire(String text) {
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  private static RequestRecord record(String target, String host, String userAgent, String requestId) {
    RequestRecord r = new RequestRecord();
    r.begin(1_000, "GET", target, "HTTP/1.1", "192.0.2.7");
    r.headers(host, userAgent, requestId);
    r.route("web/shop");
    r.upstream(new InetSocketAddress("10.0.0.7", 8080));
    r.status(200);
    r.addSent(512);
    r.addReceived(3);
    r.end(1_000 + 1_234_567);
    return r;
  }

  @Test
  void allFieldsInOrder() {
    long at = Instant.parse("2025-01-31T12:00:00.123Z").toEpochMilli();
    String line = AccessLogFormat.format(record("/a?b=c", "shop.example.com", "curl/8.5.0", "abc"), at);
    assertEquals(
        "{\"time\":\"2025-01-31T12:00:00.123Z\",\"request_id\":\"abc\",\"client\":\"192.0.2.7\",\"host\":\"shop.example.com\","
            + "\"method\":\"GET\",\"path\":\"/a?b=c\",\"protocol\":\"HTTP/1.1\",\"status\":200,\"bytes_sent\":512,\"bytes_received\":3,"
            + "\"duration_ms\":1.234,\"route\":\"web/shop\",\"upstream\":\"10.0.0.7:8080\",\"user_agent\":\"curl/8.5.0\"}",
        line);
  }

  @Test
  void absentValuesAreNullAndNoResponseIs499() {
    RequestRecord r = new RequestRecord();
    r.begin(0, "GET", "/", "HTTP/2.0", "2001:db8::1");
    r.end(5_000);
    String line = AccessLogFormat.format(r, 0);
    assertTrue(line.startsWith("{\"time\":\"1970-01-01T00:00:00.000Z\",\"request_id\":null,\"client\":\"2001:db8::1\",\"host\":null,"), line);
    assertTrue(line.contains("\"status\":499,"), line);
    assertTrue(line.contains("\"duration_ms\":0.005,"), line);
    assertTrue(line.endsWith("\"route\":null,\"upstream\":null,\"user_agent\":null}"), line);
  }

  @Test
  void timesAcrossTheCalendar() {
    for (String t : new String[] {"2000-02-29T23:59:59.999Z", "1999-12-31T00:00:00.001Z", "2024-03-01T01:02:03.040Z", "2100-01-01T00:00:00.000Z"}) {
      StringBuilder b = new StringBuilder();
      AccessLogFormat.appendTime(b, Instant.parse(t).toEpochMilli());
      assertEquals(t, b.toString());
    }
  }

  @Test
  void hostileValuesAreEscaped() {
    String ua = "a\"b\\c\nd\re\tf\u0000g\u001b[31mh\u007f";
    String line = AccessLogFormat.format(record("/\"},\"status\":1", "x\"y", onTheWire(ua), "id\\"), 0);
    assertTrue(line.contains("\"user_agent\":\"a\\\"b\\\\c\\nd\\re\\tf\\u0000g\\u001b[31mh\\u007f\"}"), line);
    assertTrue(line.contains("\"path\":\"/\\\"},\\\"status\\\":1\""), line);
    assertTrue(line.contains("\"host\":\"x\\\"y\""), line);
    assertTrue(line.contains("\"request_id\":\"id\\\\\""), line);
    assertEquals(1, line.lines().count());
    assertTrue(line.chars().noneMatch(c -> c < 0x20), "no raw control characters");
  }

  @Test
  void nonAsciiFromClientsIsWrittenAsItsUtf8() {
    String line = AccessLogFormat.format(record(onTheWire("/caf\u00e9/\u65e5\u672c"), "b\u00fccher.example", onTheWire("Mozilla \ud83d\ude00"), "r"), 0);
    assertTrue(line.contains("\"path\":\"/caf\u00e9/\u65e5\u672c\""), line);
    assertTrue(line.contains("\"user_agent\":\"Mozilla \ud83d\ude00\""), line);
    // Latin-1 bytes are not UTF-8: a client that sends them gets replacement characters, the line stays valid.
    assertTrue(line.contains("\"host\":\"b\ufffdcher.example\""), line);
    byte[] utf8 = line.getBytes(StandardCharsets.UTF_8);
    assertEquals(line, new String(utf8, StandardCharsets.UTF_8));
  }

  @Test
  void malformedUtf8AndLoneSurrogatesBecomeReplacementCharacters() {
    String line = AccessLogFormat.format(record("/\u00ff\u00fe", "h", "x\ud800y", "r"), 0);
    assertTrue(line.contains("\"path\":\"/\ufffd\ufffd\""), line);
    assertTrue(line.contains("\"user_agent\":\"x\ufffdy\""), line);
  }

  @Test
  void longPathsAreCut() {
    String line = AccessLogFormat.format(record("/" + "a".repeat(5000), "h", "u", "r"), 0);
    assertTrue(line.contains("\"path\":\"/" + "a".repeat(AccessLogFormat.MAX_PATH - 1) + "\","), "cut at " + AccessLogFormat.MAX_PATH);
    StringBuilder b = new StringBuilder();
    AccessLogFormat.string(b, "a".repeat(AccessLogFormat.MAX_PATH - 1) + "\ud83d\ude00", AccessLogFormat.MAX_PATH);
    assertEquals("\"" + "a".repeat(AccessLogFormat.MAX_PATH - 1) + "\"", b.toString(), "never between the halves of a pair");
  }
}
