package dev.weir.dataplane.cache;

/**
 * The current age of a stored response, exactly as RFC 9111 §4.2.3 computes it:
 *
 * <pre>
 * apparent_age          = max(0, response_time - date_value)
 * response_delay        = response_time - request_time
 * corrected_age_value   = age_value + response_delay
 * corrected_initial_age = max(apparent_age, corrected_age_value)
 * resident_time         = now - response_time
 * current_age           = corrected_initial_age + resident_time
 * </pre>
 *
 * Times are epoch milliseconds from the cache's clock (request and response times) or from the
 * Date field; the result is whole seconds, rounded down, as the Age field carries (§5.1).
 */
public final class AgeCalculation {

  private AgeCalculation() {}

  /**
   * The age at which the response entered the cache ({@code corrected_initial_age}), in milliseconds.
   *
   * @param requestTimeMillis when the request that produced the response was sent upstream
   * @param responseTimeMillis when its response head was received
   * @param dateMillis the response's Date (a response without one is given the response time, RFC 9110 §6.6.1)
   * @param ageSeconds the response's Age field, 0 when absent or invalid
   */
  public static long correctedInitialAgeMillis(
      long requestTimeMillis, long responseTimeMillis, long dateMillis, long ageSeconds) {
    long apparentAge = Math.max(0, responseTimeMillis - dateMillis);
    long responseDelay = Math.max(0, responseTimeMillis - requestTimeMillis);
    long correctedAgeValue = Math.multiplyExact(Math.max(0, ageSeconds), 1000L) + responseDelay;
    return Math.max(apparentAge, correctedAgeValue);
  }

  /** {@code current_age} in whole seconds at {@code nowMillis}. */
  public static long currentAgeSeconds(
      long correctedInitialAgeMillis, long responseTimeMillis, long nowMillis) {
    long residentTime = Math.max(0, nowMillis - responseTimeMillis);
    return (correctedInitialAgeMillis + residentTime) / 1000;
  }

  /** The Age field value (RFC 9111 §5.1): a non-negative integer, else 0 (an invalid Age is ignored). */
  public static long parseAge(String value) {
    if (value == null) {
      return 0;
    }
    long v = CacheControl.deltaSeconds(value.trim());
    return v < 0 ? 0 : v;
  }
}
