package dev.weir.controller.translate;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Duration strings → milliseconds. A pure function, like {@link MatchRules}.
 *
 * <p>The syntax is the Gateway API's ({@code HTTPRouteTimeouts}, GEP-2257): one to four parts of one to
 * five digits and a unit {@code h}, {@code m}, {@code s} or {@code ms}, e.g. {@code 500ms}, {@code 15s},
 * {@code 1h30m}; the parts add up, as in Go's {@code time.ParseDuration}. It is exactly what the CRD's
 * pattern admits, so nothing the API server accepts is rejected here except values above {@link #MAX_MILLIS}.
 */
final class Durations {
  private static final long SECOND = 1000;
  private static final long MINUTE = 60 * SECOND;
  private static final long HOUR = 60 * MINUTE;

  /** Longer timeouts are refused: a day is already far past anything a proxied request should wait. */
  static final long MAX_MILLIS = 24 * HOUR;

  private static final Pattern DURATION = Pattern.compile("([0-9]{1,5}(h|m|s|ms)){1,4}");
  // "ms" before "m": at each position take the longest unit.
  private static final Pattern PART = Pattern.compile("([0-9]{1,5})(ms|h|m|s)");
  private static final Pattern SECONDS = Pattern.compile("[0-9]{1,5}");

  private Durations() {}

  /** A Gateway API duration, e.g. {@code 15s} or {@code 1h30m}. */
  static Parsed parse(String text) {
    if (text == null || text.isEmpty()) {
      return Parsed.invalid("must not be empty");
    }
    if (!DURATION.matcher(text).matches()) {
      return Parsed.invalid("invalid duration \"" + text
          + "\" (want 1 to 4 parts of <number><h|m|s|ms>, e.g. 500ms, 15s or 1h30m)");
    }
    long millis = 0;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      long n = Long.parseLong(part.group(1));
      millis += switch (part.group(2)) {
        case "h" -> n * HOUR;
        case "m" -> n * MINUTE;
        case "s" -> n * SECOND;
        default -> n;
      };
    }
    return bounded(text, millis);
  }

  /**
   * An Ingress annotation's timeout: a bare number of seconds as ingress-nginx takes it ({@code "30"}),
   * or a duration as {@link #parse} takes it ({@code "30s"}, {@code "1m30s"}).
   */
  static Parsed parseSecondsOrDuration(String text) {
    if (text != null && SECONDS.matcher(text).matches()) {
      return bounded(text, Long.parseLong(text) * SECOND);
    }
    if (text != null && !text.isEmpty() && !DURATION.matcher(text).matches()) {
      return Parsed.invalid("invalid timeout \"" + text
          + "\" (want seconds, e.g. \"30\", or a duration, e.g. \"30s\", \"500ms\" or \"1m30s\")");
    }
    return parse(text);
  }

  private static Parsed bounded(String text, long millis) {
    if (millis > MAX_MILLIS) {
      return Parsed.invalid("\"" + text + "\" is longer than the maximum of 24h");
    }
    return Parsed.ok(millis);
  }
}
