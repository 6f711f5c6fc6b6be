package dev.weir.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/** How a {@link LogLine} is written: each format gives one line (text: plus a stack trace's lines). */
enum LogFormat {
  /**
   * slf4j-simple's layout plus the key-value pairs, then the MDC entries: {@code [main] INFO dev.weir.X -
   * message kind=ProxyRoute name=shop}. A value with blanks, quotes, {@code =} or control characters is
   * quoted and escaped. A throwable's stack trace follows on its own lines, as slf4j-simple prints it.
   */
  TEXT {
    @Override
    String format(LogLine line, boolean showDateTime) {
      StringBuilder b = new StringBuilder(128);
      if (showDateTime) b.append(TIME.format(Instant.ofEpochMilli(line.epochMillis()))).append(' ');
      b.append('[').append(line.thread()).append("] ").append(line.level()).append(' ').append(line.logger())
          .append(" - ").append(line.message());
      for (KeyValuePair kv : line.keyValues()) textPair(b, kv.key, kv.value);
      for (Map.Entry<String, String> e : line.mdc().entrySet()) textPair(b, e.getKey(), e.getValue());
      b.append('\n');
      if (line.error() != null) b.append(stackTrace(line.error()));
      return b.toString();
    }
  },

  /**
   * One JSON object per line: {@code time} (RFC 3339, UTC, milliseconds), {@code level}, {@code logger},
   * {@code thread}, {@code message}, then every key-value pair and MDC entry as a field of its own, then
   * {@code error} ({@code class: message}) and {@code stack} for a throwable. Numbers and booleans stay
   * JSON numbers and booleans; anything else is its {@code toString()}. A key that is already taken (one
   * of those names, or a repeat) is written with {@code _} in front until it is not.
   */
  JSON {
    @Override
    String format(LogLine line, boolean showDateTime) {
      StringBuilder b = new StringBuilder(192);
      Set<String> taken = new HashSet<>(RESERVED);
      b.append("{\"time\":\"").append(TIME.format(Instant.ofEpochMilli(line.epochMillis())))
          .append("\",\"level\":\"").append(line.level()).append('"');
      b.append(",\"logger\":");
      jsonString(b, line.logger());
      b.append(",\"thread\":");
      jsonString(b, line.thread());
      b.append(",\"message\":");
      jsonString(b, line.message());
      for (KeyValuePair kv : line.keyValues()) jsonField(b, taken, kv.key, kv.value);
      for (Map.Entry<String, String> e : line.mdc().entrySet()) jsonField(b, taken, e.getKey(), e.getValue());
      Throwable t = line.error();
      if (t != null) {
        b.append(",\"error\":");
        jsonString(b, t.getMessage() == null ? t.getClass().getName() : t.getClass().getName() + ": " + t.getMessage());
        b.append(",\"stack\":");
        jsonString(b, stackTrace(t));
      }
      return b.append("}\n").toString();
    }
  };

  private static final Set<String> RESERVED = Set.of("time", "level", "logger", "thread", "message", "error", "stack");
  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** @param showDateTime text only: start with the time */
  abstract String format(LogLine line, boolean showDateTime);

  private static void textPair(StringBuilder b, String key, Object value) {
    b.append(' ');
    textToken(b, String.valueOf(key));
    b.append('=');
    textToken(b, String.valueOf(value));
  }

  private static void textToken(StringBuilder b, String s) {
    boolean quote = s.isEmpty();
    for (int i = 0; i < s.length() && !quote; i++) {
      char c = s.charAt(i);
      quote = c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f || c == '\u2028' || c == '\u2029';
    }
    if (quote) jsonString(b, s); // JSON's escaping is logfmt's too
    else b.append(s);
  }

  private static void jsonField(StringBuilder b, Set<String> taken, String key, Object value) {
    String k = String.valueOf(key);
    while (!taken.add(k)) k = "_" + k;
    b.append(',');
    jsonString(b, k);
    b.append(':');
    if (value == null) {
      b.append("null");
    } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long || value instanceof Short
        || value instanceof Byte || value instanceof BigInteger || value instanceof BigDecimal) {
      b.append(value);
    } else if ((value instanceof Double || value instanceof Float) && Double.isFinite(((Number) value).doubleValue())) {
      b.append(value);
    } else {
      jsonString(b, String.valueOf(value));
    }
  }

  static void jsonString(StringBuilder b, String s) {
    JsonStrings.append(b, s);
  }

  static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    try (PrintWriter p = new PrintWriter(w)) {
      t.printStackTrace(p);
    }
    return w.toString();
  }
}
