package dev.weir.dataplane.proxy;

import java.time.Duration;

/**
 * Limits, timeouts and header options of the proxy, fixed for the life of a dataplane.
 *
 * @param responseTimeout how long the upstream may stay silent while the proxy waits on it (before
 *     the response head: answered 504; during the body: the connections are closed)
 * @param connectTimeout TCP connect to an upstream endpoint (refused: 502; timed out: 504); routes may set their own
 * @param clientIdleTimeout a downstream keep-alive connection with no request in progress is closed after this
 * @param upstreamIdleTimeout an idle pooled upstream connection is closed after this
 * @param maxIdlePerEndpoint idle upstream connections kept per endpoint and event loop
 * @param maxHeaderSize largest request or response header block, bytes (larger requests get 431)
 * @param maxInitialLineLength largest request line, bytes (longer ones get 414)
 * @param headerReadTimeout a request head (request line and headers) must arrive completely within
 *     this, counted from the accept or from the end of the previous response (otherwise 408 and close)
 * @param maxHeaderCount most header fields a request head may have (more get 431)
 * @param via add {@code Via: <version> weir} (RFC 9110 7.6.3) to requests going upstream and to
 *     responses going back; off by default, as in nginx and Envoy
 */
public record ProxySettings(
    Duration responseTimeout,
    Duration connectTimeout,
    Duration clientIdleTimeout,
    Duration upstreamIdleTimeout,
    int maxIdlePerEndpoint,
    int maxHeaderSize,
    int maxInitialLineLength,
    Duration headerReadTimeout,
    int maxHeaderCount,
    boolean via) {

  public static final Duration DEFAULT_HEADER_READ_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_HEADER_COUNT = 100;

  public static ProxySettings defaults() {
    return new ProxySettings(
        Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(30), 256, 16 * 1024, 8 * 1024,
        DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_HEADER_COUNT, false);
  }

  public ProxySettings withResponseTimeout(Duration timeout) {
    return new ProxySettings(timeout, connectTimeout, clientIdleTimeout, upstreamIdleTimeout, maxIdlePerEndpoint, maxHeaderSize, maxInitialLineLength, headerReadTimeout, maxHeaderCount, via);
  }

  public ProxySettings withUpstreamIdleTimeout(Duration timeout) {
    return new ProxySettings(responseTimeout, connectTimeout, clientIdleTimeout, timeout, maxIdlePerEndpoint, maxHeaderSize, maxInitialLineLength, headerReadTimeout, maxHeaderCount, via);
  }

  public ProxySettings withClientIdleTimeout(Duration timeout) {
    return new ProxySettings(responseTimeout, connectTimeout, timeout, upstreamIdleTimeout, maxIdlePerEndpoint, maxHeaderSize, maxInitialLineLength, headerReadTimeout, maxHeaderCount, via);
  }

  public ProxySettings withConnectTimeout(Duration timeout) {
    return new ProxySettings(responseTimeout, timeout, clientIdleTimeout, upstreamIdleTimeout, maxIdlePerEndpoint, maxHeaderSize, maxInitialLineLength, headerReadTimeout, maxHeaderCount, via);
  }

  public ProxySettings withHeaderReadTimeout(Duration timeout) {
    return new ProxySettings(responseTimeout, connectTimeout, clientIdleTimeout, upstreamIdleTimeout, maxIdlePerEndpoint, maxHeaderSize, maxInitialLineLength, timeout, maxHeaderCount, via);
  }

  public ProxySettings withMaxHeaderCount(int count) {
    return new ProxySettings(responseTimeout, connectTimeout, clientIdleTimeout, upstreamIdleTimeout, maxIdlePerEndpoint, maxHeaderSize, maxInitialLineLength, headerReadTimeout, count, via);
  }

  public ProxySettings withVia(boolean on) {
    return new ProxySettings(responseTimeout, connectTimeout, clientIdleTimeout, upstreamIdleTimeout, maxIdlePerEndpoint, maxHeaderSize, maxInitialLineLength, headerReadTimeout, maxHeaderCount, on);
  }
}
