package dev.weir.dataplane.accesslog;

import dev.weir.dataplane.proxy.RequestRecord;
import dev.weir.logging.JsonStrings;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * One request as one line of JSON (no newline), fields in this order:
 *
 * <pre>{"time":"2025-01-31T12:00:00.123Z","request_id":"…","client":"192.0.2.1","host":"shop.example.com",
 * "method":"GET","path":"/a?b=c","protocol":"HTTP/1.1","status":200,"bytes_sent":512,"bytes_received":0,
 * "duration_ms":1.234,"route":"web/shop","upstream":"10.0.0.7:8080","user_agent":"curl/8.5.0"}</pre>
 *
 * <p>{@code time} is when the request finished (RFC 3339, UTC, milliseconds). Absent values are
 * {@code null}. A request that got no response (the client went away) has status 499.
 *
 * <p>What the client sent (host, path, user agent, request id) arrives from the codecs as one char per
 * byte; it is read back as UTF-8 (malformed bytes become U+FFFD), so non-ASCII text reaches the log as
 * the client's UTF-8 and the line stays valid UTF-8 whatever a client sends. Strings are JSON-escaped
 * (quotes, backslashes, control characters) and capped: the path at {@value #MAX_PATH} chars, the
 * others at {@value #MAX_FIELD}.
 */
public final class AccessLogFormat {

  static final int MAX_PATH = 2048;
  static final int MAX_FIELD = 1024;

  private AccessLogFormat() {}

  /** @param epochMillis when the request finished (wall clock) */
  public static String format(RequestRecord r, long epochMillis) {
    StringBuilder b = new StringBuilder(320);
    b.append("{\"time\":\"");
    appendTime(b, epochMillis);
    b.append("\",\"request_id\":");
    wire(b, r.requestId(), MAX_FIELD);
    b.append(",\"client\":");
    string(b, r.client(), MAX_FIELD);
    b.append(",\"host\":");
    wire(b, r.host(), MAX_FIELD);
    b.append(",\"method\":");
    wire(b, r.method(), MAX_FIELD);
    b.append(",\"path\":");
    wire(b, r.target(), MAX_PATH);
    b.append(",\"protocol\":");
    string(b, r.protocol(), MAX_FIELD);
    b.append(",\"status\":").append(r.status());
    b.append(",\"bytes_sent\":").append(r.bytesSent());
    b.append(",\"bytes_received\":").append(r.bytesReceived());
    b.append(",\"duration_ms\":");
    appendMillis(b, r.durationNanos());
    b.append(",\"route\":");
    string(b, r.route(), MAX_FIELD);
    b.append(",\"upstream\":");
    InetSocketAddress upstream = r.upstream();
    string(b, upstream == null ? null : NetUtil.toSocketAddressString(upstream), MAX_FIELD);
    b.append(",\"user_agent\":");
    wire(b, r.userAgent(), MAX_FIELD);
    return b.append('}').toString();
  }

  /** {@code yyyy-MM-ddTHH:mm:ss.SSSZ}, by hand: it runs for every request. */
  static void appendTime(StringBuilder b, long epochMillis) {
    long days = Math.floorDiv(epochMillis, 86_400_000L);
    long msOfDay = Math.floorMod(epochMillis, 86_400_000L);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long day = doy - (153 * mp + 2) / 5 + 1;
    long month = mp < 10 ? mp + 3 : mp - 9;
    long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    pad(b, year, 4).append('-');
    pad(b, month, 2).append('-');
    pad(b, day, 2).append('T');
    pad(b, msOfDay / 3_600_000, 2).append(':');
    pad(b, msOfDay / 60_000 % 60, 2).append(':');
    pad(b, msOfDay / 1000 % 60, 2).append('.');
    pad(b, msOfDay % 1000, 3).append('Z');
  }

  /** Milliseconds with three decimals (microsecond resolution). */
  static void appendMillis(StringBuilder b, long nanos) {
    long micros = nanos / 1000;
    b.append(micros / 1000).append('.');
    pad(b, micros % 1000, 3);
  }

  private static StringBuilder pad(StringBuilder b, long v, int width) {
    String s = Long.toString(v);
    for (int i = s.length(); i < width; i++) {
      b.append('0');
    }
    return b.append(s);
  }

  /** A string as the client sent it: one char per byte, read back as UTF-8 first. */
  private static void wire(StringBuilder b, String s, int max) {
    string(b, s == null ? null : asUtf8(s), max);
  }

  /** Chars of 0x80-0xFF only, and nothing above: bytes decoded one to one; read them as UTF-8. Else as it is. */
  static String asUtf8(String s) {
    boolean high = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c > 0xFF) {
        return s; // real text already (made by us, or an HTTP/2 value decoded otherwise)
      }
      high |= c >= 0x80;
    }
    return high ? new String(s.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8) : s;
  }

  /** A JSON string, or {@code null}; cut at {@code max} chars. */
  static void string(StringBuilder b, String s, int max) {
    if (s == null) {
      b.append("null");
    } else {
      JsonStrings.append(b, s, max);
    }
  }
}
