package dev.weir.logging;

/**
 * JSON string literals for log lines, shared by the component logs and the dataplane's access log:
 * a line must stay one valid JSON object whatever a client or an exception message put in it.
 * Quotes, backslashes and control characters are escaped (a raw ESC in a log viewer is a terminal
 * escape), so are U+2028/U+2029 (line breaks to JavaScript); a lone surrogate half, which UTF-8
 * cannot encode, becomes U+FFFD so strict parsers accept the line.
 */
public final class JsonStrings {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsonStrings() {}

  /** Appends {@code s} as a JSON string literal. */
  public static void append(StringBuilder b, CharSequence s) {
    append(b, s, s.length());
  }

  /** Appends {@code s} as a JSON string literal cut at {@code maxChars} (never between the halves of a pair). */
  public static void append(StringBuilder b, CharSequence s, int maxChars) {
    int end = Math.min(s.length(), maxChars);
    if (end < s.length() && end > 0 && Character.isHighSurrogate(s.charAt(end - 1))
        && Character.isLowSurrogate(s.charAt(end))) {
      end--;
    }
    b.append('"');
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
            b.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
          } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s.charAt(i + 1))) {
            b.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            b.append('\ufffd');
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
