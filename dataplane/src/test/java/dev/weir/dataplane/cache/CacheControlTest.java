package dev.weir.dataplane.cache;

import static dev.weir.dataplane.cache.CacheControl.ABSENT;
import static dev.weir.dataplane.cache.CacheControl.ANY;
import static dev.weir.dataplane.cache.CacheControl.INVALID;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One row per parsing rule of RFC 9111 §5.2 (and §1.2.2, §4.2.1 for values). */
class CacheControlTest {

  static Arguments row(String name, List<String> lines, Function<CacheControl, Object> field, Object expected) {
    return Arguments.of(name, lines, field, expected);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        row("§5.2.2.5 no-store", List.of("no-store"), CacheControl::noStore, true),
        row("§5.2 names are case-insensitive", List.of("No-Store"), CacheControl::noStore, true),
        row("§5.2.2.4 no-cache", List.of("no-cache"), CacheControl::noCache, true),
        row("§5.2.2.4 no-cache with field names counts as no-cache", List.of("no-cache=\"Set-Cookie, X-Foo\""), CacheControl::noCache, true),
        row("§5.2 a comma inside quotes does not split", List.of("no-cache=\"a, max-age=5\""), CacheControl::maxAge, ABSENT),
        row("§5.2.2.7 private", List.of("private"), CacheControl::isPrivate, true),
        row("§5.2.2.7 private with field names counts as private", List.of("private=\"Authorization\""), CacheControl::isPrivate, true),
        row("§5.2.2.9 public", List.of("public, max-age=60"), CacheControl::isPublic, true),
        row("§5.2.2.1 max-age", List.of("max-age=60"), CacheControl::maxAge, 60L),
        row("§5.2 quoted argument accepted", List.of("max-age=\"60\""), CacheControl::maxAge, 60L),
        row("§5.2 whitespace around '=' and ','", List.of(" max-age = 60 ,public"), CacheControl::maxAge, 60L),
        row("§5.2.2.10 s-maxage", List.of("s-maxage=30"), CacheControl::sMaxAge, 30L),
        row("§5.2.2.2 must-revalidate", List.of("must-revalidate"), CacheControl::mustRevalidate, true),
        row("§5.2.2.8 proxy-revalidate", List.of("proxy-revalidate"), CacheControl::proxyRevalidate, true),
        row("§5.2.2.6 no-transform", List.of("no-transform"), CacheControl::noTransform, true),
        row("RFC 8246 immutable", List.of("max-age=3600, immutable"), CacheControl::immutable, true),
        row("RFC 5861 §3 stale-while-revalidate", List.of("max-age=1, stale-while-revalidate=59"), CacheControl::staleWhileRevalidate, 59L),
        row("RFC 5861 §4 stale-if-error", List.of("stale-if-error=300"), CacheControl::staleIfError, 300L),
        row("§5.3 several field lines are one list", List.of("public", "max-age=5"), CacheControl::maxAge, 5L),
        row("§4.2.1 non-integer max-age is invalid (stale)", List.of("max-age=abc"), CacheControl::maxAge, INVALID),
        row("§4.2.1 negative max-age is invalid", List.of("max-age=-1"), CacheControl::maxAge, INVALID),
        row("§4.2.1 max-age without a value is invalid", List.of("max-age"), CacheControl::maxAge, INVALID),
        row("§4.2.1 fractional max-age is invalid", List.of("max-age=1.5"), CacheControl::maxAge, INVALID),
        row("§4.2.1 duplicate equal max-age keeps the value", List.of("max-age=5, max-age=5"), CacheControl::maxAge, 5L),
        row("§4.2.1 conflicting max-age across lines is stale", List.of("max-age=5", "max-age=10"), CacheControl::maxAge, INVALID),
        row("§1.2.2 values above 2^31 are clamped", List.of("max-age=99999999999999999999"), CacheControl::maxAge, 2147483648L),
        row("§5.2.1.2 max-stale without value accepts any staleness", List.of("max-stale"), CacheControl::maxStale, ANY),
        row("§5.2.1.2 max-stale with value", List.of("max-stale=30"), CacheControl::maxStale, 30L),
        row("§5.2.1.3 min-fresh", List.of("min-fresh=10"), CacheControl::minFresh, 10L),
        row("§5.2.1.7 only-if-cached", List.of("only-if-cached"), CacheControl::onlyIfCached, true),
        row("§5.2.3 unknown extensions are ignored", List.of("community=\"UCI\", max-age=7"), CacheControl::maxAge, 7L),
        row("§5.2 empty members are skipped", List.of(",, ,no-store,"), CacheControl::noStore, true),
        row("§5.2 absent directive", List.of("public"), CacheControl::sMaxAge, ABSENT),
        row("§5.2 a directive name is a token, not a prefix", List.of("no-stored"), CacheControl::noStore, false),
        row("§5.2 escaped quote inside a quoted argument", List.of("private=\"a\\\"b, c\", max-age=3"), CacheControl::maxAge, 3L));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void parses(String name, List<String> lines, Function<CacheControl, Object> field, Object expected) {
    assertEquals(expected, field.apply(CacheControl.parse(lines)));
  }
}
