package dev.weir.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Per-route timeouts and limits. A zero means "the dataplane's default" for the two timeouts that
 * always exist (connect, idle) and "none" for the others.
 *
 * @param requestTimeoutMillis the whole exchange, from the request head to the end of the response
 *     (Gateway API's {@code timeouts.request}); past it the client gets 504 if no response head went
 *     out yet, otherwise both connections are closed. 0: no such limit
 * @param connectTimeoutMillis TCP connect to an upstream endpoint; a timeout is answered 504 (a
 *     refused connection 502). 0: the dataplane's {@code --connect-timeout}
 * @param idleTimeoutMillis how long the upstream may stay silent while the proxy waits on it (504
 *     before the response head, connections closed after it). 0: the dataplane's {@code --response-timeout}
 * @param maxRequestBodyBytes larger request bodies are refused with 413 (by Content-Length before
 *     anything goes upstream, or as a chunked body crosses the limit). 0: no limit
 * @param httpsRedirectStatus when a request for this route arrives over plain HTTP, answer it with
 *     this status (301, 302, 307 or 308) and {@code Location: https://<host><target>} instead of
 *     proxying it. 0: serve plain HTTP too
 */
// Zero values are left out of the JSON: most routes have the default policy, and a snapshot can hold 10,000 routes.
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record RoutePolicy(
    long requestTimeoutMillis, long connectTimeoutMillis, long idleTimeoutMillis, long maxRequestBodyBytes, int httpsRedirectStatus) {

  /** Every value at the dataplane's default. */
  public static final RoutePolicy DEFAULT = new RoutePolicy(0, 0, 0, 0, 0);

  public RoutePolicy {
    if (requestTimeoutMillis < 0 || connectTimeoutMillis < 0 || idleTimeoutMillis < 0 || maxRequestBodyBytes < 0) {
      throw new IllegalArgumentException("route policy values must not be negative");
    }
    if (httpsRedirectStatus != 0 && httpsRedirectStatus != 301 && httpsRedirectStatus != 302 && httpsRedirectStatus != 307 && httpsRedirectStatus != 308) {
      throw new IllegalArgumentException("httpsRedirectStatus must be 0, 301, 302, 307 or 308, got " + httpsRedirectStatus);
    }
  }

  /** Timeouts and body limit, no redirect. */
  public RoutePolicy(long requestTimeoutMillis, long connectTimeoutMillis, long idleTimeoutMillis, long maxRequestBodyBytes) {
    this(requestTimeoutMillis, connectTimeoutMillis, idleTimeoutMillis, maxRequestBodyBytes, 0);
  }

  /** The same policy with plain-HTTP requests redirected to HTTPS with {@code status} (0: not). */
  public RoutePolicy withHttpsRedirect(int status) {
    return new RoutePolicy(requestTimeoutMillis, connectTimeoutMillis, idleTimeoutMillis, maxRequestBodyBytes, status);
  }

  public boolean isDefault() {
    return equals(DEFAULT);
  }

  /** A Jackson value filter that leaves the default policy out of a route's JSON (reading it back gives the default again). */
  public static final class OmitDefault extends OmitWhenDefault {
    public OmitDefault() {
      super(DEFAULT);
    }
  }
}
