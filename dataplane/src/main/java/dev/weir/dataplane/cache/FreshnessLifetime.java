package dev.weir.dataplane.cache;

import java.time.Duration;
import java.util.Set;

/**
 * The freshness lifetime of a response in a shared cache (RFC 9111 §4.2.1), first match wins:
 * {@code s-maxage}, {@code max-age}, {@code Expires - Date}, else a heuristic (§4.2.2).
 * Invalid values mean "already stale" (lifetime 0): an invalid {@code max-age}/{@code s-maxage}
 * (§4.2.1), an Expires that is not a valid date ("MUST interpret ... as representing a time in
 * the past", §5.3).
 *
 * <p>The heuristic is 10% of {@code Date - Last-Modified} (the figure §4.2.2 suggests), used only
 * when the status is heuristically cacheable (RFC 9110 §15.1) or the response is {@code public},
 * and there is no explicit expiry. It is capped: the default cap is one hour, not the day
 * RFC 7234 once allowed without a warning, because the responses it applies to always carry
 * Last-Modified, so an early revalidation costs one small 304, while an origin that forgot to set
 * Cache-Control gets outdated content served for at most an hour.
 */
public final class FreshnessLifetime {

  /** RFC 9110 §15.1 "heuristically cacheable" codes, less 206 (we store no partial content). */
  static final Set<Integer> HEURISTICALLY_CACHEABLE =
      Set.of(200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501);

  /** See the class comment for why one hour. */
  public static final Duration DEFAULT_HEURISTIC_CAP = Duration.ofHours(1);

  private FreshnessLifetime() {}

  /** True when the response has s-maxage, max-age or Expires (valid or not). */
  public static boolean hasExplicitExpiry(CacheControl cc, long expiresMillis) {
    return cc.sMaxAge() != CacheControl.ABSENT
        || cc.maxAge() != CacheControl.ABSENT
        || expiresMillis != HttpDates.ABSENT;
  }

  /**
   * The lifetime in seconds.
   *
   * @param expiresMillis the parsed Expires, or {@link HttpDates#ABSENT}/{@link HttpDates#INVALID}
   * @param dateMillis the response's Date (always set on stored responses)
   * @param lastModifiedMillis the parsed Last-Modified, or ABSENT/INVALID
   */
  public static long seconds(
      int status, CacheControl cc, long expiresMillis, long dateMillis, long lastModifiedMillis,
      Duration heuristicCap) {
    if (cc.sMaxAge() != CacheControl.ABSENT) {
      return Math.max(0, cc.sMaxAge()); // INVALID -> 0
    }
    if (cc.maxAge() != CacheControl.ABSENT) {
      return Math.max(0, cc.maxAge());
    }
    if (expiresMillis != HttpDates.ABSENT) {
      if (expiresMillis == HttpDates.INVALID) {
        return 0;
      }
      return Math.max(0, (expiresMillis - dateMillis) / 1000);
    }
    boolean heuristicAllowed = HEURISTICALLY_CACHEABLE.contains(status) || cc.isPublic();
    if (heuristicAllowed && HttpDates.valid(lastModifiedMillis) && lastModifiedMillis <= dateMillis) {
      long tenPercent = (dateMillis - lastModifiedMillis) / 10 / 1000;
      return Math.min(tenPercent, heuristicCap.toSeconds());
    }
    return 0;
  }
}
