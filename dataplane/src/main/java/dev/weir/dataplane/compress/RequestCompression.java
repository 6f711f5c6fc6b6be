package dev.weir.dataplane.compress;

/**
 * What the request says about compressing its response, captured when the request arrives (the
 * request head may be rewritten or gone by the time the response does).
 *
 * @param accepted the negotiated coding: identity when the client accepts none that is offered
 * @param head a HEAD request: its response has no body to compress
 * @param range the request asks for a part ({@code Range}): byte ranges refer to the identity body
 * @param tunnel CONNECT, or a request asking to switch protocols ({@code Upgrade}): what follows is no HTTP body
 * @param noTransform the request says {@code Cache-Control: no-transform}
 */
public record RequestCompression(ContentCoding accepted, boolean head, boolean range, boolean tunnel, boolean noTransform) {

  /** For responses nothing is negotiated for (compression off for the route). */
  public static final RequestCompression NONE = new RequestCompression(ContentCoding.IDENTITY, false, false, false, false);
}
