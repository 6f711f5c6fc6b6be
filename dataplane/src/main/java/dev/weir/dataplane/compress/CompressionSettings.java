package dev.weir.dataplane.compress;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How responses are compressed: the codings offered, in the server's order of preference for
 * equal client weights, their levels, the smallest body worth compressing, and the compressible
 * media types.
 *
 * <p>The defaults are for dynamic content compressed on every response, where CPU per byte counts
 * more than the last few percent of ratio (measured in {@code docs/benchmarks.md}, "Response
 * compression"):
 *
 * <ul>
 *   <li>preference {@code zstd, br, gzip}: at these levels zstd compresses about as well as brotli
 *       on medium and large bodies for a fraction of its CPU; brotli comes before gzip because it is
 *       smaller at a similar cost. Browsers send {@code gzip, deflate, br, zstd}, all at weight 1,
 *       so this order decides what they get.
 *   <li>gzip level 1 (nginx's {@code gzip_comp_level} default), brotli quality 4 with a 512 KiB
 *       window ({@code lgwin} 19, ngx_brotli's default window), zstd level 3 (zstd's own default).
 *   <li>{@code minLength} 1024: below about a kilobyte the saving is a few hundred bytes, which
 *       rarely saves a packet, while setting up a compressor costs the same as for a large body.
 * </ul>
 *
 * @param preference codings offered, most preferred first (no duplicates; identity is implied and
 *     may not be listed); an empty list turns compression off
 * @param gzipLevel 1 (fastest) to 9
 * @param brotliQuality 0 to 11
 * @param brotliWindowBits brotli's {@code lgwin}, 10 to 24; smaller for small bodies of known length
 * @param zstdLevel 1 to 19 (negative "fast" levels also allowed, down to -7)
 * @param minLength bodies whose {@code Content-Length} is below this are left alone; bodies of
 *     unknown length are compressed
 * @param types the compressible media types
 */
public record CompressionSettings(
    List<ContentCoding> preference,
    int gzipLevel,
    int brotliQuality,
    int brotliWindowBits,
    int zstdLevel,
    long minLength,
    MediaTypes types) {

  public static final int DEFAULT_GZIP_LEVEL = 1;
  public static final int DEFAULT_BROTLI_QUALITY = 4;
  public static final int DEFAULT_BROTLI_WINDOW_BITS = 19;
  public static final int DEFAULT_ZSTD_LEVEL = 3;
  public static final long DEFAULT_MIN_LENGTH = 1024;
  public static final List<ContentCoding> DEFAULT_PREFERENCE = List.of(ContentCoding.ZSTD, ContentCoding.BROTLI, ContentCoding.GZIP);

  private static final CompressionSettings DEFAULTS =
      new CompressionSettings(
          DEFAULT_PREFERENCE,
          DEFAULT_GZIP_LEVEL,
          DEFAULT_BROTLI_QUALITY,
          DEFAULT_BROTLI_WINDOW_BITS,
          DEFAULT_ZSTD_LEVEL,
          DEFAULT_MIN_LENGTH,
          MediaTypes.defaults());

  public CompressionSettings {
    preference = List.copyOf(preference);
    if (preference.contains(ContentCoding.IDENTITY) || Set.copyOf(preference).size() != preference.size()) {
      throw new IllegalArgumentException("preference must list distinct codings other than identity: " + preference);
    }
    if (gzipLevel < 1 || gzipLevel > 9) {
      throw new IllegalArgumentException("gzip level must be 1..9: " + gzipLevel);
    }
    if (brotliQuality < 0 || brotliQuality > 11) {
      throw new IllegalArgumentException("brotli quality must be 0..11: " + brotliQuality);
    }
    if (brotliWindowBits < 10 || brotliWindowBits > 24) {
      throw new IllegalArgumentException("brotli window bits must be 10..24: " + brotliWindowBits);
    }
    if (zstdLevel < -7 || zstdLevel > 19 || zstdLevel == 0) {
      throw new IllegalArgumentException("zstd level must be -7..-1 or 1..19: " + zstdLevel);
    }
    if (minLength < 0) {
      throw new IllegalArgumentException("minLength must be >= 0: " + minLength);
    }
    Objects.requireNonNull(types, "types");
  }

  /** The defaults described above. */
  public static CompressionSettings defaults() {
    return DEFAULTS;
  }

  public CompressionSettings withPreference(List<ContentCoding> preference) {
    return new CompressionSettings(preference, gzipLevel, brotliQuality, brotliWindowBits, zstdLevel, minLength, types);
  }

  public CompressionSettings withGzipLevel(int level) {
    return new CompressionSettings(preference, level, brotliQuality, brotliWindowBits, zstdLevel, minLength, types);
  }

  public CompressionSettings withBrotli(int quality, int windowBits) {
    return new CompressionSettings(preference, gzipLevel, quality, windowBits, zstdLevel, minLength, types);
  }

  public CompressionSettings withZstdLevel(int level) {
    return new CompressionSettings(preference, gzipLevel, brotliQuality, brotliWindowBits, level, minLength, types);
  }

  public CompressionSettings withMinLength(long minLength) {
    return new CompressionSettings(preference, gzipLevel, brotliQuality, brotliWindowBits, zstdLevel, minLength, types);
  }

  public CompressionSettings withTypes(MediaTypes types) {
    return new CompressionSettings(preference, gzipLevel, brotliQuality, brotliWindowBits, zstdLevel, minLength, types);
  }
}
