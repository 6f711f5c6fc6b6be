package dev.weir.dataplane.compress;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which media types are worth compressing, as an ordered list of patterns checked against the
 * {@code type/subtype} of a {@code Content-Type} (parameters ignored, case-insensitive):
 *
 * <ul>
 *   <li>{@code type/subtype}: that type exactly;
 *   <li>{@code type/*}: every subtype of a type;
 *   <li>{@code +suffix}: any type with a structured-syntax suffix (RFC 6838 4.2.8), e.g. {@code +json}
 *       for {@code application/problem+json}, {@code +xml} for {@code image/svg+xml};
 *   <li>{@code !pattern}: an exclusion; exclusions win over inclusions wherever they stand.
 * </ul>
 *
 * <p>Already-compressed formats (images other than SVG/BMP/ICO, video, audio, woff/woff2, archives)
 * gain nothing and only cost CPU, so they are absent from the defaults.
 */
public final class MediaTypes {

  /**
   * The default patterns. {@code text/event-stream} is excluded: a server-sent-events stream is
   * long-lived and each event must reach the client at once, which a compressor's buffering defeats
   * unless every event is flushed; such routes can opt in explicitly.
   */
  public static final List<String> DEFAULT_PATTERNS =
      List.of(
          "!text/event-stream",
          "text/*",
          "application/json",
          "application/javascript",
          "application/x-javascript",
          "application/ecmascript",
          "application/xml",
          "application/yaml",
          "application/x-yaml",
          "application/toml",
          "application/graphql",
          "application/x-ndjson",
          "application/wasm",
          "application/vnd.ms-fontobject",
          "application/x-font-ttf",
          "font/ttf",
          "font/otf",
          "font/eot",
          "image/bmp",
          "image/x-icon",
          "image/vnd.microsoft.icon",
          "+json",
          "+xml",
          "+yaml");

  private static final MediaTypes DEFAULTS = of(DEFAULT_PATTERNS);

  private final List<String> patterns;
  private final List<String> exact = new ArrayList<>();
  private final List<String> typePrefixes = new ArrayList<>();
  private final List<String> suffixes = new ArrayList<>();
  private final List<String> excludedExact = new ArrayList<>();
  private final List<String> excludedPrefixes = new ArrayList<>();
  private final List<String> excludedSuffixes = new ArrayList<>();

  private MediaTypes(List<String> patterns) {
    this.patterns = List.copyOf(patterns);
    for (String raw : this.patterns) {
      String p = raw.trim().toLowerCase(Locale.ROOT);
      boolean exclude = p.startsWith("!");
      if (exclude) {
        p = p.substring(1).trim();
      }
      List<String> ex = exclude ? excludedExact : exact;
      List<String> pre = exclude ? excludedPrefixes : typePrefixes;
      List<String> suf = exclude ? excludedSuffixes : suffixes;
      if (p.startsWith("+") && p.length() > 1 && p.indexOf('/') < 0) {
        suf.add(p);
      } else if (p.endsWith("/*") && p.length() > 2 && p.indexOf('/') == p.length() - 2 && p.indexOf('*') == p.length() - 1) {
        pre.add(p.substring(0, p.length() - 1)); // "text/"
      } else if (p.indexOf('/') > 0 && p.indexOf('/') == p.lastIndexOf('/') && !p.endsWith("/") && p.indexOf('*') < 0) {
        ex.add(p);
      } else {
        throw new IllegalArgumentException("not a media type pattern: '" + raw + "' (type/subtype, type/*, +suffix, or ! before one)");
      }
    }
  }

  /** The patterns, checked when created: a malformed one throws {@link IllegalArgumentException}. */
  public static MediaTypes of(List<String> patterns) {
    return new MediaTypes(patterns);
  }

  /** {@link #DEFAULT_PATTERNS}. */
  public static MediaTypes defaults() {
    return DEFAULTS;
  }

  public List<String> patterns() {
    return patterns;
  }

  /** Whether a {@code Content-Type} value names a type worth compressing; false for null or empty. */
  public boolean compressible(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    int slash = type.indexOf('/');
    if (slash <= 0 || slash == type.length() - 1) {
      return false;
    }
    return !matches(type, excludedExact, excludedPrefixes, excludedSuffixes)
        && matches(type, exact, typePrefixes, suffixes);
  }

  private static boolean matches(String type, List<String> exact, List<String> prefixes, List<String> suffixes) {
    if (exact.contains(type)) {
      return true;
    }
    for (String prefix : prefixes) {
      if (type.startsWith(prefix)) {
        return true;
      }
    }
    int plus = type.lastIndexOf('+');
    if (plus > type.indexOf('/')) {
      String suffix = type.substring(plus);
      return suffixes.contains(suffix);
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MediaTypes && ((MediaTypes) o).patterns.equals(patterns);
  }

  @Override
  public int hashCode() {
    return patterns.hashCode();
  }

  @Override
  public String toString() {
    return "MediaTypes" + patterns;
  }
}
