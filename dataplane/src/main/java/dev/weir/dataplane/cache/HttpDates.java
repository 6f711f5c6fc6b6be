package dev.weir.dataplane.cache;

import io.netty.handler.codec.DateFormatter;
import java.util.Date;
import java.util.List;

/**
 * HTTP-date fields (RFC 9110 §5.6.7): IMF-fixdate, and the obsolete RFC 850 and asctime forms a
 * recipient MUST accept. Netty's {@link DateFormatter} parses all three.
 */
final class HttpDates {

  /** Returned when a field is absent. */
  static final long ABSENT = Long.MIN_VALUE;

  /** Returned when a field is present but not a valid HTTP-date, or has several different values. */
  static final long INVALID = Long.MIN_VALUE + 1;

  private HttpDates() {}

  /** Epoch milliseconds of the field's single value, or {@link #ABSENT} / {@link #INVALID}. */
  static long parse(List<String> fieldLines) {
    if (fieldLines.isEmpty()) {
      return ABSENT;
    }
    long first = parse(fieldLines.get(0));
    for (int i = 1; i < fieldLines.size(); i++) {
      if (parse(fieldLines.get(i)) != first) {
        return INVALID; // §4.2.1: several different values may make a response stale
      }
    }
    return first;
  }

  static long parse(String value) {
    if (value == null) {
      return ABSENT;
    }
    Date d = DateFormatter.parseHttpDate(value.trim());
    return d == null ? INVALID : d.getTime();
  }

  static String format(long epochMillis) {
    return DateFormatter.format(new Date(epochMillis));
  }

  static boolean valid(long parsed) {
    return parsed != ABSENT && parsed != INVALID;
  }
}
