package dev.weir.dataplane.cache;

/**
 * Whether a response may be stored by this shared cache, and if not why: one value per rule of
 * RFC 9111 §3 and §3.5 plus our own stricter policies, so the proxy can tag a metric and an
 * {@code X-Cache: BYPASS} with the reason.
 */
public enum Storability {
  /** May be stored. */
  STORABLE,
  /** Not a GET (§3: the method must be understood and cacheable; we store GET only). */
  METHOD,
  /** The request had {@code no-store} (§5.2.1.5). */
  REQUEST_NO_STORE,
  /** The response had {@code no-store} (§5.2.2.5). */
  RESPONSE_NO_STORE,
  /** The response had {@code private}, with or without field names (§5.2.2.7; shared cache). */
  PRIVATE,
  /** The request had Authorization and the response none of public, must-revalidate, s-maxage (§3.5). */
  AUTHORIZATION,
  /** The response sets a cookie: never stored (our policy, stricter than §3). */
  SET_COOKIE,
  /** {@code Vary: *} can never match a later request (§4.1). */
  VARY_ANY,
  /** 206 Partial Content: we store complete responses only (§3.3 would allow it). */
  PARTIAL_CONTENT,
  /** The status is neither heuristically cacheable nor given explicit freshness or public (§3), or is 304/1xx. */
  STATUS,
  /** Fresh for 0 seconds, no validator and no stale-while-revalidate/stale-if-error: storing it could never save a request. */
  NOT_REUSABLE,
  /** The body is larger than the configured maximum object size, or the cache's whole byte bound. */
  TOO_LARGE;

  public boolean storable() {
    return this == STORABLE;
  }
}
