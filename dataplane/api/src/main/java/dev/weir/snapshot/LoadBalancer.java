package dev.weir.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How a route picks an endpoint within the cluster it chose. Kept per route (a rule's choice), while
 * what is known about each endpoint (requests in flight, ejections, health) is kept per cluster, so
 * every route to a Service shares it.
 *
 * @param policy the algorithm; {@link Policy#LEAST_REQUEST} by default
 * @param hashOn what a hash policy hashes; null for the other policies. A request without the key
 *     (no such header, no client address) is balanced as {@link Policy#LEAST_REQUEST} would
 * @param hashKey the header or cookie name for {@link HashOn#HEADER} / {@link HashOn#COOKIE}
 * @param cookieTtlSeconds for {@link HashOn#COOKIE}: when the request has no such cookie the proxy
 *     picks an endpoint, hashes a fresh random value and sets it with this Max-Age on the response
 *     (0: a session cookie)
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record LoadBalancer(Policy policy, HashOn hashOn, String hashKey, long cookieTtlSeconds) {

  public enum Policy {
    /** Smooth weighted round robin (nginx's), weights from slow start. */
    ROUND_ROBIN,
    /** Power of two random choices over requests in flight (Envoy's default is this too). */
    LEAST_REQUEST,
    /** Consistent hashing on a ring (ketama-like, virtual nodes): few keys move when endpoints change. */
    RING_HASH,
    /** Maglev lookup table: even spread, few keys move when endpoints change, O(1) lookup. */
    MAGLEV
  }

  public enum HashOn { HEADER, COOKIE, CLIENT_ADDRESS }

  public static final LoadBalancer DEFAULT = new LoadBalancer(Policy.LEAST_REQUEST, null, null, 0);

  public LoadBalancer {
    policy = policy == null ? Policy.LEAST_REQUEST : policy;
    boolean hashing = policy == Policy.RING_HASH || policy == Policy.MAGLEV;
    if (hashing && hashOn == null) {
      throw new IllegalArgumentException(policy + " needs hashOn");
    }
    if (!hashing && hashOn != null) {
      throw new IllegalArgumentException("hashOn goes with RING_HASH or MAGLEV, not " + policy);
    }
    if ((hashOn == HashOn.HEADER || hashOn == HashOn.COOKIE) && (hashKey == null || hashKey.isBlank())) {
      throw new IllegalArgumentException("hashOn " + hashOn + " needs a hashKey (the header or cookie name)");
    }
    if (cookieTtlSeconds < 0) {
      throw new IllegalArgumentException("cookieTtlSeconds must not be negative");
    }
  }

  public static LoadBalancer of(Policy policy) {
    return new LoadBalancer(policy, null, null, 0);
  }

  public boolean hashing() {
    return hashOn != null;
  }

  /** A Jackson value filter that leaves the default out of a route's JSON. */
  public static final class OmitDefault extends OmitWhenDefault {
    public OmitDefault() {
      super(DEFAULT);
    }
  }
}
