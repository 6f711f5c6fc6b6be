package dev.weir.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * When and how a route retries a failed attempt, always on a different endpoint when the cluster has
 * one. Retries are for idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE, TRACE) unless
 * {@code nonIdempotent}; a request body is replayed only when it was at most
 * {@code maxBufferedBodyBytes} and so was kept; a response is never retried once any of it went to
 * the client. Every retry is also bounded by the cluster's retry budget ({@link Cluster#resilience()}).
 *
 * @param attempts tries in total, the first included (1: no retry)
 * @param retryOn which failures: {@code connect-failure}, {@code reset} (the upstream closed or reset
 *     before a complete response head), {@code timeout} (per-try timeout), {@code 5xx}, and
 *     {@code retriable-status} (the codes in {@code statusCodes})
 * @param statusCodes for {@code retriable-status}, e.g. 503
 * @param perTryTimeoutMillis one attempt may wait this long for a response head, counted from the
 *     later of the attempt's start and the end of the client's request (0: only the route's timeouts apply)
 * @param backoffBaseMillis the wait before retry n is random in [0, min(max, base * 2^(n-1))] (full
 *     jitter); 0 means 25 ms
 * @param backoffMaxMillis 0 means 250 ms
 * @param nonIdempotent retry POST and PATCH too (the route says its backends can take it)
 * @param maxBufferedBodyBytes request bodies up to this size are kept for replay (0 means 64 KiB)
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record RetryPolicy(
    int attempts,
    List<String> retryOn,
    List<Integer> statusCodes,
    long perTryTimeoutMillis,
    long backoffBaseMillis,
    long backoffMaxMillis,
    boolean nonIdempotent,
    int maxBufferedBodyBytes) {

  public static final List<String> CONDITIONS = List.of("connect-failure", "reset", "timeout", "5xx", "retriable-status");

  /**
   * What a route gets without a retry policy of its own: one retry of an idempotent request on
   * connect failures and resets, which a client can never see as anything but a broken proxy.
   */
  public static final RetryPolicy DEFAULT = new RetryPolicy(2, List.of("connect-failure", "reset"), List.of(), 0, 0, 0, false, 0);

  /** No retries at all. */
  public static final RetryPolicy NONE = new RetryPolicy(1, List.of(), List.of(), 0, 0, 0, false, 0);

  public RetryPolicy {
    retryOn = retryOn == null ? List.of() : List.copyOf(retryOn);
    statusCodes = statusCodes == null ? List.of() : List.copyOf(statusCodes);
    if (attempts < 1 || attempts > 10) {
      throw new IllegalArgumentException("attempts must be 1..10, got " + attempts);
    }
    for (String c : retryOn) {
      if (!CONDITIONS.contains(c)) {
        throw new IllegalArgumentException("unknown retryOn condition " + c + " (known: " + CONDITIONS + ")");
      }
    }
    for (int code : statusCodes) {
      if (code < 500 || code > 599) {
        throw new IllegalArgumentException("retriable status codes must be 5xx, got " + code);
      }
    }
    if (perTryTimeoutMillis < 0 || backoffBaseMillis < 0 || backoffMaxMillis < 0 || maxBufferedBodyBytes < 0) {
      throw new IllegalArgumentException("retry timeouts, backoff and body size must not be negative");
    }
  }

  public long backoffBase() {
    return backoffBaseMillis == 0 ? 25 : backoffBaseMillis;
  }

  public long backoffMax() {
    return backoffMaxMillis == 0 ? 250 : backoffMaxMillis;
  }

  public int bodyLimit() {
    return maxBufferedBodyBytes == 0 ? 64 * 1024 : maxBufferedBodyBytes;
  }

  public boolean on(String condition) {
    return retryOn.contains(condition);
  }

  /** A Jackson value filter that leaves the default out of a route's JSON. */
  public static final class OmitDefault extends OmitWhenDefault {
    public OmitDefault() {
      super(DEFAULT);
    }
  }
}
