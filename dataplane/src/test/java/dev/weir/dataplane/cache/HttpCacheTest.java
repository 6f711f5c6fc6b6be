package dev.weir.dataplane.cache;

import static dev.weir.dataplane.cache.CacheFixtures.T0;
import static dev.weir.dataplane.cache.CacheFixtures.date;
import static dev.weir.dataplane.cache.CacheFixtures.headers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The whole sequence on a manual clock: lookup, store, serve, revalidate (RFC 9111 §4.3), freshen. */
class HttpCacheTest {

  private final CacheFixtures.ManualClock clock = new CacheFixtures.ManualClock(T0);
  private final HttpCache cache = new HttpCache(CacheSettings.of(1 << 20, 1 << 16), clock);
  private final CacheKey key = new CacheKey("shop", "shop.test", "/a?b=1");
  private final byte[] body = "hello".getBytes(StandardCharsets.US_ASCII);

  private StoredResponse fill(String... responseLines) {
    long sent = clock.millis();
    clock.advance(Duration.ofMillis(200));
    StoreResult r = cache.store(key, HttpMethod.GET, headers(), 200, headers(responseLines), body, sent, clock.millis());
    assertTrue(r.isStored(), r.storability().toString());
    return r.stored();
  }

  @Test
  void missStoreThenHitThenStaleThenRevalidated() {
    assertEquals(Lookup.Kind.MISS, cache.lookup(key, HttpMethod.GET, headers()).kind());
    fill("Date: " + date(0), "Cache-Control: max-age=10", "ETag: \"v1\"", "Last-Modified: " + date(-100));

    Lookup hit = cache.lookup(key, HttpMethod.HEAD, headers());
    assertEquals(Lookup.Kind.HIT, hit.kind());
    assertEquals(Freshness.State.FRESH, hit.freshness().state());
    assertEquals("0", HttpCache.responseHeaders(hit.stored(), hit.freshness().ageSeconds()).get("Age"));
    assertEquals("5", hit.stored().header("content-length"));

    clock.advance(Duration.ofSeconds(11));
    Lookup stale = cache.lookup(key, HttpMethod.GET, headers("If-None-Match: \"client\""));
    assertEquals(Freshness.State.STALE, stale.freshness().state());

    HttpHeaders upstream = headers("If-None-Match: \"client\"", "If-Modified-Since: " + date(-5), "Accept: */*");
    Revalidation.prepareUpstreamRequest(upstream, stale.stored());
    assertEquals("\"v1\"", upstream.get("If-None-Match"));
    assertEquals(date(-100), upstream.get("If-Modified-Since"));
    assertEquals("*/*", upstream.get("Accept"));

    long sent = clock.millis();
    clock.advance(Duration.ofMillis(100));
    HttpHeaders notModified = headers("Date: " + date(11), "ETag: \"v1\"", "Cache-Control: max-age=30",
        "Content-Length: 0", "Connection: close", "X-New: yes");
    StoredResponse fresh = cache.freshen(key, stale.stored(), headers(), notModified, sent, clock.millis()).orElseThrow();
    assertEquals("max-age=30", fresh.header("Cache-Control"));
    assertEquals("5", fresh.header("Content-Length")); // §3.2: not updated from the 304
    assertNull(fresh.header("Connection"));
    assertEquals("yes", fresh.header("X-New"));
    assertEquals(30, fresh.lifetimeSeconds());
    assertEquals(sent, fresh.requestTimeMillis());

    Lookup again = cache.lookup(key, HttpMethod.GET, headers());
    assertEquals(Freshness.State.FRESH, again.freshness().state());
    assertEquals(0, again.freshness().ageSeconds());
    assertEquals(5, again.stored().bodyLength());
  }

  @Test
  void a304AboutAnotherRepresentationDoesNotFreshen() {
    StoredResponse s = fill("Date: " + date(0), "Cache-Control: max-age=1", "ETag: \"v1\"");
    assertTrue(cache.freshen(key, s, headers(), headers("ETag: \"v2\""), T0, T0).isEmpty());
    assertTrue(Revalidation.refersTo(headers("ETag: W/\"v1\""), s));
    assertFalse(Revalidation.refersTo(headers("ETag: \"v1\""), fill("Date: " + date(0), "Cache-Control: max-age=1", "ETag: W/\"v1\"")));
  }

