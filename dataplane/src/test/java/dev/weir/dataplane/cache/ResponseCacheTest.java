package dev.weir.dataplane.cache;

import static dev.weir.dataplane.cache.CacheFixtures.T0;
import static dev.weir.dataplane.cache.CacheFixtures.date;
import static dev.weir.dataplane.cache.CacheFixtures.headers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Storage: the byte bound, variants, hop-by-hop stripping, purges. */
class ResponseCacheTest {

  private static StoredResponse response(int bodyBytes, HttpHeaders request, String... lines) {
    HttpHeaders h = headers(lines);
    List<String> vary = VaryKeys.varyNames(h);
    return StoredResponse.create(200, h, new byte[bodyBytes], T0, T0, vary,
        VaryKeys.standard().secondaryKey(vary, request), FreshnessLifetime.DEFAULT_HEURISTIC_CAP);
  }

  private static StoredResponse response(int bodyBytes) {
    return response(bodyBytes, headers(), "Date: " + date(0), "Cache-Control: max-age=60");
  }

  @Test
  void byteBoundHoldsUnderAFloodOfDistinctKeys() {
    long bound = 4L * 1024 * 1024;
    ResponseCache cache = new ResponseCache(bound, 64 * 1024, 4, VaryKeys.standard());
    long maxSeen = 0;
    for (int i = 0; i < 100_000; i++) {
      assertTrue(cache.put(new CacheKey("r", "h.test", "/item/" + i), response(100 + i % 2000)));
      if (i % 1000 == 999) {
        cache.cleanUp();
        maxSeen = Math.max(maxSeen, cache.weightedBytes());
        assertTrue(cache.weightedBytes() <= bound, "weight " + cache.weightedBytes() + " > " + bound);
      }
    }
    cache.cleanUp();
    assertTrue(cache.weightedBytes() <= bound);
    assertTrue(maxSeen > bound / 2, "the cache filled up: " + maxSeen); // the bound, not an empty cache, held
    assertTrue(cache.evictions() > 90_000, "evictions " + cache.evictions());
    assertEquals(100_000, cache.entries() + cache.evictions());
    assertEquals(cache.keys(), cache.entries());
  }

  @Test
  void objectsAboveTheMaximumSizeAreNeverStored() {
    ResponseCache cache = new ResponseCache(1 << 20, 1000, 4, VaryKeys.standard());
    CacheKey k = new CacheKey("r", "h", "/big");
    assertFalse(cache.put(k, response(1001)));
    assertTrue(cache.get(k, headers()).isEmpty());
    assertTrue(cache.put(k, response(1000)));
    assertFalse(cache.fits(1001));
    assertTrue(cache.fits(1000));
  }

  @Test
  void variantsPerKeyAreMatchedByVaryAndReplacedBySecondaryKey() {
    ResponseCache cache = new ResponseCache(1 << 20, 1 << 16, 2, VaryKeys.standard());
    CacheKey k = new CacheKey("r", "h", "/v");
    HttpHeaders gzip = headers("Accept-Encoding: gzip");
    HttpHeaders br = headers("Accept-Encoding: br");
    HttpHeaders zstd = headers("Accept-Encoding: zstd");
    StoredResponse g = response(10, gzip, "Date: " + date(0), "Cache-Control: max-age=60", "Vary: Accept-Encoding");
    StoredResponse b = response(20, br, "Date: " + date(0), "Cache-Control: max-age=60", "Vary: Accept-Encoding");
    cache.put(k, g);
    cache.put(k, b);
    assertSame(g, cache.get(k, gzip).orElseThrow());
    assertSame(b, cache.get(k, br).orElseThrow());
    assertTrue(cache.get(k, zstd).isEmpty());
    assertEquals(2, cache.entries());
    StoredResponse g2 = response(11, gzip, "Date: " + date(0), "Cache-Control: max-age=60", "Vary: Accept-Encoding");
    cache.put(k, g2);
    assertSame(g2, cache.get(k, gzip).orElseThrow());
    assertEquals(2, cache.entries());
    // a third variant pushes out the oldest (b is older than g2)
    cache.put(k, response(12, zstd, "Date: " + date(0), "Cache-Control: max-age=60", "Vary: Accept-Encoding"));
    assertTrue(cache.get(k, br).isEmpty());
    assertEquals(2, cache.entries());
  }

