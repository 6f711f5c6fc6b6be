package dev.weir.dataplane.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MediaTypesTest {

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(
      delimiter = '#',
      value = {
        "text/html                          # true",
        "TEXT/HTML; charset=UTF-8           # true",
        "text/css                           # true",
        "text/x-anything                    # true",
        "text/event-stream                  # false",
        "text/event-stream; charset=utf-8   # false",
        "application/json                   # true",
        "application/problem+json           # true",
        "application/vnd.api+json; v=2      # true",
        "application/ld+json                # true",
        "application/javascript             # true",
        "application/xml                    # true",
        "application/atom+xml               # true",
        "image/svg+xml                      # true",
        "application/wasm                   # true",
        "font/ttf                           # true",
        "image/x-icon                       # true",
        "image/png                          # false",
        "image/jpeg                         # false",
        "image/webp                         # false",
        "font/woff2                         # false",
        "video/mp4                          # false",
        "application/zip                    # false",
        "application/gzip                   # false",
        "application/octet-stream           # false",
        "application/grpc                   # false",
        "application/grpc+proto             # false",
        "application/json+                  # false",
        "json                               # false",
        "text/                              # false",
        "''                                 # false",
      })
  void defaults(String type, boolean compressible) {
    assertEquals(compressible, MediaTypes.defaults().compressible(type));
  }

  @Test
  void patternsAreConfigurable() {
    MediaTypes t = MediaTypes.of(List.of("text/*", "!text/csv", "application/x-custom", "+cbor"));
    assertTrue(t.compressible("text/plain"));
    assertFalse(t.compressible("text/csv"), "an exclusion wins wherever it stands");
    assertTrue(t.compressible("application/x-custom"));
    assertTrue(t.compressible("application/foo+cbor"));
    assertFalse(t.compressible("application/json"));
    assertFalse(t.compressible(null));
    assertTrue(MediaTypes.of(List.of("text/event-stream")).compressible("text/event-stream"));
  }

  @Test
  void malformedPatternsAreRejected() {
    for (String bad : List.of("text", "*/*", "text/*/x", "/json", "+", "text/ht*ml", "")) {
      assertThrows(IllegalArgumentException.class, () -> MediaTypes.of(List.of(bad)), bad);
    }
  }
}