  @Test
  void a304ThatMakesTheResponseUnstorableRemovesIt() {
    StoredResponse s = fill("Date: " + date(0), "Cache-Control: max-age=1", "ETag: \"v1\"");
    assertTrue(cache.freshen(key, s, headers(), headers("ETag: \"v1\"", "Cache-Control: no-store"), T0, T0).isEmpty());
    assertEquals(Lookup.Kind.MISS, cache.lookup(key, HttpMethod.GET, headers()).kind());
  }

  @Test
  void freshenDropsTheOldAgeAndNeverStoresACookie() {
    StoredResponse s = fill("Date: " + date(-50), "Age: 40", "Cache-Control: max-age=60", "ETag: \"v1\"");
    StoredResponse f = cache.freshen(key, s, headers(), headers("ETag: \"v1\"", "Set-Cookie: a=b"), clock.millis(),
        clock.millis()).orElseThrow();
    assertNull(f.header("Age"));
    assertNull(f.header("Set-Cookie"));
    assertEquals(0, f.currentAgeSeconds(clock.millis())); // the 304 had no Date: it is "now"
  }

  @Test
  void lookupBypassesAndOnlyIfCached() {
    assertEquals(Lookup.Kind.BYPASS_METHOD, cache.lookup(key, HttpMethod.POST, headers()).kind());
    assertEquals(Lookup.Kind.BYPASS_PRECONDITION, cache.lookup(key, HttpMethod.GET, headers("If-Match: \"x\"")).kind());
    assertEquals(Lookup.Kind.ONLY_IF_CACHED_MISS,
        cache.lookup(key, HttpMethod.GET, headers("Cache-Control: only-if-cached")).kind());
    fill("Date: " + date(0), "Cache-Control: max-age=10", "ETag: \"v1\"");
    assertEquals(Lookup.Kind.HIT, cache.lookup(key, HttpMethod.GET, headers("Cache-Control: only-if-cached")).kind());
    clock.advance(Duration.ofSeconds(20));
    assertEquals(Lookup.Kind.ONLY_IF_CACHED_MISS,
        cache.lookup(key, HttpMethod.GET, headers("Cache-Control: only-if-cached")).kind());
  }

  @Test
  void storeChecksTheRulesAndTheSize() {
    HttpCache small = new HttpCache(CacheSettings.of(1 << 20, 4), clock);
    StoreResult big = small.store(key, HttpMethod.GET, headers(), 200, headers("Cache-Control: max-age=60"), body, T0, T0);
    assertEquals(Storability.TOO_LARGE, big.storability());
    assertEquals(Storability.TOO_LARGE,
        small.storability(HttpMethod.GET, headers(), 200, headers("Cache-Control: max-age=60"), 5));
    StoreResult cookie = cache.store(key, HttpMethod.GET, headers(), 200,
        headers("Cache-Control: max-age=60", "Set-Cookie: s=1"), body, T0, T0);
    assertEquals(Storability.SET_COOKIE, cookie.storability());
    assertFalse(cookie.isStored());
  }

  @Test
  void aResponseWithoutDateGetsTheResponseTime() {
    StoredResponse s = fill("Cache-Control: max-age=60");
    assertEquals(clock.millis(), s.dateMillis());
    assertEquals(date(0).length(), s.header("Date").length());
  }

  @Test
  void staleIfErrorOnTheCacheClock() {
    StoredResponse s = fill("Date: " + date(0), "Cache-Control: max-age=10, stale-if-error=20", "ETag: \"v1\"");
    clock.advance(Duration.ofSeconds(25));
    assertTrue(cache.mayServeStaleOnError(s, CacheControl.NONE));
    clock.advance(Duration.ofSeconds(6));
    assertFalse(cache.mayServeStaleOnError(s, CacheControl.NONE));
  }
}
