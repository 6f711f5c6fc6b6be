package dev.weir.dataplane.compress;

import static dev.weir.dataplane.compress.ContentCoding.BROTLI;
import static dev.weir.dataplane.compress.ContentCoding.GZIP;
import static dev.weir.dataplane.compress.ContentCoding.IDENTITY;
import static dev.weir.dataplane.compress.ContentCoding.ZSTD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AcceptEncodingTest {

  private static final List<ContentCoding> ALL = List.of(ZSTD, BROTLI, GZIP);

  /** Header lines are separated by '|'; the server offers zstd, br, gzip in that order. */
  @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
  @CsvSource(
      delimiter = '#',
      value = {
        // browsers: everything at weight 1, the server's order decides
        "gzip, deflate, br, zstd        # zstd",
        "gzip, deflate, br              # br",
        "gzip, deflate                  # gzip",
        "deflate                        # identity",
        "''                             # identity", // present but empty: only identity
        "identity                       # identity",
        // q-values
        "gzip;q=1.0, br;q=0.5           # gzip",
        "gzip;q=0.5, br;q=0.8, zstd;q=0.2 # br",
        "gzip;q=0.001                   # gzip",
        "gzip;q=0, br;q=0               # identity",
        "gzip;q=0.000                   # identity",
        "br;q=0.7, gzip;q=0.7           # br", // tie: server order
        "br;q=0.7, zstd;q=0.70          # zstd",
        // case and whitespace
        "GZIP                           # gzip",
        "Br;Q=0.9, GZip;q=0.8           # br",
        "gzip ; q=0.5 , br ;q=0.4       # gzip",
        "  zstd  ,  ,, gzip             # zstd",
        // wildcard
        "*                              # zstd",
        "*;q=0.5, gzip                  # gzip",
        "*;q=0.5, gzip;q=0.4            # zstd",
        "br;q=0, *                      # zstd",
        "zstd;q=0, br;q=0, *;q=0.3      # gzip",
        "*;q=0                          # identity",
        "*;q=0, gzip                    # gzip",
        // identity preferences
        "gzip;q=0.5, identity           # identity", // the client prefers uncompressed
        "gzip, identity;q=0.5           # gzip",
        "gzip, identity;q=0             # gzip",
        "identity;q=0                   # identity", // nothing acceptable: identity anyway
        "gzip;q=0.5, identity;q=0.5     # gzip",
        // aliases and unknown codings
        "x-gzip                         # gzip",
        "compress, deflate, sdch        # identity",
        "x-gzip;q=0, gzip               # identity", // the same coding twice: the lower weight
        // duplicates
        "gzip, gzip;q=0                 # identity",
        "br;q=0.2, br;q=0.9, gzip;q=0.5 # gzip",
        // malformed parts are ignored, the rest counts
        "br;q=2, gzip                   # gzip",
        "br;q=1.5, gzip                 # gzip",
        "br;q=0.5555, gzip;q=0.1        # gzip",
        "br;q=abc, gzip;q=0.1           # gzip",
        "br;q=, gzip;q=0.1              # gzip",
        "br;q=-1, gzip;q=0.1            # gzip",
        "br;q=.5, gzip;q=0.1            # gzip",
        "b r, gzip                      # gzip",
        "br;garbage, gzip;q=0.1         # gzip",
        "br;level=5, gzip;q=0.1         # br", // unknown parameter ignored
        "br;;q=0.5, gzip;q=0.1          # br",
        "br;q=0.5;q=0.1, zstd;q=0.3     # zstd", // the last q of an element wins
        ";q=1, gzip                     # gzip",
        // several header lines
        "gzip|br                        # br",
        "br;q=0.1|zstd;q=0.2|gzip;q=0.3 # gzip",
        "gzip|br;q=0                    # gzip",
        "|gzip                          # gzip",
      })
  void negotiation(String header, String expected) {
    List<String> lines = Arrays.asList(header.split("\\|", -1));
    ContentCoding chosen = AcceptEncoding.parse(lines).select(ALL);
    assertEquals(ContentCoding.fromToken(expected), chosen, () -> AcceptEncoding.parse(lines).toString());
  }

  @Test
  void aBrowserGetsWhatTheServerPrefersAmongEqualWeights() {
    AcceptEncoding browser = AcceptEncoding.parse(List.of("gzip, deflate, br, zstd"));
    assertEquals(ZSTD, browser.select(List.of(ZSTD, BROTLI, GZIP)));
    assertEquals(BROTLI, browser.select(List.of(BROTLI, ZSTD, GZIP)));
    assertEquals(GZIP, browser.select(List.of(GZIP)));
    assertEquals(IDENTITY, browser.select(List.of()));
  }

  @Test
  void anAbsentHeaderMeansIdentityOnly() {
    HttpHeaders none = new DefaultHttpHeaders();
    AcceptEncoding ae = AcceptEncoding.of(none);
    assertFalse(ae.present());
    assertEquals(IDENTITY, ae.select(ALL));
    assertEquals(0, ae.weight(GZIP));
    assertEquals(1000, ae.weight(IDENTITY));
  }

  @Test
  void readsEveryHeaderLine() {
    HttpHeaders h = new DefaultHttpHeaders().add("accept-encoding", "gzip;q=0.2").add("Accept-Encoding", "br;q=0.4");
    AcceptEncoding ae = AcceptEncoding.of(h);
    assertTrue(ae.present());
    assertEquals(200, ae.weight(GZIP));
    assertEquals(400, ae.weight(BROTLI));
    assertEquals(0, ae.weight(ZSTD));
    assertEquals(BROTLI, ae.select(ALL));
  }

  @Test
  void weightsOfWildcardAndIdentity() {
    AcceptEncoding ae = AcceptEncoding.parse(List.of("*;q=0.3, gzip;q=0.9"));
    assertEquals(900, ae.weight(GZIP));
    assertEquals(300, ae.weight(ZSTD));
    assertEquals(1000, ae.weight(IDENTITY), "the wildcard does not exclude identity unless it is 0");
    assertEquals(0, AcceptEncoding.parse(List.of("*;q=0")).weight(IDENTITY));
    assertEquals(500, AcceptEncoding.parse(List.of("*;q=0, identity;q=0.5")).weight(IDENTITY));
  }

  @ParameterizedTest
  @CsvSource({"0,0", "0.,0", "0.5,500", "0.05,50", "0.005,5", "0.123,123", "1,1000", "1.,1000", "1.000,1000",
      "1.001,-1", "2,-1", "0.1234,-1", "'',-1", "0x1,-1", "00,-1", "1.0000,-1"})
  void qvalues(String q, int thousandths) {
    assertEquals(thousandths, AcceptEncoding.qvalue(q));
  }
}
