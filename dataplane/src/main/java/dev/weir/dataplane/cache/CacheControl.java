package dev.weir.dataplane.cache;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Locale;

/**
 * The Cache-Control directives of one request or response (RFC 9111 §5.2), parsed from every
 * field line of the header: names are case-insensitive, arguments may be tokens or quoted strings
 * (§5.2: "recipients ought to accept both forms"), commas inside a quoted argument do not split.
 *
 * <p>Delta-seconds (§1.2.2) are kept as {@code long}: {@link #ABSENT} when the directive is not
 * there, {@link #INVALID} when its argument is not a non-negative integer or when it appears
 * twice with different values. §4.2.1 lets a cache "consider responses that have invalid
 * freshness information ... to be stale", and for duplicates choose between the first value and
 * stale; we choose stale for conflicting duplicates, the most restrictive reading. Values above
 * 2^31 are clamped to 2^31 as §1.2.2 asks.
 *
 * <p>{@code no-cache} and {@code private} with a field-name list (§5.2.2.4, §5.2.2.7) are treated as
 * the unqualified directive: a shared cache that does not strip fields must not store or must
 * revalidate the whole response.
 *
 * <p>Request-only directives ({@code max-stale}, {@code min-fresh}, {@code only-if-cached}) and
 * response-only ones share this one type; each side reads the fields that apply to it.
 */
