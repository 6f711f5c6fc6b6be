package dev.weir.controller.translate;

import dev.weir.snapshot.CompressionPolicy;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Syntax checks for the cache and compression settings, shared by the ProxyRoute fields
 * ({@link ProxyRouteCaching}) and the Ingress annotations ({@link IngressCaching}). As in {@link MatchRules},
 * each check returns null when the value is fine, else a message fragment (the caller prefixes the field).
 */
final class CachingRules {
  static final int MAX_STATUS_HEADER_LENGTH = 128;
  static final int MAX_PURGE_PATH_LENGTH = 2048;
  static final int MAX_MEDIA_RANGE_LENGTH = 255;

  /**
   * Headers that the cache's status header must not be: setting one of them on every response would change
   * how the response is framed or cached downstream, or what it means, not just say what the cache did.
   */
  static final Set<String> RESERVED_HEADERS = Set.of(
      "age", "cache-control", "connection", "content-encoding", "content-length", "content-range", "content-type",
      "date", "etag", "expires", "host", "keep-alive", "last-modified", "location", "proxy-connection",
      "set-cookie", "te", "trailer", "transfer-encoding", "upgrade", "vary");

  // RFC 6838 §4.2 restricted-name; a wildcard subtype is "*" or "*+suffix" (RFC 6839 structured syntax).
  private static final String NAME = "[a-z0-9][a-z0-9!#$&^_.+-]{0,126}";
  private static final Pattern MEDIA_RANGE = Pattern.compile(NAME + "/(" + NAME + "|\\*|\\*\\+" + NAME + ")");

  private CachingRules() {}

  /** An RFC 9110 token that is not {@link #RESERVED_HEADERS reserved}; empty is fine (no header). */
  static String checkStatusHeader(String name) {
    if (name.isEmpty()) {
      return null;
    }
    if (name.length() > MAX_STATUS_HEADER_LENGTH) {
      return "header name is longer than " + MAX_STATUS_HEADER_LENGTH + " characters";
    }
    String problem = MatchRules.checkHeaderName(name);
    if (problem != null) {
      return problem + " (want a header name such as X-Cache, or \"\" for none)";
    }
    if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
      return "\"" + name + "\" is a header HTTP or caching itself uses; pick another name such as X-Cache";
    }
    return null;
  }

  /**
   * A request target as clients send it, path and query ({@code /a?b=c}): it must start with {@code /} and be
   * visible ASCII (anything else is percent-encoded on the wire) without a fragment, which is never sent.
   */
  static String checkPurgePath(String path) {
    if (path == null || path.isEmpty()) {
      return "must not be empty";
    }
    if (!path.startsWith("/")) {
      return "\"" + path + "\" must start with '/'";
    }
    if (path.length() > MAX_PURGE_PATH_LENGTH) {
      return "is longer than " + MAX_PURGE_PATH_LENGTH + " characters";
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '#') {
        return "\"" + path + "\" has " + (c == '#' ? "a fragment ('#'), which clients never send"
            : "a character that is not visible ASCII at index " + i + " (percent-encode it as clients do)");
      }
    }
    return null;
  }

  /**
   * A media type without parameters ({@code text/html}), or a wildcard for a type ({@code text/*}) or a
   * structured-syntax suffix ({@code application/*+json}); case-insensitive. {@code *}{@code /*} is refused:
   * it would compress images, video and archives, which are compressed already.
   */
  static String checkMediaRange(String type) {
    if (type == null || type.isEmpty()) {
      return "media type must not be empty";
    }
    String t = type.toLowerCase(Locale.ROOT);
    if (t.indexOf(';') >= 0) {
      return "\"" + type + "\" has parameters; list the media type alone, e.g. \""
          + t.substring(0, t.indexOf(';')).trim() + "\"";
    }
    if (t.startsWith("*/") || t.equals("*")) {
      return "\"" + type + "\" would compress every type, including images, video and archives, which are "
          + "compressed already; list types, type/* or type/*+suffix";
    }
    if (t.length() > MAX_MEDIA_RANGE_LENGTH || !MEDIA_RANGE.matcher(t).matches()) {
      return "invalid media type \"" + type + "\" (want type/subtype, type/* or type/*+suffix, e.g. text/html, "
          + "text/*, application/*+json)";
    }
    return null;
  }

  /** How a checked media type is written in the snapshot: lowercase, as media types compare. */
  static String normaliseMediaRange(String type) {
    return type.toLowerCase(Locale.ROOT);
  }

  /** One of {@link CompressionPolicy#ENCODINGS} (exact: the names are lowercase tokens). */
  static String checkEncoding(String encoding) {
    return CompressionPolicy.ENCODINGS.contains(encoding) ? null
        : "unsupported value \"" + encoding + "\", want br, zstd or gzip";
  }
}
