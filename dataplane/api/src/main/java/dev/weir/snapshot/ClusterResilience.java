package dev.weir.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a cluster (one Service port) does about failing and overloaded endpoints; shared by every
 * route to it. Zero values mean the defaults below.
 *
 * @param consecutive5xx passive outlier ejection: this many 5xx answers in a row eject an endpoint
 *     (default 5; -1: never on 5xx)
 * @param consecutiveConnectFailures this many connect failures, resets or timeouts in a row eject it
 *     (default 3; -1: never)
 * @param baseEjectionMillis the n-th ejection of an endpoint lasts n times this, up to
 *     {@code maxEjectionMillis} (default 30 s and 300 s)
 * @param maxEjectionMillis see above
 * @param maxEjectionPercent never more than this share of the cluster's endpoints ejected at once, at
 *     least one endpoint always kept (default 50)
 * @param slowStartMillis a new endpoint's weight grows linearly from 10% to 100% over this long
 *     (default 0: no slow start)
 * @param maxConnections circuit breakers: upstream connections of this dataplane to the cluster
 *     (default 1024)
 * @param maxPendingRequests requests waiting for a connection (default 1024)
 * @param maxRequests concurrent requests (default 1024)
 * @param retryBudgetPercent retries in flight may be at most this share of the requests in flight to
 *     the cluster (default 20), but {@code minRetryConcurrency} are always allowed (default 3)
 * @param minRetryConcurrency see above
 * @param healthCheck active HTTP health checks, or null for none (passive ejection only)
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record ClusterResilience(
    int consecutive5xx,
    int consecutiveConnectFailures,
    long baseEjectionMillis,
    long maxEjectionMillis,
    int maxEjectionPercent,
    long slowStartMillis,
    int maxConnections,
    int maxPendingRequests,
    int maxRequests,
    int retryBudgetPercent,
    int minRetryConcurrency,
    @JsonInclude(JsonInclude.Include.NON_NULL) HealthCheck healthCheck) {

  public static final ClusterResilience DEFAULT = new ClusterResilience(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null);

  public ClusterResilience {
    if (consecutive5xx < -1 || consecutiveConnectFailures < -1) {
      throw new IllegalArgumentException("consecutive failure counts must be -1 (never), 0 (default) or positive");
    }
    if (baseEjectionMillis < 0 || maxEjectionMillis < 0 || slowStartMillis < 0 || maxConnections < 0
        || maxPendingRequests < 0 || maxRequests < 0 || minRetryConcurrency < 0) {
      throw new IllegalArgumentException("cluster resilience values must not be negative");
    }
    if (maxEjectionPercent < 0 || maxEjectionPercent > 100 || retryBudgetPercent < 0 || retryBudgetPercent > 100) {
      throw new IllegalArgumentException("percentages must be 0..100");
    }
  }

  /**
   * An active health check: {@code GET path} to every endpoint every {@code intervalMillis}; a 2xx
   * or 3xx within {@code timeoutMillis} passes. {@code unhealthyThreshold} failures in a row take an
   * endpoint out, {@code healthyThreshold} passes in a row bring it back. Zeros mean 10 s, 1 s, 3, 2.
   *
   * @param host the Host header (null: the endpoint's address)
   */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  public record HealthCheck(String path, String host, long intervalMillis, long timeoutMillis, int unhealthyThreshold,
      int healthyThreshold) {
    public HealthCheck {
      if (path == null || !path.startsWith("/")) {
        throw new IllegalArgumentException("health check path must start with '/'");
      }
      if (intervalMillis < 0 || timeoutMillis < 0 || unhealthyThreshold < 0 || healthyThreshold < 0) {
        throw new IllegalArgumentException("health check values must not be negative");
      }
    }

    public long interval() { return intervalMillis == 0 ? 10_000 : intervalMillis; }
    public long timeout() { return timeoutMillis == 0 ? 1_000 : timeoutMillis; }
    public int unhealthy() { return unhealthyThreshold == 0 ? 3 : unhealthyThreshold; }
    public int healthy() { return healthyThreshold == 0 ? 2 : healthyThreshold; }
  }

  public int ejectAfter5xx() { return consecutive5xx == 0 ? 5 : consecutive5xx; }
  public int ejectAfterConnectFailures() { return consecutiveConnectFailures == 0 ? 3 : consecutiveConnectFailures; }
  public long baseEjection() { return baseEjectionMillis == 0 ? 30_000 : baseEjectionMillis; }
  public long maxEjection() { return maxEjectionMillis == 0 ? 300_000 : maxEjectionMillis; }
  public int maxEjectedPercent() { return maxEjectionPercent == 0 ? 50 : maxEjectionPercent; }
  public int connectionLimit() { return maxConnections == 0 ? 1024 : maxConnections; }
  public int pendingLimit() { return maxPendingRequests == 0 ? 1024 : maxPendingRequests; }
  public int requestLimit() { return maxRequests == 0 ? 1024 : maxRequests; }
  public int retryBudget() { return retryBudgetPercent == 0 ? 20 : retryBudgetPercent; }
  public int minRetries() { return minRetryConcurrency == 0 ? 3 : minRetryConcurrency; }

  /** A Jackson value filter that leaves the default out of a cluster's JSON. */
  public static final class OmitDefault extends OmitWhenDefault {
    public OmitDefault() {
      super(DEFAULT);
    }
  }
}
