package dev.weir.dataplane.cache;

import static dev.weir.dataplane.cache.CacheFixtures.T0;
import static dev.weir.dataplane.cache.CacheFixtures.date;
import static dev.weir.dataplane.cache.CacheFixtures.headers;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One row per storage rule of RFC 9111 §3 and §3.5 for a shared cache, plus our own policies. */
class StoragePolicyTest {

  private static final StoragePolicy POLICY =
      new StoragePolicy(Duration.ofHours(1), new CacheFixtures.ManualClock(T0));
  private static final String DATE = "Date: " + date(0);
  private static final String LM = "Last-Modified: " + date(-86400);

  static Arguments row(String name, String method, List<String> req, int status, List<String> resp, Storability expected) {
    return Arguments.of(name, method, req, status, resp, expected);
  }

  static Stream<Arguments> cases() {
    List<String> none = List.of();
    return Stream.of(
        row("§3 GET 200 with max-age", "GET", none, 200, List.of(DATE, "Cache-Control: max-age=60"), Storability.STORABLE),
        row("§3 HEAD is not stored", "HEAD", none, 200, List.of(DATE, "Cache-Control: max-age=60"), Storability.METHOD),
        row("§3 POST is not stored", "POST", none, 200, List.of(DATE, "Cache-Control: max-age=60"), Storability.METHOD),
        row("§5.2.1.5 request no-store", "GET", List.of("Cache-Control: no-store"), 200, List.of(DATE, "Cache-Control: max-age=60"), Storability.REQUEST_NO_STORE),
        row("§5.2.2.5 response no-store", "GET", none, 200, List.of(DATE, "Cache-Control: max-age=60, no-store"), Storability.RESPONSE_NO_STORE),
        row("§5.2.2.7 private", "GET", none, 200, List.of(DATE, "Cache-Control: private, max-age=60"), Storability.PRIVATE),
        row("§5.2.2.7 private with field names", "GET", none, 200, List.of(DATE, "Cache-Control: private=\"X-User\", max-age=60"), Storability.PRIVATE),
        row("§3.5 Authorization without permission", "GET", List.of("Authorization: Basic eDp5"), 200, List.of(DATE, "Cache-Control: max-age=60"), Storability.AUTHORIZATION),
        row("§3.5 Authorization with public", "GET", List.of("Authorization: Basic eDp5"), 200, List.of(DATE, "Cache-Control: public, max-age=60"), Storability.STORABLE),
        row("§3.5 Authorization with must-revalidate", "GET", List.of("Authorization: Basic eDp5"), 200, List.of(DATE, "Cache-Control: must-revalidate, max-age=60"), Storability.STORABLE),
        row("§3.5 Authorization with s-maxage", "GET", List.of("Authorization: Basic eDp5"), 200, List.of(DATE, "Cache-Control: s-maxage=60"), Storability.STORABLE),
        row("policy: Set-Cookie is never stored", "GET", none, 200, List.of(DATE, "Cache-Control: public, max-age=60", "Set-Cookie: a=b"), Storability.SET_COOKIE),
        row("§4.1 Vary: * is never stored", "GET", none, 200, List.of(DATE, "Cache-Control: max-age=60", "Vary: Accept, *"), Storability.VARY_ANY),
        row("§4.1 Vary on a header is stored", "GET", none, 200, List.of(DATE, "Cache-Control: max-age=60", "Vary: Accept-Encoding"), Storability.STORABLE),
        row("§3 206 is not stored (policy)", "GET", none, 206, List.of(DATE, "Cache-Control: max-age=60"), Storability.PARTIAL_CONTENT),
        row("§3 304 is not a storable response", "GET", none, 304, List.of(DATE, "Cache-Control: max-age=60"), Storability.STATUS),
        row("§4.2.2 heuristic 404 with Last-Modified", "GET", none, 404, List.of(DATE, LM), Storability.STORABLE),
        row("§4.2.2 heuristic 301 with Last-Modified", "GET", none, 301, List.of(DATE, LM), Storability.STORABLE),
        row("§4.2.2 heuristic 410 with ETag", "GET", none, 410, List.of(DATE, "ETag: \"x\""), Storability.STORABLE),
        row("§3 302 without explicit freshness", "GET", none, 302, List.of(DATE, LM), Storability.STATUS),
        row("§3 302 with max-age", "GET", none, 302, List.of(DATE, "Cache-Control: max-age=60"), Storability.STORABLE),
        row("§3 302 with Expires", "GET", none, 302, List.of(DATE, "Expires: " + date(60)), Storability.STORABLE),
        row("§3 302 with s-maxage", "GET", none, 302, List.of(DATE, "Cache-Control: s-maxage=60"), Storability.STORABLE),
        row("§3 500 with public and a validator", "GET", none, 500, List.of(DATE, "Cache-Control: public", "ETag: \"e\""), Storability.STORABLE),
        row("§3 500 with nothing", "GET", none, 500, List.of(DATE, LM), Storability.STATUS),
        row("§5.2.2.4 no-cache is storable", "GET", none, 200, List.of(DATE, "Cache-Control: no-cache", "ETag: \"e\""), Storability.STORABLE),
        row("policy: 200 with no lifetime and no validator is useless", "GET", none, 200, List.of(DATE), Storability.NOT_REUSABLE),
        row("policy: max-age=0 without validator is useless", "GET", none, 200, List.of(DATE, "Cache-Control: max-age=0"), Storability.NOT_REUSABLE),
        row("RFC 5861: max-age=0 with stale-while-revalidate is reusable", "GET", none, 200, List.of(DATE, "Cache-Control: max-age=0, stale-while-revalidate=30"), Storability.STORABLE),
        row("§5.3 past Expires without validator is useless", "GET", none, 200, List.of(DATE, "Expires: " + date(-5)), Storability.NOT_REUSABLE),
        row("§5.3 Expires without Date uses the cache clock", "GET", none, 200, List.of("Expires: " + date(60)), Storability.STORABLE),
        row("§5.3 invalid Expires means expired", "GET", none, 200, List.of(DATE, "Expires: 0"), Storability.NOT_REUSABLE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(String name, String method, List<String> req, int status, List<String> resp, Storability expected) {
    assertEquals(expected, POLICY.decide(HttpMethod.valueOf(method), headers(req), status, headers(resp)));
  }
}
