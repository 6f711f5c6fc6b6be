package dev.weir.dataplane.compress;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

/** Rewrites of a response head for compression. */
public final class ResponseHeaders {

  private static final String ACCEPT_ENCODING = "Accept-Encoding";

  private ResponseHeaders() {}

  /**
   * The head of a response whose body goes out encoded with {@code coding}:
   *
   * <ul>
   *   <li>{@code Content-Encoding} set (replacing an {@code identity} one);
   *   <li>{@code Content-Length} removed: the encoded length is not known until the end, so the body
   *       is chunked on HTTP/1.1 (or ends with the stream on HTTP/2);
   *   <li>{@code Vary: Accept-Encoding} merged into any existing {@code Vary};
   *   <li>a strong {@code ETag} made weak ({@code W/"..."}), as nginx does: the encoded bytes differ
   *       from the origin's, so byte-for-byte equality no longer holds, but the representation is
   *       semantically the same, so revalidation ({@code If-None-Match}, weak comparison) still
   *       works; a malformed one is removed rather than passed on as a strong validator;
   *   <li>{@code Accept-Ranges} removed: ranges of the encoded body cannot be served;
   *   <li>digests of the body ({@code Content-MD5}, {@code Digest}, {@code Content-Digest},
   *       {@code Repr-Digest}) removed: they describe bytes that are no longer sent.
   * </ul>
   */
  public static void compressed(HttpHeaders headers, ContentCoding coding) {
    if (coding == ContentCoding.IDENTITY) {
      throw new IllegalArgumentException("identity is not a compression");
    }
    headers.set(HttpHeaderNames.CONTENT_ENCODING, coding.token());
    headers.remove(HttpHeaderNames.CONTENT_LENGTH);
    headers.remove(HttpHeaderNames.ACCEPT_RANGES);
    headers.remove(HttpHeaderNames.CONTENT_MD5);
    headers.remove("digest");
    headers.remove("content-digest");
    headers.remove("repr-digest");
    weakenETag(headers);
    varyOnAcceptEncoding(headers);
  }

  /**
   * Adds {@code Accept-Encoding} to {@code Vary}: merges every existing {@code Vary} line into one
   * list with it appended, leaves it alone when it is already listed (any case) or when {@code Vary}
   * is {@code *} (which already varies on everything).
   */
  public static void varyOnAcceptEncoding(HttpHeaders headers) {
    List<String> values = headers.getAll(HttpHeaderNames.VARY);
    if (values.isEmpty()) {
      headers.set(HttpHeaderNames.VARY, ACCEPT_ENCODING);
      return;
    }
    List<String> fields = new ArrayList<>();
    for (String value : values) {
      for (String part : value.split(",")) {
        String field = part.trim();
        if (field.equals("*") || field.equalsIgnoreCase(ACCEPT_ENCODING)) {
          return;
        }
        if (!field.isEmpty()) {
          fields.add(field);
        }
      }
    }
    fields.add(ACCEPT_ENCODING);
    headers.set(HttpHeaderNames.VARY, String.join(", ", fields));
  }

  /** {@code "x"} becomes {@code W/"x"}; a weak one stays; one that is neither is removed. */
  static void weakenETag(HttpHeaders headers) {
    String etag = headers.get(HttpHeaderNames.ETAG);
    if (etag == null) {
      return;
    }
    String t = etag.trim();
    if (t.startsWith("W/")) {
      return;
    }
    if (t.length() >= 2 && t.charAt(0) == '"' && t.charAt(t.length() - 1) == '"') {
      headers.set(HttpHeaderNames.ETAG, "W/" + t);
    } else {
      headers.remove(HttpHeaderNames.ETAG);
    }
  }
}
