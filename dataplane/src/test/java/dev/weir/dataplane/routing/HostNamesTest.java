package dev.weir.dataplane.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostNamesTest {

  @ParameterizedTest
  @CsvSource(
      nullValues = "NULL",
      value = {
        "Shop.Example.COM, shop.example.com",
        "shop.example.com:8443, shop.example.com",
        "shop.example.com., shop.example.com",
        "[::1]:8080, [::1]",
        "[::1], [::1]",
        "10.0.0.1:80, 10.0.0.1",
        "NULL, ''",
        "'', ''",
      })
  void normalizes(String in, String out) {
    assertEquals(out, HostNames.normalize(in));
  }

  @ParameterizedTest
  @CsvSource(
      nullValues = "NULL",
      value = {"a.example.com, *.example.com", "a.b.example.com, *.b.example.com", "example.com, *.com", "com, NULL", "'', NULL"})
  void wildcardKey(String host, String key) {
    assertEquals(key, HostNames.wildcardKey(host));
  }
}
