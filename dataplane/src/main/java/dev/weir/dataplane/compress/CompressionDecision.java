package dev.weir.dataplane.compress;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * Whether one response is compressed, and why (for tests, logs and metrics).
 *
 * @param coding what the body is encoded with; identity: sent as it is
 * @param varyAcceptEncoding the response depends on {@code Accept-Encoding}: it was compressed, or
 *     would have been for another request (another client's {@code Accept-Encoding}, a GET instead of
 *     a HEAD, no {@code Range}), so a cache must key it on that header
 * @param reason the rule that decided
 * @param contentLength the identity body's {@code Content-Length}, -1 when unknown; read before the head
 *     is rewritten (which removes it), for {@link Compression#newEncoder}
 */
public record CompressionDecision(ContentCoding coding, boolean varyAcceptEncoding, Reason reason, long contentLength) {

  /** The rule that decided, in the order they are checked. */
  public enum Reason {
    /** Compressed. */
    COMPRESSED,
    /** 1xx, 204, 205, 206 and 304 carry no body, or one that must stay as it is. */
    STATUS,
    /** CONNECT, or an upgrade request: not an HTTP body. */
    TUNNEL,
    /** The response is a part ({@code Content-Range}). */
    PARTIAL,
    /** The upstream already encoded it. */
    ALREADY_ENCODED,
    /** {@code Cache-Control: no-transform} on the response or the request. */
    NO_TRANSFORM,
    /** The media type is not a compressible one (or is missing). */
    TYPE,
    /** {@code Content-Length} below the minimum. */
    TOO_SMALL,
    /** A HEAD request (the response could be compressed for a GET). */
    HEAD,
    /** A request with {@code Range} (the response could be compressed for one without). */
    RANGE,
    /** The client accepts none of the offered codings (or none is offered). */
    NOT_ACCEPTED
  }

  /** Whether the body is to be encoded (then create the encoder with {@link Compression#newEncoder}). */
  public boolean compress() {
    return coding != ContentCoding.IDENTITY;
  }

  /**
   * Rewrites a response head for this decision, before the head is framed and sent: for a
   * compressed body as {@link ResponseHeaders#compressed} describes; for one that is not but could
   * have been, only {@code Vary: Accept-Encoding}; otherwise nothing.
   */
  public void applyTo(HttpHeaders headers) {
    if (compress()) {
      ResponseHeaders.compressed(headers, coding);
    } else if (varyAcceptEncoding) {
      ResponseHeaders.varyOnAcceptEncoding(headers);
    }
  }
}