  @Test
  void hopByHopAndConnectionListedHeadersAreNotStored() {
    StoredResponse r = response(3, headers(), "Date: " + date(0), "Cache-Control: max-age=60", "Connection: keep-alive, X-Hop",
        "Keep-Alive: timeout=5", "X-Hop: 1", "Transfer-Encoding: chunked", "Content-Length: 999", "X-Kept: 2");
    HttpHeaders h = r.toHttpHeaders();
    assertFalse(h.contains("Connection"));
    assertFalse(h.contains("Keep-Alive"));
    assertFalse(h.contains("X-Hop"));
    assertFalse(h.contains("Transfer-Encoding"));
    assertEquals("3", h.get("Content-Length"));
    assertEquals("2", h.get("X-Kept"));
    assertEquals(3, r.body().remaining());
    assertTrue(r.body().isReadOnly());
  }

  @Test
  void purgeByHostAndPathReachesEveryRouteAndVariant() {
    ResponseCache cache = new ResponseCache(1 << 20, 1 << 16, 4, VaryKeys.standard());
    HttpHeaders gzip = headers("Accept-Encoding: gzip");
    String[] vary = {"Date: " + date(0), "Cache-Control: max-age=60", "Vary: Accept-Encoding"};
    cache.put(new CacheKey("a", "Shop.Test", "/p?x=1"), response(1, gzip, vary));
    cache.put(new CacheKey("a", "shop.test", "/p?x=1"), response(1, headers(), vary));
    cache.put(new CacheKey("b", "shop.test", "/p?x=1"), response(1));
    cache.put(new CacheKey("a", "shop.test", "/p?x=2"), response(1));
    cache.put(new CacheKey("a", "other.test", "/p?x=1"), response(1));
    assertEquals(5, cache.entries());
    assertEquals(3, cache.purge("SHOP.test", "/p?x=1"));
    assertEquals(2, cache.entries());
    assertTrue(cache.get(new CacheKey("b", "shop.test", "/p?x=1"), headers()).isEmpty());
    assertTrue(cache.get(new CacheKey("a", "shop.test", "/p?x=2"), headers()).isPresent());
    assertEquals(0, cache.purge("shop.test", "/p?x=1"));
  }

  @Test
  void purgeByRoute() {
    ResponseCache cache = new ResponseCache(1 << 20, 1 << 16, 4, VaryKeys.standard());
    for (int i = 0; i < 10; i++) {
      cache.put(new CacheKey(i % 2 == 0 ? "even" : "odd", "h", "/" + i), response(1));
    }
    assertEquals(5, cache.purgeRoute("even"));
    assertEquals(5, cache.entries());
    assertTrue(cache.get(new CacheKey("even", "h", "/0"), headers()).isEmpty());
    assertTrue(cache.get(new CacheKey("odd", "h", "/1"), headers()).isPresent());
    cache.cleanUp();
    assertEquals(5 * response(1).weight(), cache.weightedBytes());
  }

  @Test
  void replaceDoesNotResurrectAPurgedEntry() {
    ResponseCache cache = new ResponseCache(1 << 20, 1 << 16, 4, VaryKeys.standard());
    CacheKey k = new CacheKey("r", "h", "/x");
    StoredResponse old = response(1);
    cache.put(k, old);
    cache.invalidate(k);
    assertFalse(cache.replace(k, old, response(2)));
    assertTrue(cache.get(k, headers()).isEmpty());
    assertEquals(0, cache.entries());
  }
}
