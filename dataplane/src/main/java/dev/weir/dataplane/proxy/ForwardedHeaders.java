package dev.weir.dataplane.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Rewrites a request's headers for the upstream: hop-by-hop removed, X-Forwarded-* and X-Request-Id set. */
public final class ForwardedHeaders {

  public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
  public static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
  /** The verified client certificate's subject, on hosts with client validation; never taken from a client. */
  public static final AsciiString X_CLIENT_CERT_SUBJECT = AsciiString.cached("x-client-cert-subject");

  private ForwardedHeaders() {}

  /**
   * @param clientIp the downstream peer's address, appended to X-Forwarded-For
   * @param scheme {@code http} or {@code https}, as the client spoke to us
   * @return the request id (kept from the client when it sent one)
   */
  public static String apply(HttpHeaders headers, String clientIp, String scheme) {
    HopByHopHeaders.strip(headers);
    // Only the proxy may say who a client certificate belongs to: a client's own claim is dropped everywhere.
    headers.remove(X_CLIENT_CERT_SUBJECT);
    appendToList(headers, X_FORWARDED_FOR, clientIp);
    headers.set(X_FORWARDED_PROTO, scheme);
    String host = headers.get(HttpHeaderNames.HOST);
    if (host != null) {
      headers.set(X_FORWARDED_HOST, host);
    }
    String id = headers.get(X_REQUEST_ID);
    if (id == null || id.isBlank()) {
      id = newRequestId();
      headers.set(X_REQUEST_ID, id);
    }
    return id;
  }

  public static final AsciiString VIA = AsciiString.cached("via");

  /** Appends {@code value} to a comma-separated list header, folding its lines into one. */
  private static void appendToList(HttpHeaders headers, AsciiString name, String value) {
    List<String> earlier = headers.getAll(name);
    headers.set(name, earlier.isEmpty() ? value : String.join(", ", earlier) + ", " + value);
  }

  /**
   * Appends this proxy to {@code Via} (RFC 9110 7.6.3): the protocol version it received the message
   * with ({@code 1.1}, {@code 1.0}, {@code 2}) and the pseudonym {@code weir}.
   */
  public static void appendVia(HttpHeaders headers, String receivedVersion) {
    appendToList(headers, VIA, receivedVersion + " weir");
  }

  /** The Via protocol token for a version: {@code 1.1}, {@code 1.0}; {@code 2} for HTTP/2. */
  public static String viaVersion(HttpVersion version, boolean http2) {
    return http2 ? "2" : version.majorVersion() + "." + version.minorVersion();
  }

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /**
   * 32 random hex digits; not a security token, just unique enough to correlate logs. Built by hand:
   * it runs for every request, and {@code String.format} costs about a microsecond.
   */
  static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    byte[] id = new byte[32];
    long hi = r.nextLong();
    long lo = r.nextLong();
    for (int i = 15; i >= 0; i--) {
      id[i] = HEX[(int) (hi & 0xf)];
      id[i + 16] = HEX[(int) (lo & 0xf)];
      hi >>>= 4;
      lo >>>= 4;
    }
    return new String(id, StandardCharsets.US_ASCII);
  }
}
