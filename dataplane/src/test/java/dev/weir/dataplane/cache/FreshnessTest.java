package dev.weir.dataplane.cache;

import static dev.weir.dataplane.cache.CacheFixtures.T0;
import static dev.weir.dataplane.cache.CacheFixtures.date;
import static dev.weir.dataplane.cache.CacheFixtures.headers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.cache.Freshness.State;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Freshness lifetime (§4.2.1, §4.2.2), Age (§4.2.3) and the choice to serve (§4.2.4, §5.2.1, RFC 5861). */
class FreshnessTest {

  // ---- §4.2.3 Age arithmetic: every term, in milliseconds relative to T0 ----

  static Stream<Arguments> ages() {
    // name, request_time, response_time, Date (s from T0), Age field, now, expected current_age (s)
    return Stream.of(
        Arguments.of("§4.2.3 nothing elapsed", 0L, 0L, 0L, "", 0L, 0L),
        Arguments.of("§4.2.3 resident_time counts", 0L, 0L, 0L, "", 30_000L, 30L),
        Arguments.of("§4.2.3 apparent_age from a Date in the past", 0L, 0L, -20L, "", 0L, 20L),
        Arguments.of("§4.2.3 apparent_age never negative (Date ahead of us)", 0L, 0L, 100L, "", 0L, 0L),
        Arguments.of("§4.2.3 corrected_age_value = Age + response_delay", 0L, 2_000L, 2L, "10", 2_000L, 12L),
        Arguments.of("§4.2.3 the larger of apparent and corrected age wins", 0L, 1_000L, -50L, "10", 1_000L, 51L),
        Arguments.of("§4.2.3 corrected age plus resident time", 0L, 1_000L, 1L, "5", 11_000L, 16L),
        Arguments.of("§5.1 invalid Age is ignored", 0L, 0L, 0L, "abc", 0L, 0L),
        Arguments.of("§4.2.3 sub-second delays add up before rounding down", 0L, 600L, 0L, "0", 1_000L, 1L));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ages")
  void currentAge(String name, long req, long resp, long dateSeconds, String age, long now, long expected) {
    List<String> lines = age.isEmpty() ? List.of("Date: " + date(dateSeconds), "Cache-Control: max-age=600")
        : List.of("Date: " + date(dateSeconds), "Age: " + age, "Cache-Control: max-age=600");
    StoredResponse r = CacheFixtures.stored(200, headers(lines), T0 + req, T0 + resp);
    assertEquals(expected, r.currentAgeSeconds(T0 + now));
  }

  @Test
  void ageOnAManualClockAcrossAnHour() {
    CacheFixtures.ManualClock clock = new CacheFixtures.ManualClock(T0);
    StoredResponse r = CacheFixtures.stored(200, headers("Date: " + date(-3), "Age: 2", "Cache-Control: max-age=60"),
        T0 - 1000, T0);
    assertEquals(3, r.currentAgeSeconds(clock.millis())); // max(apparent 3, corrected 2+1)
    clock.advance(Duration.ofMinutes(60));
    assertEquals(3603, r.currentAgeSeconds(clock.millis()));
  }

  // ---- §4.2.1 / §4.2.2 lifetime ----

  static Stream<Arguments> lifetimes() {
    String d = "Date: " + date(0);
    return Stream.of(
        Arguments.of("§4.2.1 s-maxage beats max-age", 200, List.of(d, "Cache-Control: max-age=10, s-maxage=20"), 20L),
        Arguments.of("§4.2.1 max-age beats Expires", 200, List.of(d, "Cache-Control: max-age=10", "Expires: " + date(100)), 10L),
        Arguments.of("§4.2.1 Expires minus Date", 200, List.of(d, "Expires: " + date(100)), 100L),
        Arguments.of("§4.2.1 Expires before Date is 0", 200, List.of(d, "Expires: " + date(-100)), 0L),
        Arguments.of("§5.3 invalid Expires is already expired", 200, List.of(d, "Expires: -1", "Last-Modified: " + date(-86400)), 0L),
        Arguments.of("§4.2.1 conflicting Expires lines are stale", 200, List.of(d, "Expires: " + date(100), "Expires: " + date(200)), 0L),
        Arguments.of("§4.2.1 invalid max-age is stale, not heuristic", 200, List.of(d, "Cache-Control: max-age=x", "Last-Modified: " + date(-86400)), 0L),
        Arguments.of("§4.2.1 invalid s-maxage is stale", 200, List.of(d, "Cache-Control: s-maxage=x, max-age=60"), 0L),
        Arguments.of("§4.2.2 heuristic 10% of Date - Last-Modified", 200, List.of(d, "Last-Modified: " + date(-10_000)), 1_000L),
        Arguments.of("§4.2.2 heuristic capped (1 h)", 200, List.of(d, "Last-Modified: " + date(-10 * 86400)), 3_600L),
        Arguments.of("§4.2.2 no heuristic for 302", 302, List.of(d, "Last-Modified: " + date(-10_000)), 0L),
        Arguments.of("§4.2.2 public allows a heuristic for 302", 302, List.of(d, "Cache-Control: public", "Last-Modified: " + date(-10_000)), 1_000L),
        Arguments.of("§4.2.2 Last-Modified after Date gives no heuristic", 200, List.of(d, "Last-Modified: " + date(10)), 0L));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lifetimes")
  void lifetime(String name, int status, List<String> lines, long expected) {
    assertEquals(expected, CacheFixtures.stored(status, headers(lines), T0, T0).lifetimeSeconds());
  }

  // ---- §4.2.4, §5.2.1, RFC 5861, RFC 8246: what may be served at age 100 ----

  static Stream<Arguments> decisions() {
    return Stream.of(
        Arguments.of("§4.2 fresh", "max-age=200", "", State.FRESH),
        Arguments.of("§4.2 stale at exactly its lifetime", "max-age=100", "", State.STALE),
        Arguments.of("§4.2 stale", "max-age=50", "", State.STALE),
        Arguments.of("§5.2.2.4 no-cache always revalidates", "max-age=200, no-cache", "", State.STALE),
        Arguments.of("§5.2.1.4 request no-cache revalidates", "max-age=200", "no-cache", State.STALE),
        Arguments.of("§5.2.1.1 request max-age exceeded", "max-age=200", "max-age=50", State.STALE),
        Arguments.of("§5.2.1.1 request max-age satisfied", "max-age=200", "max-age=150", State.FRESH),
        Arguments.of("§5.2.1.1 request max-age=0", "max-age=200", "max-age=0", State.STALE),
        Arguments.of("§5.2.1.1 invalid request max-age counts as 0", "max-age=200", "max-age=x", State.STALE),
        Arguments.of("§5.2.1.3 min-fresh not met", "max-age=150", "min-fresh=60", State.STALE),
        Arguments.of("§5.2.1.3 min-fresh met", "max-age=150", "min-fresh=40", State.FRESH),
        Arguments.of("§5.2.1.2 max-stale with value accepts", "max-age=50", "max-stale=60", State.STALE_ACCEPTED),
        Arguments.of("§5.2.1.2 max-stale with value too small", "max-age=50", "max-stale=40", State.STALE),
        Arguments.of("§5.2.1.2 max-stale without value accepts any", "max-age=1", "max-stale", State.STALE_ACCEPTED),
        Arguments.of("§4.2.4 must-revalidate overrides max-stale", "max-age=50, must-revalidate", "max-stale", State.STALE),
        Arguments.of("§5.2.2.8 proxy-revalidate overrides max-stale", "max-age=50, proxy-revalidate", "max-stale", State.STALE),
        Arguments.of("§5.2.2.10 s-maxage implies proxy-revalidate", "s-maxage=50", "max-stale", State.STALE),
        Arguments.of("RFC 5861 §3 within stale-while-revalidate", "max-age=50, stale-while-revalidate=60", "", State.STALE_WHILE_REVALIDATE),
        Arguments.of("RFC 5861 §3 past stale-while-revalidate", "max-age=50, stale-while-revalidate=40", "", State.STALE),
        Arguments.of("RFC 5861 §4 must-revalidate forbids stale-while-revalidate", "max-age=50, stale-while-revalidate=60, must-revalidate", "", State.STALE),
        Arguments.of("RFC 5861 §4 s-maxage forbids stale-while-revalidate", "s-maxage=50, stale-while-revalidate=60", "", State.STALE),
        Arguments.of("RFC 5861 §4 no-cache forbids stale-while-revalidate", "max-age=50, stale-while-revalidate=60, no-cache", "", State.STALE),
        Arguments.of("RFC 5861 request no-cache wins over stale-while-revalidate", "max-age=50, stale-while-revalidate=60", "no-cache", State.STALE),
        Arguments.of("RFC 8246 fresh immutable ignores request no-cache", "max-age=200, immutable", "no-cache", State.FRESH),
        Arguments.of("RFC 8246 stale immutable still revalidates", "max-age=50, immutable", "no-cache", State.STALE),
        Arguments.of("§4.2.1 invalid max-age is stale", "max-age=abc", "", State.STALE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decisions")
  void decidesAtAge100(String name, String responseCc, String requestCc, State expected) {
    StoredResponse r = CacheFixtures.stored("Date: " + date(0), "Cache-Control: " + responseCc, "ETag: \"e\"");
    Freshness f = FreshnessPolicy.evaluate(r, CacheControl.parse(requestCc), T0 + 100_000);
    assertEquals(expected, f.state());
    assertEquals(100, f.ageSeconds());
  }

  static Stream<Arguments> staleIfError() {
    // response Cache-Control, request Cache-Control, age (s), allowed
    return Stream.of(
        Arguments.of("RFC 5861 §4 within the window", "max-age=50, stale-if-error=60", "", 100L, true),
        Arguments.of("RFC 5861 §4 past the window", "max-age=50, stale-if-error=60", "", 111L, false),
        Arguments.of("RFC 5861 §4 request stale-if-error alone", "max-age=50", "stale-if-error=100", 100L, true),
        Arguments.of("RFC 5861 §4 no stale-if-error", "max-age=50", "", 100L, false),
        Arguments.of("RFC 5861 §4 must-revalidate forbids it", "max-age=50, stale-if-error=600, must-revalidate", "", 100L, false),
        Arguments.of("RFC 5861 §4 proxy-revalidate forbids it", "max-age=50, stale-if-error=600, proxy-revalidate", "", 100L, false),
        Arguments.of("RFC 5861 §4 s-maxage forbids it", "s-maxage=50, stale-if-error=600", "", 100L, false),
        Arguments.of("RFC 5861 §4 no-cache forbids it", "max-age=50, stale-if-error=600, no-cache", "", 100L, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("staleIfError")
  void staleIfErrorWindow(String name, String responseCc, String requestCc, long age, boolean allowed) {
    StoredResponse r = CacheFixtures.stored("Date: " + date(0), "Cache-Control: " + responseCc, "ETag: \"e\"");
    assertEquals(allowed, FreshnessPolicy.mayServeStaleOnError(r, CacheControl.parse(requestCc), T0 + age * 1000));
  }

  @Test
  void freshnessRunsOutOnTheClock() {
    CacheFixtures.ManualClock clock = new CacheFixtures.ManualClock(T0);
    StoredResponse r = CacheFixtures.stored("Date: " + date(0), "Cache-Control: max-age=10, stale-while-revalidate=5");
    assertTrue(FreshnessPolicy.evaluate(r, CacheControl.NONE, clock.millis()).servable());
    clock.advance(Duration.ofSeconds(9));
    assertEquals(State.FRESH, FreshnessPolicy.evaluate(r, CacheControl.NONE, clock.millis()).state());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(State.STALE_WHILE_REVALIDATE, FreshnessPolicy.evaluate(r, CacheControl.NONE, clock.millis()).state());
    clock.advance(Duration.ofSeconds(6));
    Freshness late = FreshnessPolicy.evaluate(r, CacheControl.NONE, clock.millis());
    assertEquals(State.STALE, late.state());
    assertFalse(late.servable());
  }
}
