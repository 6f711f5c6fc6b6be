package dev.weir.dataplane.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * Checks of a request head that decoded without error but must still not be proxied, because the
 * proxy and an upstream could read its framing or its target differently (RFC 9112). Pure: looks at
 * the head, changes nothing. The decoder (see {@code StrictRequestDecoder}) has already refused
 * what is malformed byte by byte; these are the rules about fields as a whole:
 * <ul>
 *   <li>more header fields than the limit: 431;</li>
 *   <li>an HTTP major version other than 1: 505;</li>
 *   <li>an HTTP/1.1 request without Host (when required: an HTTP/2 request may come without
 *       authority), any request with more than one, or a Host that is not {@code host[:port]}: 400
 *       (3.2; two Hosts could route here and be served as the other there);</li>
 *   <li>Content-Length that is not exactly one decimal, Transfer-Encoding with Content-Length or in
 *       HTTP/1.0: 400 (6.1, 6.3; Netty refuses these too, this keeps requests that reach the proxy
 *       by another path honest);</li>
 *   <li>a transfer coding besides {@code chunked} ({@code gzip, chunked}): 501 (6.1), since the
 *       proxy does not implement it and an upstream that does not either would misframe the body.</li>
 * </ul>
 */
public final class RequestFraming {

  /** Why a request is refused, and the status to answer it with (the connection is closed after it). */
  public record Rejection(HttpResponseStatus status, String reason) {}

  private RequestFraming() {}

  /**
   * @param hostRequired an HTTP/1.1 request must have a Host header (false for requests converted from HTTP/2)
   * @return null when the request may be proxied
   */
  public static Rejection check(HttpRequest request, int maxHeaderCount, boolean hostRequired) {
    HttpHeaders headers = request.headers();
    if (headers.size() > maxHeaderCount) {
      return new Rejection(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "more than " + maxHeaderCount + " header fields");
    }
    HttpVersion version = request.protocolVersion();
    if (version.majorVersion() != 1) {
      return new Rejection(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "only HTTP/1.x is spoken here");
    }
    Rejection host = checkHost(headers.getAll(HttpHeaderNames.HOST), hostRequired && version.minorVersion() >= 1);
    if (host != null) {
      return host;
    }
    return checkFraming(headers, version);
  }

  private static Rejection checkHost(List<String> hosts, boolean required) {
    if (hosts.size() > 1) {
      return badRequest("more than one Host header");
    }
    if (hosts.isEmpty()) {
      return required ? badRequest("no Host header") : null;
    }
    return isHostValue(hosts.get(0)) ? null : badRequest("invalid Host header");
  }

  private static Rejection checkFraming(HttpHeaders headers, HttpVersion version) {
    List<String> lengths = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
    if (lengths.size() > 1 || (lengths.size() == 1 && !isDecimal(lengths.get(0).trim()))) {
      return badRequest("invalid Content-Length");
    }
    List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (codings.isEmpty()) {
      return null;
    }
    if (!lengths.isEmpty()) {
      return badRequest("Transfer-Encoding with Content-Length");
    }
    if (version.minorVersion() == 0) {
      return badRequest("Transfer-Encoding in HTTP/1.0");
    }
    int chunked = 0;
    for (String value : codings) {
      for (String coding : value.split(",", -1)) {
        String c = coding.trim();
        if (!c.equalsIgnoreCase("chunked")) {
          return new Rejection(HttpResponseStatus.NOT_IMPLEMENTED, "transfer coding not supported");
        }
        chunked++;
      }
    }
    return chunked == 1 ? null : badRequest("chunked applied more than once");
  }

  /**
   * RFC 9112 3.2 / RFC 3986 3.2.2: {@code host [":" port]} where host is a reg-name, IPv4 or an IP
   * literal in brackets; empty is allowed (a target without authority). No whitespace, no path,
   * query, fragment or userinfo.
   */
  static boolean isHostValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~!$&'()*+,;=:%[]".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDecimal(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static Rejection badRequest(String reason) {
    return new Rejection(HttpResponseStatus.BAD_REQUEST, reason);
  }
}
