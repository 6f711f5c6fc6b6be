package dev.weir.dataplane.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ResponseHeadersTest {

  /** Existing Vary lines are separated by '|'; "-" means no Vary header. */
  @ParameterizedTest(name = "[{index}] Vary \"{0}\" -> \"{1}\"")
  @CsvSource(
      delimiter = '#',
      value = {
        "-                          # Accept-Encoding",
        "Origin                     # Origin, Accept-Encoding",
        "Origin, Cookie             # Origin, Cookie, Accept-Encoding",
        "Origin|Cookie              # Origin, Cookie, Accept-Encoding",
        "accept-encoding            # accept-encoding",
        "Origin, ACCEPT-ENCODING    # Origin, ACCEPT-ENCODING",
        "Origin|Accept-Encoding     # Origin|Accept-Encoding",
        "*                          # *",
        "Origin, *                  # Origin, *",
        "''                         # Accept-Encoding",
        "', Origin,,'               # Origin, Accept-Encoding",
      })
  void vary(String existing, String expected) {
    HttpHeaders h = new DefaultHttpHeaders();
    if (!existing.equals("-")) {
      for (String line : existing.split("\\|", -1)) {
        h.add("vary", line);
      }
    }
    ResponseHeaders.varyOnAcceptEncoding(h);
    assertEquals(List.of(expected.split("\\|")), h.getAll("vary"));
    // Idempotent: a second pass changes nothing.
    ResponseHeaders.varyOnAcceptEncoding(h);
    assertEquals(List.of(expected.split("\\|")), h.getAll("vary"));
  }

  @ParameterizedTest(name = "[{index}] ETag {0} -> {1}")
  @CsvSource(
      delimiter = '#',
      value = {
        "\"abc\"       # W/\"abc\"",
        "W/\"abc\"     # W/\"abc\"",
        "\"\"          # W/\"\"",
        "\"a b\"       # W/\"a b\"",
        "abc           # -",
        "\"abc         # -",
        "-             # -",
      })
  void etag(String etag, String expected) {
    HttpHeaders h = new DefaultHttpHeaders();
    if (!etag.equals("-")) {
      h.set("etag", etag);
    }
    ResponseHeaders.compressed(h, ContentCoding.GZIP);
    assertEquals(expected.equals("-") ? null : expected, h.get("etag"));
  }

  @Test
  void aCompressedHeadKeepsOnlyWhatStillHolds() {
    HttpHeaders h =
        new DefaultHttpHeaders()
            .add("content-type", "text/html")
            .add("content-length", "12345")
            .add("content-encoding", "identity")
            .add("accept-ranges", "bytes")
            .add("etag", "\"v7\"")
            .add("vary", "Origin")
            .add("content-md5", "Q2hlY2sgSW50ZWdyaXR5IQ==")
            .add("content-digest", "sha-256=:x:")
            .add("repr-digest", "sha-256=:y:")
            .add("cache-control", "max-age=60")
            .add("last-modified", "Tue, 01 Dec 2026 10:00:00 GMT");
    ResponseHeaders.compressed(h, ContentCoding.ZSTD);
    assertEquals("zstd", h.get("content-encoding"));
    assertEquals(1, h.getAll("content-encoding").size());
    assertNull(h.get("content-length"));
    assertNull(h.get("accept-ranges"));
    assertNull(h.get("content-md5"));
    assertNull(h.get("content-digest"));
    assertNull(h.get("repr-digest"));
    assertEquals("W/\"v7\"", h.get("etag"));
    assertEquals("Origin, Accept-Encoding", h.get("vary"));
    assertEquals("text/html", h.get("content-type"));
    assertEquals("max-age=60", h.get("cache-control"));
    assertEquals("Tue, 01 Dec 2026 10:00:00 GMT", h.get("last-modified"));
    assertFalse(h.contains("transfer-encoding"), "framing is the codec's business");
  }

  @Test
  void identityIsNotACompression() {
    assertThrows(IllegalArgumentException.class, () -> ResponseHeaders.compressed(new DefaultHttpHeaders(), ContentCoding.IDENTITY));
  }
}
