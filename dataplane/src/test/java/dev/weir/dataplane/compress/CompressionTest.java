package dev.weir.dataplane.compress;

import static dev.weir.dataplane.compress.ContentCoding.BROTLI;
import static dev.weir.dataplane.compress.ContentCoding.GZIP;
import static dev.weir.dataplane.compress.ContentCoding.IDENTITY;
import static dev.weir.dataplane.compress.ContentCoding.ZSTD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.compress.CompressionDecision.Reason;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompressionTest {

  private final Compression compression = new Compression(CompressionSettings.defaults(), c -> true);

  private static HttpRequest request(String method, String... headers) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), "/x");
    for (int i = 0; i < headers.length; i += 2) {
      r.headers().add(headers[i], headers[i + 1]);
    }
    return r;
  }

  private static HttpResponse response(int status, String... headers) {
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    for (int i = 0; i < headers.length; i += 2) {
      r.headers().add(headers[i], headers[i + 1]);
    }
    return r;
  }

  private static final String[] JSON = {"content-type", "application/json; charset=utf-8", "content-length", "5000"};

  private CompressionDecision decide(HttpRequest req, HttpResponse resp) {
    return compression.decide(compression.negotiate(req), resp);
  }

  private void expect(Reason reason, ContentCoding coding, boolean vary, CompressionDecision d) {
    assertEquals(reason, d.reason(), d::toString);
    assertEquals(coding, d.coding(), d::toString);
    assertEquals(vary, d.varyAcceptEncoding(), d::toString);
  }

  @Test
  void aCompressibleResponseToABrowserIsCompressedWithTheFirstPreference() {
    CompressionDecision d = decide(request("GET", "accept-encoding", "gzip, deflate, br, zstd"), response(200, JSON));
    expect(Reason.COMPRESSED, ZSTD, true, d);
    assertTrue(d.compress());
    assertEquals(5000, d.contentLength());
  }

  /** Each exclusion, one at a time, on an otherwise compressible response to a client accepting gzip. */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '#',
      value = {
        // case                         # method # request headers (name=value;...)    # status # response headers                                              # reason          # vary
        "compressible                   # GET    # accept-encoding=gzip                # 200    # content-type=text/html;content-length=5000                    # COMPRESSED      # true",
        "any 2xx..5xx with a body       # POST   # accept-encoding=gzip                # 500    # content-type=text/html;content-length=5000                    # COMPRESSED      # true",
        "a 404 page                     # GET    # accept-encoding=gzip                # 404    # content-type=text/html;content-length=5000                    # COMPRESSED      # true",
        "unknown length                 # GET    # accept-encoding=gzip                # 200    # content-type=text/html;transfer-encoding=chunked              # COMPRESSED      # true",
        "exactly the minimum            # GET    # accept-encoding=gzip                # 200    # content-type=text/html;content-length=1024                    # COMPRESSED      # true",
        "identity content-encoding      # GET    # accept-encoding=gzip                # 200    # content-type=text/html;content-length=5000;content-encoding=identity # COMPRESSED # true",
        "1xx                            # GET    # accept-encoding=gzip                # 103    # content-type=text/html                                        # STATUS          # false",
        "101 upgrade                    # GET    # accept-encoding=gzip                # 101    # content-type=text/html                                        # STATUS          # false",
        "204                            # GET    # accept-encoding=gzip                # 204    # content-type=text/html                                        # STATUS          # false",
        "205                            # GET    # accept-encoding=gzip                # 205    # content-type=text/html                                        # STATUS          # false",
        "206                            # GET    # accept-encoding=gzip;range=bytes=0-9 # 206   # content-type=text/html;content-length=10;content-range=bytes 0-9/5000 # STATUS # false",
        "304                            # GET    # accept-encoding=gzip                # 304    # content-type=text/html;etag=\"a\"                             # STATUS          # false",
        "content-range on a 200         # GET    # accept-encoding=gzip                # 200    # content-type=text/html;content-length=5000;content-range=bytes */5000 # PARTIAL # false",
        "CONNECT                        # CONNECT # accept-encoding=gzip               # 200    # content-type=text/html;content-length=5000                    # TUNNEL          # false",
        "upgrade request                # GET    # accept-encoding=gzip;upgrade=websocket;connection=Upgrade # 200 # content-type=text/html;content-length=5000 # TUNNEL   # false",
        "connection: upgrade            # GET    # accept-encoding=gzip;connection=keep-alive, Upgrade # 200 # content-type=text/html;content-length=5000     # TUNNEL          # false",
        "already gzip                   # GET    # accept-encoding=gzip                # 200    # content-type=text/html;content-length=5000;content-encoding=gzip # ALREADY_ENCODED # false",
        "already br (case)              # GET    # accept-encoding=gzip                # 200    # content-type=text/html;content-length=5000;content-encoding=BR # ALREADY_ENCODED # false",
        "response no-transform          # GET    # accept-encoding=gzip                # 200    # content-type=text/html;content-length=5000;cache-control=public, No-Transform # NO_TRANSFORM # false",
        "request no-transform           # GET    # accept-encoding=gzip;cache-control=no-transform # 200 # content-type=text/html;content-length=5000         # NO_TRANSFORM    # false",
        "image                          # GET    # accept-encoding=gzip                # 200    # content-type=image/png;content-length=5000                    # TYPE            # false",
        "no content-type                # GET    # accept-encoding=gzip                # 200    # content-length=5000                                           # TYPE            # false",
        "event stream                   # GET    # accept-encoding=gzip                # 200    # content-type=text/event-stream                                # TYPE            # false",
        "octet-stream                   # GET    # accept-encoding=gzip                # 200    # content-type=application/octet-stream;content-length=5000     # TYPE            # false",
        "too small                      # GET    # accept-encoding=gzip                # 200    # content-type=text/html;content-length=1023                    # TOO_SMALL       # false",
        "empty                          # GET    # accept-encoding=gzip                # 200    # content-type=text/html;content-length=0                       # TOO_SMALL       # false",
        "HEAD                           # HEAD   # accept-encoding=gzip                # 200    # content-type=text/html;content-length=5000                    # HEAD            # true",
        "request with range, 200 answer # GET    # accept-encoding=gzip;range=bytes=0-9 # 200   # content-type=text/html;content-length=5000                    # RANGE           # true",
        "client accepts nothing offered # GET    # accept-encoding=deflate             # 200    # content-type=text/html;content-length=5000                    # NOT_ACCEPTED    # true",
        "no accept-encoding             # GET    # x-other=1                           # 200    # content-type=text/html;content-length=5000                    # NOT_ACCEPTED    # true",
        "gzip refused                   # GET    # accept-encoding=gzip;q=0            # 200    # content-type=text/html;content-length=5000                    # NOT_ACCEPTED    # true",
      })
  void decisions(String name, String method, String reqHeaders, int status, String respHeaders, Reason reason, boolean vary) {
    CompressionDecision d = decide(request(method, pairs(reqHeaders)), response(status, pairs(respHeaders)));
    expect(reason, reason == Reason.COMPRESSED ? GZIP : IDENTITY, vary, d);
  }

  /** "a=1;b=2" (a ';' followed by "q=" stays inside a value, for Accept-Encoding). */
  private static String[] pairs(String spec) {
    String[] parts = spec.trim().replace(";q=", "\u0000q=").split(";");
    String[] out = new String[parts.length * 2];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i].replace('\u0000', ';');
      int eq = p.indexOf('=');
      out[2 * i] = p.substring(0, eq).trim();
      out[2 * i + 1] = p.substring(eq + 1).trim();
    }
    return out;
  }

  @Test
  void compressionOffMeansNoVaryEither() {
    Compression off = new Compression(CompressionSettings.defaults().withPreference(List.of()), c -> true);
    CompressionDecision d = off.decide(off.negotiate(request("GET", "accept-encoding", "gzip")), response(200, JSON));
    expect(Reason.NOT_ACCEPTED, IDENTITY, false, d);
  }

  @Test
  void unavailableCodingsAreNotOffered() {
    Compression gzipOnly = new Compression(CompressionSettings.defaults(), c -> c == GZIP);
    assertEquals(List.of(GZIP), gzipOnly.offered());
    assertEquals(GZIP, gzipOnly.negotiate(request("GET", "accept-encoding", "gzip, deflate, br, zstd")).accepted());
    assertEquals(IDENTITY, gzipOnly.negotiate(request("GET", "accept-encoding", "br, zstd")).accepted());
  }

  @Test
  void nativeCodecsLoadOnThisPlatform() {
    // The dataplane ships linux-x86_64 natives for both; if this fails, br and zstd are silently not offered.
    assertTrue(Compression.available(BROTLI));
    assertTrue(Compression.available(ZSTD));
    assertEquals(List.of(ZSTD, BROTLI, GZIP), new Compression(CompressionSettings.defaults()).offered());
  }

  @Test
  void theMinimumAndTheTypesAreSettings() {
    Compression strict =
        new Compression(
            CompressionSettings.defaults().withMinLength(10_000).withTypes(MediaTypes.of(List.of("application/json"))), c -> true);
    RequestCompression gz = strict.negotiate(request("GET", "accept-encoding", "gzip"));
    assertEquals(Reason.TOO_SMALL, strict.decide(gz, response(200, JSON)).reason());
    assertEquals(Reason.TYPE, strict.decide(gz, response(200, "content-type", "text/html", "content-length", "20000")).reason());
    assertEquals(Reason.COMPRESSED, strict.decide(gz, response(200, "content-type", "application/json", "content-length", "20000")).reason());
  }

  @Test
  void anUnparsableContentLengthCountsAsUnknown() {
    CompressionDecision d = decide(request("GET", "accept-encoding", "gzip"), response(200, "content-type", "text/plain", "content-length", "x"));
    expect(Reason.COMPRESSED, GZIP, true, d);
    assertEquals(-1, d.contentLength());
  }

  @Test
  void prepareRewritesTheHeadForTheDecision() {
    HttpResponse compressed = response(200, "content-type", "text/html", "content-length", "5000", "etag", "\"v1\"", "accept-ranges", "bytes");
    CompressionDecision d = compression.prepare(compression.negotiate(request("GET", "accept-encoding", "br")), compressed);
    assertEquals(BROTLI, d.coding());
    assertEquals("br", compressed.headers().get("content-encoding"));
    assertNull(compressed.headers().get("content-length"));
    assertNull(compressed.headers().get("accept-ranges"));
    assertEquals("W/\"v1\"", compressed.headers().get("etag"));
    assertEquals("Accept-Encoding", compressed.headers().get("vary"));

    HttpResponse notAccepted = response(200, "content-type", "text/html", "content-length", "5000", "etag", "\"v1\"");
    CompressionDecision n = compression.prepare(compression.negotiate(request("GET")), notAccepted);
    assertFalse(n.compress());
    assertEquals("Accept-Encoding", notAccepted.headers().get("vary"), "a cache must know another client gets another body");
    assertEquals("5000", notAccepted.headers().get("content-length"));
    assertEquals("\"v1\"", notAccepted.headers().get("etag"));
    assertNull(notAccepted.headers().get("content-encoding"));

    HttpResponse image = response(200, "content-type", "image/jpeg", "content-length", "5000");
    compression.prepare(compression.negotiate(request("GET", "accept-encoding", "gzip")), image);
    assertNull(image.headers().get("vary"), "a body never compressed does not vary");
    assertEquals(2, image.headers().size());
  }

  @Test
  void anEncoderOnlyForADecisionToCompress() {
    CompressionDecision no = decide(request("GET"), response(200, JSON));
    assertThrows(IllegalArgumentException.class, () -> compression.newEncoder(no, io.netty.buffer.UnpooledByteBufAllocator.DEFAULT));
    assertThrows(IllegalArgumentException.class, () -> compression.newEncoder(IDENTITY, io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, -1));
  }

  @Test
  void settingsAreChecked() {
    CompressionSettings d = CompressionSettings.defaults();
    assertThrows(IllegalArgumentException.class, () -> d.withGzipLevel(0));
    assertThrows(IllegalArgumentException.class, () -> d.withGzipLevel(10));
    assertThrows(IllegalArgumentException.class, () -> d.withBrotli(12, 19));
    assertThrows(IllegalArgumentException.class, () -> d.withBrotli(4, 9));
    assertThrows(IllegalArgumentException.class, () -> d.withZstdLevel(0));
    assertThrows(IllegalArgumentException.class, () -> d.withZstdLevel(23));
    assertThrows(IllegalArgumentException.class, () -> d.withMinLength(-1));
    assertThrows(IllegalArgumentException.class, () -> d.withPreference(List.of(GZIP, GZIP)));
    assertThrows(IllegalArgumentException.class, () -> d.withPreference(List.of(IDENTITY)));
    assertEquals(List.of(GZIP, BROTLI), d.withPreference(List.of(GZIP, BROTLI)).preference());
  }
}
