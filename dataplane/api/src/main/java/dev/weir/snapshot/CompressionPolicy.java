package dev.weir.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A route's response compression: responses of compressible types at or above a minimum size are
 * encoded with the best encoding the client accepts ({@code Accept-Encoding}, q-values honoured), and
 * get {@code Vary: Accept-Encoding}. Never for responses that are already encoded, ranges,
 * {@code Cache-Control: no-transform}, HEAD, 204 or 304. A route without one ({@code Route.compression}
 * null) passes responses as they are.
 *
 * @param encodings offered, in the server's preference for equal q-values: {@code zstd}, {@code br},
 *     {@code gzip}; empty means all three in that order (zstd about as small as brotli for much less
 *     CPU at the dataplane's levels; browsers send all three at the same weight, so the order decides)
 * @param minBytes responses whose Content-Length is smaller are sent as they are (0 means 1024 bytes:
 *     below about a kilobyte the saving rarely saves a packet)
 * @param contentTypes media types (no parameters; {@code text/*} style wildcards allowed) to compress;
 *     empty means the dataplane's default list (text, JSON, JavaScript, XML, SVG, WebAssembly)
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record CompressionPolicy(List<String> encodings, long minBytes, List<String> contentTypes) {

  public static final List<String> ENCODINGS = List.of("zstd", "br", "gzip");
  public static final long DEFAULT_MIN_BYTES = 1024;

  /** Compression with every default. */
  public static final CompressionPolicy DEFAULT = new CompressionPolicy(List.of(), 0, List.of());

  public CompressionPolicy {
    encodings = encodings == null ? List.of() : List.copyOf(encodings);
    contentTypes = contentTypes == null ? List.of() : List.copyOf(contentTypes);
    for (String e : encodings) {
      if (!ENCODINGS.contains(e)) {
        throw new IllegalArgumentException("unknown encoding " + e + " (known: " + ENCODINGS + ")");
      }
    }
    if (minBytes < 0) {
      throw new IllegalArgumentException("minBytes must not be negative");
    }
  }

  public List<String> offered() {
    return encodings.isEmpty() ? ENCODINGS : encodings;
  }

  public long minimum() {
    return minBytes == 0 ? DEFAULT_MIN_BYTES : minBytes;
  }
}
