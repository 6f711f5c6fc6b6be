package dev.weir.controller.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.crds.v1alpha1.RouteCache;
import dev.weir.crds.v1alpha1.RouteCompression;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CachingRulesTest {
  private static final Pattern CRD_MEDIA_RANGE = Pattern.compile(RouteCompression.MEDIA_RANGE_PATTERN);
  private static final Pattern CRD_STATUS_HEADER = Pattern.compile(RouteCache.STATUS_HEADER_PATTERN);

  @ParameterizedTest
  @ValueSource(strings = {"text/html", "TEXT/HTML", "application/json", "text/*", "application/*+json",
      "application/vnd.api+json", "image/svg+xml", "application/x-www-form-urlencoded", "font/woff2",
      "application/ld+json", "a/b"})
  void mediaRangesTheCrdAndTheControllerBothAccept(String type) {
    assertNull(CachingRules.checkMediaRange(type), type);
    assertTrue(CRD_MEDIA_RANGE.matcher(type).matches(), "the CRD pattern accepts " + type);
  }

  @ParameterizedTest
  @ValueSource(strings = {"text", "text/", "/html", "text/html/x", "text/*json", "application/json+*",
      "application/*+", "*/html", "text/ html", "-text/html", "text/.html", "text/h\u00e9", "text/html,"})
  void mediaRangesTheCrdAndTheControllerBothRefuse(String type) {
    assertNotNull(CachingRules.checkMediaRange(type), type);
    assertTrue(!CRD_MEDIA_RANGE.matcher(type).matches(), "the CRD pattern refuses " + type);
  }

  @Test
  void parametersAndTheAnyTypeWildcardGetMessagesOfTheirOwn() {
    assertEquals("\"text/html; charset=utf-8\" has parameters; list the media type alone, e.g. \"text/html\"",
        CachingRules.checkMediaRange("text/html; charset=utf-8"));
    assertTrue(CachingRules.checkMediaRange("*/*").contains("would compress every type"));
    assertTrue(CachingRules.checkMediaRange("*").contains("would compress every type"));
    assertEquals("media type must not be empty", CachingRules.checkMediaRange(""));
    assertNotNull(CachingRules.checkMediaRange("text/" + "a".repeat(128)), "RFC 6838: names of at most 127 characters");
    assertNull(CachingRules.checkMediaRange("text/" + "a".repeat(127)));
  }

  @Test
  void mediaRangesAreWrittenLowercase() {
    assertEquals("application/*+json", CachingRules.normaliseMediaRange("Application/*+JSON"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "X-Cache", "x-cache-status", "CF_Cache", "X-Shop.Cache!"})
  void statusHeadersThatAreFine(String name) {
    assertNull(CachingRules.checkStatusHeader(name), name);
    assertTrue(CRD_STATUS_HEADER.matcher(name).matches(), name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"X Cache", "X-Cache:", "(x)", "x/y", "caché"})
  void statusHeadersThatAreNotTokens(String name) {
    assertTrue(CachingRules.checkStatusHeader(name).startsWith("invalid header name"), name);
    assertTrue(!CRD_STATUS_HEADER.matcher(name).matches(), name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Content-Length", "transfer-encoding", "Vary", "AGE", "Set-Cookie", "Connection", "ETag"})
  void statusHeadersThatHttpOrCachingUseAreRefused(String name) {
    assertTrue(CachingRules.checkStatusHeader(name).contains("is a header HTTP or caching itself uses"), name);
  }

  @Test
  void aStatusHeaderIsBounded() {
    assertNull(CachingRules.checkStatusHeader("x".repeat(CachingRules.MAX_STATUS_HEADER_LENGTH)));
    assertNotNull(CachingRules.checkStatusHeader("x".repeat(CachingRules.MAX_STATUS_HEADER_LENGTH + 1)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/products", "/a?b=c", "/a?b=c&d=%20e", "/%E2%82%AC", "/a;b"})
  void purgePathsThatAreFine(String path) {
    assertNull(CachingRules.checkPurgePath(path), path);
  }

  @Test
  void purgePathsMustBeRequestTargetsAsSent() {
    assertEquals("must not be empty", CachingRules.checkPurgePath(""));
    assertEquals("\"a?b\" must start with '/'", CachingRules.checkPurgePath("a?b"));
    assertTrue(CachingRules.checkPurgePath("/a#top").contains("fragment"));
    assertTrue(CachingRules.checkPurgePath("/a b").contains("not visible ASCII at index 2"));
    assertTrue(CachingRules.checkPurgePath("/\u20ac").contains("percent-encode"));
    assertTrue(CachingRules.checkPurgePath("/a\tb").contains("not visible ASCII"));
    assertNull(CachingRules.checkPurgePath("/" + "a".repeat(CachingRules.MAX_PURGE_PATH_LENGTH - 1)));
    assertNotNull(CachingRules.checkPurgePath("/" + "a".repeat(CachingRules.MAX_PURGE_PATH_LENGTH)));
  }

  @Test
  void encodingsAreTheSnapshotsExactNames() {
    for (String e : RouteCompression.ENCODINGS) {
      assertNull(CachingRules.checkEncoding(e), e);
    }
    assertEquals("unsupported value \"deflate\", want br, zstd or gzip", CachingRules.checkEncoding("deflate"));
    assertNotNull(CachingRules.checkEncoding("GZIP"), "Accept-Encoding tokens are written lowercase in the API");
    assertNotNull(CachingRules.checkEncoding("identity"));
  }
}
