package dev.weir.dataplane.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

/**
 * Headers that describe one connection, not the message (RFC 9110 7.6.1), and so must not be
 * forwarded. Transfer-Encoding is left to the codecs, which re-frame every body they forward.
 */
public final class HopByHopHeaders {

  private static final List<CharSequence> ALWAYS =
      List.of(
          HttpHeaderNames.CONNECTION,
          HttpHeaderNames.KEEP_ALIVE,
          "proxy-connection",
          HttpHeaderNames.TE,
          HttpHeaderNames.TRAILER,
          HttpHeaderNames.UPGRADE,
          HttpHeaderNames.PROXY_AUTHENTICATE,
          HttpHeaderNames.PROXY_AUTHORIZATION);

  private HopByHopHeaders() {}

  /** Removes the fixed hop-by-hop headers and every header that {@code Connection} names. */
  public static void strip(HttpHeaders headers) {
    List<String> named = null;
    for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
      for (String token : value.split(",")) {
        String t = token.trim();
        if (!t.isEmpty()) {
          if (named == null) {
            named = new ArrayList<>(2);
          }
          named.add(t);
        }
      }
    }
    if (named != null) {
      for (String name : named) {
        // Never let a client make us drop framing: the codec must see it.
        if (!HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
            && !HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)) {
          headers.remove(name);
        }
      }
    }
    for (CharSequence name : ALWAYS) {
      headers.remove(name);
    }
  }
}