public record CacheControl(
    boolean noStore,
    boolean noCache,
    boolean isPrivate,
    boolean isPublic,
    boolean mustRevalidate,
    boolean proxyRevalidate,
    boolean noTransform,
    boolean immutable,
    boolean onlyIfCached,
    long maxAge,
    long sMaxAge,
    long staleWhileRevalidate,
    long staleIfError,
    long maxStale,
    long minFresh) {

  /** The directive is not present. */
  public static final long ABSENT = -1;

  /** The directive is present with an argument that is not valid delta-seconds (or conflicting duplicates). */
  public static final long INVALID = -2;

  /** {@code max-stale} without an argument: "willing to accept a stale response of any age" (§5.2.1.2). */
  public static final long ANY = Long.MAX_VALUE;

  /** §1.2.2: "a cache ... MUST ... use 2147483648 (2^31)" for larger values. */
  static final long DELTA_SECONDS_MAX = 2147483648L;

  /** No directives at all. */
  public static final CacheControl NONE =
      new CacheControl(false, false, false, false, false, false, false, false, false,
          ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT);

  /** Parses every Cache-Control field line of {@code headers}. */
  public static CacheControl of(HttpHeaders headers) {
    return parse(headers.getAll(HttpHeaderNames.CACHE_CONTROL));
  }

  /** Parses field lines as received; several lines are the same as one line joined with commas (RFC 9110 §5.3). */
  public static CacheControl parse(List<String> fieldLines) {
    if (fieldLines.isEmpty()) {
      return NONE;
    }
    Builder b = new Builder();
    for (String line : fieldLines) {
      if (line != null) {
        parseLine(line, b);
      }
    }
    return b.build();
  }

  /** Convenience for one field line. */
  public static CacheControl parse(String fieldLine) {
    return parse(fieldLine == null ? List.of() : List.of(fieldLine));
  }

  /** True when the directive has a usable value ({@code >= 0}). */
  public static boolean present(long value) {
    return value >= 0;
  }

  private static void parseLine(String s, Builder b) {
    int i = 0;
    int n = s.length();
    while (i < n) {
      // skip separators and whitespace before a directive
      while (i < n && (s.charAt(i) == ',' || isWs(s.charAt(i)))) {
        i++;
      }
      int nameStart = i;
      while (i < n && s.charAt(i) != '=' && s.charAt(i) != ',' && !isWs(s.charAt(i))) {
        i++;
      }
      if (i == nameStart) {
        if (i < n && s.charAt(i) == '=') {
          i = skipValue(s, i + 1, null); // "=x" with no name: ignore it
        }
        continue;
      }
      String name = s.substring(nameStart, i).toLowerCase(Locale.ROOT);
      int j = i;
      while (j < n && isWs(s.charAt(j))) {
        j++;
      }
      String value = null;
      if (j < n && s.charAt(j) == '=') {
        StringBuilder v = new StringBuilder();
        i = skipValue(s, j + 1, v);
        value = v.toString();
      } else {
        i = j;
        // anything else up to the next comma is junk that belongs to this directive
        while (i < n && s.charAt(i) != ',') {
          i++;
        }
      }
      b.directive(name, value);
    }
  }

  /** Reads a token or quoted-string argument starting at {@code i}; returns the index after it. */
  private static int skipValue(String s, int i, StringBuilder out) {
    int n = s.length();
    while (i < n && isWs(s.charAt(i))) {
      i++;
    }
    if (i < n && s.charAt(i) == '"') {
      i++;
      while (i < n && s.charAt(i) != '"') {
        char c = s.charAt(i);
        if (c == '\\' && i + 1 < n) {
          c = s.charAt(++i);
        }
        if (out != null) {
          out.append(c);
        }
        i++;
      }
      i++; // closing quote (or end)
      while (i < n && s.charAt(i) != ',') {
        i++; // junk after the quoted string
      }
      return i;
    }
    int start = i;
    while (i < n && s.charAt(i) != ',') {
      i++;
    }
    if (out != null) {
      out.append(s, start, i);
      // trailing whitespace is not part of a token
      int end = out.length();
      while (end > 0 && isWs(out.charAt(end - 1))) {
        end--;
      }
      out.setLength(end);
    }
    return i;
  }

  private static boolean isWs(char c) {
    return c == ' ' || c == '\t';
  }

  /** delta-seconds = 1*DIGIT (§1.2.2); anything else is INVALID. */
  static long deltaSeconds(String value) {
    if (value == null || value.isEmpty()) {
      return INVALID;
    }
    long v = 0;
    for (int k = 0; k < value.length(); k++) {
      char c = value.charAt(k);
      if (c < '0' || c > '9') {
        return INVALID;
      }
      v = v * 10 + (c - '0');
      if (v > DELTA_SECONDS_MAX) {
        v = DELTA_SECONDS_MAX; // and keep checking the remaining characters are digits
      }
    }
    return v;
  }

  private static final class Builder {
    boolean noStore;
    boolean noCache;
    boolean isPrivate;
    boolean isPublic;
    boolean mustRevalidate;
    boolean proxyRevalidate;
    boolean noTransform;
    boolean immutable;
    boolean onlyIfCached;
    long maxAge = ABSENT;
    long sMaxAge = ABSENT;
    long swr = ABSENT;
    long sie = ABSENT;
    long maxStale = ABSENT;
    long minFresh = ABSENT;

    void directive(String name, String value) {
      switch (name) {
        case "no-store" -> noStore = true;
        case "no-cache" -> noCache = true; // with or without field names
        case "private" -> isPrivate = true; // with or without field names
        case "public" -> isPublic = true;
        case "must-revalidate" -> mustRevalidate = true;
        case "proxy-revalidate" -> proxyRevalidate = true;
        case "no-transform" -> noTransform = true;
        case "immutable" -> immutable = true;
        case "only-if-cached" -> onlyIfCached = true;
        case "max-age" -> maxAge = merge(maxAge, deltaSeconds(value));
        case "s-maxage" -> sMaxAge = merge(sMaxAge, deltaSeconds(value));
        case "stale-while-revalidate" -> swr = merge(swr, deltaSeconds(value));
        case "stale-if-error" -> sie = merge(sie, deltaSeconds(value));
        case "max-stale" -> maxStale = merge(maxStale, value == null ? ANY : deltaSeconds(value));
        case "min-fresh" -> minFresh = merge(minFresh, deltaSeconds(value));
        default -> {
          // §5.2.3: unknown extensions MUST be ignored
        }
      }
    }

    /** First value wins if a duplicate agrees; a disagreeing duplicate makes the directive INVALID. */
    private static long merge(long previous, long next) {
      if (previous == ABSENT) {
        return next;
      }
      return previous == next ? previous : INVALID;
    }

    CacheControl build() {
      return new CacheControl(noStore, noCache, isPrivate, isPublic, mustRevalidate, proxyRevalidate,
          noTransform, immutable, onlyIfCached, maxAge, sMaxAge, swr, sie, maxStale, minFresh);
    }
  }
}
