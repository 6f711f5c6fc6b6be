package dev.weir.dataplane.cache;

import static dev.weir.dataplane.cache.CacheFixtures.date;
import static dev.weir.dataplane.cache.CacheFixtures.headers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.weir.dataplane.cache.ClientConditionals.Result;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 9110 §13.1.2, §13.1.3, §13.2.2 and RFC 9111 §4.3.2: answering a client's conditional from the cache. */
class ClientConditionalsTest {

  private static final List<String> WITH_ETAG =
      List.of("Date: " + date(0), "Last-Modified: " + date(-100), "ETag: \"v1\"", "Cache-Control: max-age=60");
  private static final List<String> NO_LAST_MODIFIED = List.of("Date: " + date(0), "Cache-Control: max-age=60");

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("§13.1.2 matching tag", "GET", WITH_ETAG, List.of("If-None-Match: \"v1\""), Result.NOT_MODIFIED),
        Arguments.of("§13.1.2 weak comparison: W/ in the request", "GET", WITH_ETAG, List.of("If-None-Match: W/\"v1\""), Result.NOT_MODIFIED),
        Arguments.of("§13.1.2 weak comparison: W/ stored", "GET", List.of("Date: " + date(0), "ETag: W/\"v1\""), List.of("If-None-Match: \"v1\""), Result.NOT_MODIFIED),
        Arguments.of("§13.1.2 a list with a match", "GET", WITH_ETAG, List.of("If-None-Match: \"a\", \"v1\""), Result.NOT_MODIFIED),
        Arguments.of("§13.1.2 lists over several lines", "GET", WITH_ETAG, List.of("If-None-Match: \"a\"", "If-None-Match: \"v1\""), Result.NOT_MODIFIED),
        Arguments.of("§13.1.2 a comma inside a tag", "GET", List.of("Date: " + date(0), "ETag: \"a,b\""), List.of("If-None-Match: \"a,b\""), Result.NOT_MODIFIED),
        Arguments.of("§13.1.2 no match", "GET", WITH_ETAG, List.of("If-None-Match: \"v2\""), Result.FULL),
        Arguments.of("§13.1.2 * matches a stored response", "GET", WITH_ETAG, List.of("If-None-Match: *"), Result.NOT_MODIFIED),
        Arguments.of("§13.1.2 HEAD too", "HEAD", WITH_ETAG, List.of("If-None-Match: \"v1\""), Result.NOT_MODIFIED),
        Arguments.of("§13.1.2 stored response without ETag never matches", "GET", NO_LAST_MODIFIED, List.of("If-None-Match: \"v1\""), Result.FULL),
        Arguments.of("§13.2.2 If-None-Match wins over a true If-Modified-Since", "GET", WITH_ETAG,
            List.of("If-None-Match: \"v2\"", "If-Modified-Since: " + date(0)), Result.FULL),
        Arguments.of("§13.2.2 If-None-Match wins over a false If-Modified-Since", "GET", WITH_ETAG,
            List.of("If-None-Match: \"v1\"", "If-Modified-Since: " + date(-1000)), Result.NOT_MODIFIED),
        Arguments.of("§13.1.3 not modified since", "GET", WITH_ETAG, List.of("If-Modified-Since: " + date(-100)), Result.NOT_MODIFIED),
        Arguments.of("§13.1.3 modified since", "GET", WITH_ETAG, List.of("If-Modified-Since: " + date(-101)), Result.FULL),
        Arguments.of("§13.1.3 only for GET and HEAD", "POST", WITH_ETAG, List.of("If-Modified-Since: " + date(0)), Result.FULL),
        Arguments.of("§13.1.3 invalid date is ignored", "GET", WITH_ETAG, List.of("If-Modified-Since: yesterday"), Result.FULL),
        Arguments.of("§13.1.3 more than one member is ignored", "GET", WITH_ETAG,
            List.of("If-Modified-Since: " + date(0), "If-Modified-Since: " + date(0)), Result.FULL),
        Arguments.of("RFC 9111 §4.3.2 Date stands in for a missing Last-Modified", "GET", NO_LAST_MODIFIED,
            List.of("If-Modified-Since: " + date(0)), Result.NOT_MODIFIED),
        Arguments.of("RFC 9111 §4.3.2 Date after If-Modified-Since", "GET", NO_LAST_MODIFIED,
            List.of("If-Modified-Since: " + date(-1)), Result.FULL),
        Arguments.of("§13.1.2 no conditional at all", "GET", WITH_ETAG, List.of(), Result.FULL));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void evaluates(String name, String method, List<String> stored, List<String> request, Result expected) {
    StoredResponse r = CacheFixtures.stored(stored.toArray(String[]::new));
    assertEquals(expected, ClientConditionals.evaluate(HttpMethod.valueOf(method), headers(request), r));
  }

  @Test
  void notModifiedCarriesTheFieldsOf15_4_5AndAge() {
    StoredResponse r = CacheFixtures.stored("Date: " + date(0), "Cache-Control: max-age=60", "Content-Location: /a",
        "ETag: \"v1\"", "Expires: " + date(60), "Vary: Accept", "Last-Modified: " + date(-5), "Content-Type: text/plain",
        "X-Other: 1");
    HttpHeaders h = ClientConditionals.notModifiedHeaders(r, 7);
    assertEquals("max-age=60", h.get("Cache-Control"));
    assertEquals("/a", h.get("Content-Location"));
    assertEquals(date(0), h.get("Date"));
    assertEquals("\"v1\"", h.get("ETag"));
    assertEquals(date(60), h.get("Expires"));
    assertEquals("Accept", h.get("Vary"));
    assertEquals(date(-5), h.get("Last-Modified"));
    assertEquals("7", h.get("Age"));
    assertFalse(h.contains("Content-Type"));
    assertFalse(h.contains("Content-Length"));
    assertFalse(h.contains("X-Other"));
  }
}
