package dev.weir.dataplane.cache;

/**
 * How a stored response may be used for one request at one instant ({@link FreshnessPolicy}).
 *
 * @param state what the proxy does with it
 * @param ageSeconds the §4.2.3 current age: send it as the Age field of a response served from cache
 * @param lifetimeSeconds the §4.2.1 freshness lifetime
 */
public record Freshness(State state, long ageSeconds, long lifetimeSeconds) {

  /** The use a stored response allows. */
  public enum State {
    /** Fresh and acceptable to the request: serve it (RFC 9111 §4.2). */
    FRESH,
    /** Stale, but the client's {@code max-stale} accepts that staleness and the response permits it (§4.2.4, §5.2.1.2): serve it. */
    STALE_ACCEPTED,
    /** Stale within {@code stale-while-revalidate} (RFC 5861 §3): serve it now and revalidate in the background. */
    STALE_WHILE_REVALIDATE,
    /**
     * Must be revalidated before use (stale, {@code no-cache}, or the request asks for fresher).
     * If the revalidation fails, {@link FreshnessPolicy#mayServeStaleOnError} says whether it may be served anyway.
     */
    STALE
  }

  /** True when the proxy can answer from the cache now (possibly adding a background revalidation). */
  public boolean servable() {
    return state != State.STALE;
  }
}
