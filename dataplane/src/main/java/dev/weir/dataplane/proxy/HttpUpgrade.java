package dev.weir.dataplane.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;

/** HTTP/1.1 protocol switches (RFC 9110 7.8): which requests ask for one, and the 101 that grants it. */
public final class HttpUpgrade {

  private HttpUpgrade() {}

  /**
   * The protocol(s) an HTTP/1.1 request asks to switch to: its {@code Upgrade} value when
   * {@code Connection} lists {@code upgrade}; else null. Read before the hop-by-hop headers are stripped.
   */
  static String requested(HttpRequest request) {
    if (!HttpVersion.HTTP_1_1.equals(request.protocolVersion())) {
      return null; // RFC 9110 7.8: an upgrade in an HTTP/1.0 request is ignored
    }
    HttpHeaders headers = request.headers();
    if (!headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
      return null;
    }
    String upgrade = String.join(", ", headers.getAll(HttpHeaderNames.UPGRADE)).trim();
    if (upgrade.isEmpty() || upgrade.indexOf('\r') >= 0 || upgrade.indexOf('\n') >= 0) {
      return null;
    }
    // h2c is ours to grant or decline (the listener's upgrade handler); forwarded, an upstream that
    // accepted it would give the client an HTTP/2 connection straight to it, past our routing.
    return namesH2c(upgrade) ? null : upgrade;
  }

  /** Whether the request's {@code Upgrade} header lists the {@code h2c} token (RFC 7540 3.2). */
  public static boolean asksForH2c(HttpRequest request) {
    String upgrade = request.headers().get(HttpHeaderNames.UPGRADE);
    return upgrade != null && namesH2c(upgrade);
  }

  private static boolean namesH2c(String upgrade) {
    for (String token : upgrade.split(",")) {
      if (token.trim().equalsIgnoreCase("h2c")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a 101 can start a raw tunnel right after its head: it names the new protocol, and it is
   * not an old (hixie-76) WebSocket handshake, whose 101 carries a body.
   */
  static boolean acceptable(HttpResponse response) {
    HttpHeaders headers = response.headers();
    String upgrade = headers.get(HttpHeaderNames.UPGRADE);
    if (upgrade == null || upgrade.isBlank()) {
      return false;
    }
    return !(headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
        && !headers.contains(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT));
  }

  /** Rewrites the upstream's 101 for the client: hop-by-hop headers out, but {@code Connection: upgrade} and {@code Upgrade} kept. */
  static void prepareSwitchingResponse(HttpResponse response) {
    HttpHeaders headers = response.headers();
    String upgrade = String.join(", ", headers.getAll(HttpHeaderNames.UPGRADE));
    HopByHopHeaders.strip(headers);
    headers.remove(HttpHeaderNames.CONTENT_LENGTH);
    headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    headers.set(HttpHeaderNames.UPGRADE, upgrade);
    response.setProtocolVersion(HttpVersion.HTTP_1_1);
  }
}
