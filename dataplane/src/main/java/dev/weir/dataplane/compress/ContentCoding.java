package dev.weir.dataplane.compress;

import java.util.Locale;

/** The content codings (RFC 9110 8.4.1) the dataplane can produce, with their registered tokens. */
public enum ContentCoding {
  BROTLI("br"),
  ZSTD("zstd"),
  GZIP("gzip"),
  /** No coding: the body goes out as the upstream sent it. */
  IDENTITY("identity");

  private final String token;

  ContentCoding(String token) {
    this.token = token;
  }

  /** The token for {@code Content-Encoding} and {@code Accept-Encoding}, lower case. */
  public String token() {
    return token;
  }

  /**
   * The coding a token names, ignoring case; {@code x-gzip} is gzip (RFC 9110 8.4.1.3 asks
   * recipients to treat them as equivalent). Null for any other token.
   */
  public static ContentCoding fromToken(String token) {
    switch (token.toLowerCase(Locale.ROOT)) {
      case "br":
        return BROTLI;
      case "zstd":
        return ZSTD;
      case "gzip":
      case "x-gzip":
        return GZIP;
      case "identity":
        return IDENTITY;
      default:
        return null;
    }
  }
}
