package dev.weir.controller.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.weir.snapshot.PathMatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MatchRulesTest {

  @ParameterizedTest
  @ValueSource(strings = {"*", "example.com", "*.example.com", "a", "a-b.c-d.example", "x1.io", "127.0.0.1"})
  void goodHosts(String host) {
    assertNull(MatchRules.checkHost(host));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Example.com", "*.*.example.com", "a.*.example.com", "*example.com", "-a.example.com",
      "a-.example.com", "a..example.com", "example.com.", "a_b.example.com", "exa mple.com", "example.com:80"})
  void badHosts(String host) {
    assertNotNull(MatchRules.checkHost(host));
  }

  @ParameterizedTest
  @ValueSource(ints = {63, 64})
  void labelsHaveAtMost63Characters(int length) {
    String host = "a".repeat(length) + ".example.com";
    assertEquals(length <= 63, MatchRules.checkHost(host) == null);
  }

  @ParameterizedTest
  @CsvSource({"/, /", "/foo, /foo", "/foo/, /foo", "/foo//, /foo", "//, /", "/a/b/, /a/b"})
  void prefixesLoseTheirTrailingSlash(String in, String out) {
    assertEquals(out, MatchRules.normalisePrefix(in));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "EXACT|/x|",
      "EXACT|x|\"x\" must start with '/'",
      "PREFIX||must not be empty",
      "REGEX|^/a$|",
      "REGEX|(|invalid regular expression \"(\": Unclosed group near index 1",
      "REGEX|x{2,1}|invalid regular expression \"x{2,1}\": Illegal repetition range near index 5"})
  void paths(PathMatch.Type type, String value, String problem) {
    assertEquals(problem, MatchRules.checkPath(type, value));
  }
}
