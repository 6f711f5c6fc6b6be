package dev.weir.dataplane.cache;

import static dev.weir.dataplane.cache.CacheFixtures.headers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 9111 §4.1: secondary keys from the Vary-named request headers. */
class VaryKeysTest {

  static Stream<Arguments> cases() {
    // name, Vary, first request, second request, same key?
    return Stream.of(
        Arguments.of("§4.1 equal values match", "Accept-Encoding", List.of("Accept-Encoding: gzip"), List.of("Accept-Encoding: gzip"), true),
        Arguments.of("§4.1 different values differ", "Accept-Encoding", List.of("Accept-Encoding: gzip"), List.of("Accept-Encoding: br"), false),
        Arguments.of("§4.1 combined lines equal one joined line", "Accept", List.of("Accept: a", "Accept: b"), List.of("Accept: a,b"), true),
        Arguments.of("§4.1 whitespace around commas is removed", "Accept", List.of("Accept: a ,  b"), List.of("Accept: a,b"), true),
        Arguments.of("§4.1 header names are case-insensitive", "accept-LANGUAGE", List.of("Accept-Language: en"), List.of("accept-language: en"), true),
        Arguments.of("§4.1 absent matches only absent", "X-A", List.of(), List.of("X-A: "), false),
        Arguments.of("§4.1 absent matches absent", "X-A", List.of(), List.of("X-B: 1"), true),
        Arguments.of("§4.1 unnamed headers do not matter", "X-A", List.of("X-A: 1", "X-B: 1"), List.of("X-A: 1", "X-B: 2"), true),
        Arguments.of("§4.1 several Vary names all count", "X-A, X-B", List.of("X-A: 1", "X-B: 1"), List.of("X-A: 1", "X-B: 2"), false),
        Arguments.of("§4.1 a value cannot imitate another header", "X-A, X-B", List.of("X-A: 1=x-b=2"), List.of("X-A: 1", "X-B: 2"), false),
        Arguments.of("§4.1 values cannot move between headers", "X-A, X-B", List.of("X-A: 1,2"), List.of("X-A: 1", "X-B: 2"), false),
        Arguments.of("§4.1 values are case-sensitive", "Accept", List.of("Accept: A"), List.of("Accept: a"), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void keys(String name, String vary, List<String> first, List<String> second, boolean same) {
    VaryKeys keys = VaryKeys.standard();
    List<String> names = VaryKeys.varyNames(headers("Vary: " + vary));
    String a = keys.secondaryKey(names, headers(first));
    String b = keys.secondaryKey(names, headers(second));
    assertEquals(same, a.equals(b), a + " vs " + b);
  }

  @Test
  void varyNamesAreLowerCasedSortedAndDistinct() {
    assertEquals(List.of("accept", "accept-encoding"), VaryKeys.varyNames(headers("Vary: Accept-Encoding, accept", "Vary: ACCEPT")));
    assertEquals(List.of(), VaryKeys.varyNames(headers()));
    assertTrue(VaryKeys.isVaryAny(headers("Vary: Accept", "Vary: *")));
  }

  @Test
  void oneHeadersNormalisationCanBeReplaced() {
    // the proxy keys Accept-Encoding by the encoding it will choose
    HeaderNormaliser chosen = req -> {
      String ae = req.get(HttpHeaderNames.ACCEPT_ENCODING, "");
      return ae.contains("br") ? "br" : ae.contains("gzip") ? "gzip" : "identity";
    };
    VaryKeys keys = VaryKeys.standard().withNormaliser("Accept-Encoding", chosen);
    List<String> names = List.of("accept-encoding");
    String a = keys.secondaryKey(names, headers("Accept-Encoding: gzip, deflate, br"));
    String b = keys.secondaryKey(names, headers("Accept-Encoding: br;q=1.0, gzip;q=0.5"));
    String c = keys.secondaryKey(names, headers("Accept-Encoding: gzip"));
    assertEquals(a, b);
    assertNotEquals(a, c);
    assertEquals(keys.secondaryKey(names, headers()), keys.secondaryKey(names, headers("Accept-Encoding: identity")));
    // the standard normalisation would have told them apart
    assertNotEquals(VaryKeys.standard().secondaryKey(names, headers("Accept-Encoding: gzip, deflate, br")),
        VaryKeys.standard().secondaryKey(names, headers("Accept-Encoding: br;q=1.0, gzip;q=0.5")));
  }
}
