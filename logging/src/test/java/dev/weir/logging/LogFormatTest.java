package dev.weir.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;

class LogFormatTest {
  // 2026-03-04T05:06:07.008Z
  private static final long T = 1772600767008L;

  private static LogLine line(String message, List<KeyValuePair> kvs, Map<String, String> mdc, Throwable t) {
    return new LogLine(T, Level.WARN, "dev.weir.X", "main", message, kvs, mdc, t);
  }

  @Test
  void textIsSimpleLoggersLayoutWithPairs() {
    String out = LogFormat.TEXT.format(line("status not written",
        List.of(new KeyValuePair("kind", "ProxyRoute"), new KeyValuePair("name", "shop"), new KeyValuePair("code", 409)),
        Map.of(), null), false);
    assertEquals("[main] WARN dev.weir.X - status not written kind=ProxyRoute name=shop code=409\n", out);
  }

  @Test
  void textQuotesValuesThatWouldBreakTheLineOrThePairs() {
    String out = LogFormat.TEXT.format(line("m", List.of(new KeyValuePair("reason", "bad \"x\"=1\nnext"),
        new KeyValuePair("empty", ""), new KeyValuePair("nothing", null)), Map.of("trace", "a b"), null), true);
    assertEquals("2026-03-04T05:06:07.008Z [main] WARN dev.weir.X - m reason=\"bad \\\"x\\\"=1\\nnext\" empty=\"\""
        + " nothing=null trace=\"a b\"\n", out);
  }

  @Test
  void textPutsTheStackTraceOnTheFollowingLines() {
    String out = LogFormat.TEXT.format(line("failed", List.of(), Map.of(), new IllegalStateException("boom")), false);
    assertTrue(out.startsWith("[main] WARN dev.weir.X - failed\njava.lang.IllegalStateException: boom\n\tat "), out);
  }

  @Test
  void jsonHasTheFixedFieldsThenPairsThenMdc() {
    Map<String, String> mdc = new LinkedHashMap<>();
    mdc.put("request", "r-1");
    String out = LogFormat.JSON.format(line("rejected",
        List.of(new KeyValuePair("replica", "dp-1"), new KeyValuePair("version", 42L), new KeyValuePair("ok", false),
            new KeyValuePair("ratio", 0.5), new KeyValuePair("nan", Double.NaN), new KeyValuePair("none", null),
            new KeyValuePair("list", List.of(1, 2))),
        mdc, null), false);
    assertEquals("{\"time\":\"2026-03-04T05:06:07.008Z\",\"level\":\"WARN\",\"logger\":\"dev.weir.X\",\"thread\":\"main\","
        + "\"message\":\"rejected\",\"replica\":\"dp-1\",\"version\":42,\"ok\":false,\"ratio\":0.5,\"nan\":\"NaN\","
        + "\"none\":null,\"list\":\"[1, 2]\",\"request\":\"r-1\"}\n", out);
  }

  @Test
  void jsonEscapesHostileStrings() {
    String hostile = "quote\" backslash\\ nl\n cr\r tab\t nul\u0000 bell\u0007 del\u007f ls\u2028 ps\u2029"
        + " emoji\uD83D\uDE00 lone\uD800 end\uDC00 </script>";
    String out = LogFormat.JSON.format(new LogLine(T, Level.INFO, "log\"ger", "thr\nead", hostile,
        List.of(new KeyValuePair("k\"ey", hostile)), Map.of(), null), false);
    String escaped = "quote\\\" backslash\\\\ nl\\n cr\\r tab\\t nul\\u0000 bell\\u0007 del\\u007f ls\\u2028 ps\\u2029"
        + " emoji\uD83D\uDE00 lone\ufffd end\ufffd </script>";
    assertEquals("{\"time\":\"2026-03-04T05:06:07.008Z\",\"level\":\"INFO\",\"logger\":\"log\\\"ger\","
        + "\"thread\":\"thr\\nead\",\"message\":\"" + escaped + "\",\"k\\\"ey\":\"" + escaped + "\"}\n", out);
    assertEquals(1, out.split("\n", -1).length - 1, "exactly one line");
    assertEquals(out, new String(out.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        java.nio.charset.StandardCharsets.UTF_8), "survives UTF-8");
  }

  @Test
  void jsonRenamesKeysThatAreTakenRatherThanRepeatThem() {
    String out = LogFormat.JSON.format(line("real", List.of(new KeyValuePair("message", "fake"),
        new KeyValuePair("name", "a"), new KeyValuePair("name", "b")), Map.of("name", "c"), null), false);
    assertTrue(out.contains("\"message\":\"real\",\"_message\":\"fake\",\"name\":\"a\",\"_name\":\"b\",\"__name\":\"c\""),
        out);
  }

  @Test
  void jsonCarriesTheThrowableAsErrorAndStack() {
    Exception e = new java.io.IOException("disk \"full\"", new RuntimeException("cause"));
    String out = LogFormat.JSON.format(line("failed", List.of(), Map.of(), e), false);
    assertTrue(out.contains(",\"error\":\"java.io.IOException: disk \\\"full\\\"\",\"stack\":\"java.io.IOException: disk"
        + " \\\"full\\\"\\n\\tat "), out);
    assertTrue(out.contains("Caused by: java.lang.RuntimeException: cause"), out);
    assertTrue(out.endsWith("\"}\n") && out.indexOf('\n') == out.length() - 1, out);
    String noMessage = LogFormat.JSON.format(line("npe", List.of(), Map.of(), new NullPointerException()), false);
    assertTrue(noMessage.contains("\"error\":\"java.lang.NullPointerException\""), noMessage);
  }
}
