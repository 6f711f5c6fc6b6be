package dev.weir.dataplane.cache;

/**
 * What {@link HttpCache#lookup} found for one request.
 *
 * @param kind what the proxy does next
 * @param stored the matching stored response for {@link Kind#HIT}, else null
 * @param freshness how {@code stored} may be used now, for {@link Kind#HIT}, else null
 * @param request the request's parsed Cache-Control (keep it for {@link HttpCache#mayServeStaleOnError})
 */
public record Lookup(Kind kind, StoredResponse stored, Freshness freshness, CacheControl request) {

  /** The next step. */
  public enum Kind {
    /** Not a GET or HEAD: forward, store nothing, and on success invalidate the key (§4.4) if the method is unsafe. */
    BYPASS_METHOD,
    /** If-Match or If-Unmodified-Since: forward untouched, an origin must judge those preconditions. */
    BYPASS_PRECONDITION,
    /** Nothing stored matches: collapse ({@link CollapsedForwarding#join}) and fetch. */
    MISS,
    /** A stored response matches; {@link Freshness#state()} says serve, serve and revalidate, or revalidate. */
    HIT,
    /** only-if-cached and nothing servable is stored: answer 504 (§5.2.1.7). */
    ONLY_IF_CACHED_MISS
  }
}
