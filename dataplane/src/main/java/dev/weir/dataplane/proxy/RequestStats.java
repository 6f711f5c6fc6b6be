package dev.weir.dataplane.proxy;

/** Where the proxy counts what it serves; implemented by the metrics. Called on event loops, must be cheap. */
public interface RequestStats {

  RequestStats NONE = new RequestStats() {};

  default void connectionOpened() {}

  default void connectionClosed() {}

  /**
   * One response sent downstream (its head, at least).
   *
   * @param route the matched route's name, or null when no route matched
   */
  default void requestCompleted(String route, int status) {}

  /**
   * One request is over: its response was written (or the exchange given up). The record is reused
   * for the connection's next request once this returns: take what is needed, keep no reference.
   */
  default void requestFinished(RequestRecord record) {}

  /**
   * Whether {@link #requestFinished} wants the request's details (host, user agent, request id) in the
   * record; without, the proxy skips looking them up.
   */
  default boolean wantsRequestDetails() {
    return false;
  }

  /**
   * An upstream failure behind a request of {@code route} (a name, never null): one per failed
   * request, not per retry that then succeeded.
   */
  default void upstreamError(String route, UpstreamError kind) {}

  /** A new upstream connection (with its TLS handshake, if any) of {@code cluster} took {@code nanos} to set up. */
  default void upstreamConnected(String cluster, long nanos) {}

  /** A downstream TLS handshake finished. */
  default void tlsHandshake(boolean success) {}

  /** A downstream connection was accepted on the {@code http} or {@code https} listener. */
  default void connectionAccepted(String listener) {}

  // ---- retries, circuit breakers, mirroring ----

  /** An attempt of a request of {@code route} is retried; {@code reason} is the {@link dev.weir.snapshot.RetryPolicy} condition. */
  default void upstreamRetry(String route, String reason) {}

  /** A retry of a request to {@code cluster} was not made: the cluster's retry budget was used up. */
  default void retryBudgetExhausted(String cluster) {}

  /**
   * A request to {@code cluster} was refused with a 503 by a circuit breaker.
   *
   * @param kind {@code max-requests}, {@code max-pending} or {@code max-connections}
   */
  default void circuitBreakerTrip(String cluster, String kind) {}

  /**
   * A mirrored copy of a request to {@code cluster} ended.
   *
   * @param result {@code ok} (a response was read), {@code failed} (no complete response) or
   *     {@code skipped} (not sent: its body was over the replay limit, the cluster was at its request
   *     limit or had no endpoint)
   */
  default void mirrorRequest(String cluster, String result) {}

  /** A response went out compressed with {@code encoding} ({@code br}, {@code zstd}, {@code gzip}). */
  default void responseCompressed(String encoding) {}

  /**
   * What a route's cache did for one request.
   *
   * @param result {@code hit}, {@code miss}, {@code stale} (served stale), {@code revalidated} (a 304
   *     from the upstream freshened it), {@code collapsed} (waited for another request's fetch and was
   *     served from it) or {@code bypass} (not cacheable: method, Range, preconditions)
   */
  default void cacheResult(String route, String result) {}
}
