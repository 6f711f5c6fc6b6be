package dev.weir.dataplane.proxy;

/**
 * Why a request failed on the upstream side: the {@code kind} tag of
 * {@code weir_dataplane_upstream_errors_total}. A fixed set, so the series stay bounded.
 */
public enum UpstreamError {
  /** The TCP connect was refused or failed (502). */
  CONNECT_FAILED("connect_failed"),
  /** The TCP connect ran out of time (504). */
  CONNECT_TIMEOUT("connect_timeout"),
  /** The upstream did not answer, or stalled mid-response, within its timeouts (504, or the client connection cut). */
  RESPONSE_TIMEOUT("response_timeout"),
  /** The upstream closed or reset the connection before the response was complete (502, or cut). */
  RESET("reset"),
  /** The TLS handshake with the upstream failed or timed out (502, 504). */
  TLS("tls"),
  /** The upstream's response was not valid HTTP, or not one the proxy can forward (502, or cut). */
  INVALID_RESPONSE("invalid_response"),
  /** The route's cluster has no endpoint (503). */
  NO_ENDPOINTS("no_endpoints");

  private final String tag;

  UpstreamError(String tag) {
    this.tag = tag;
  }

  /** The Prometheus tag value. */
  public String tag() {
    return tag;
  }
}
