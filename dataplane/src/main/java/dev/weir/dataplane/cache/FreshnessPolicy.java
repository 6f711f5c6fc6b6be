package dev.weir.dataplane.cache;

/**
 * Chooses whether a stored response may be served (RFC 9111 §4, §4.2.4, §5.2.1; RFC 5861;
 * RFC 8246), given the request's Cache-Control and the cache's clock.
 *
 * <p>Serving stale is forbidden — including {@code stale-while-revalidate}, {@code stale-if-error}
 * and a client's {@code max-stale} — when the response has {@code must-revalidate} (§5.2.2.2),
 * {@code proxy-revalidate} (§5.2.2.8), {@code s-maxage} (§5.2.2.10: it implies proxy-revalidate
 * for a shared cache) or {@code no-cache} (§5.2.2.4), as §4.2.4 and RFC 5861 §4 require.
 *
 * <p>Request directives: {@code no-cache} and an exceeded {@code max-age} force a revalidation;
 * an invalid request {@code max-age} counts as 0 (the client wants fresh, and we cannot tell how
 * fresh); {@code min-fresh} needs that much lifetime left (an invalid one is ignored);
 * {@code max-stale} accepts that much staleness. A fresh {@code immutable} response (RFC 8246 §2)
 * ignores the request's {@code no-cache} and {@code max-age}, which are what browsers send on reload.
 */
public final class FreshnessPolicy {

  private FreshnessPolicy() {}

  /** The use {@code stored} allows for a request with {@code request} directives at {@code nowMillis}. */
  public static Freshness evaluate(StoredResponse stored, CacheControl request, long nowMillis) {
    long age = stored.currentAgeSeconds(nowMillis);
    long lifetime = stored.lifetimeSeconds();
    CacheControl cc = stored.cacheControl();
    if (cc.noCache()) {
      return new Freshness(Freshness.State.STALE, age, lifetime);
    }
    boolean fresh = lifetime > age;
    if (!(fresh && cc.immutable())) {
      if (request.noCache()) {
        return new Freshness(Freshness.State.STALE, age, lifetime);
      }
      if (request.maxAge() != CacheControl.ABSENT && age > Math.max(0, request.maxAge())) {
        return new Freshness(Freshness.State.STALE, age, lifetime);
      }
    }
    if (fresh) {
      if (CacheControl.present(request.minFresh()) && lifetime - age < request.minFresh()) {
        return new Freshness(Freshness.State.STALE, age, lifetime);
      }
      return new Freshness(Freshness.State.FRESH, age, lifetime);
    }
    if (staleForbidden(cc)) {
      return new Freshness(Freshness.State.STALE, age, lifetime);
    }
    long staleness = age - lifetime;
    if (CacheControl.present(request.maxStale()) && staleness <= request.maxStale()
        && !CacheControl.present(request.minFresh())) {
      return new Freshness(Freshness.State.STALE_ACCEPTED, age, lifetime);
    }
    if (CacheControl.present(cc.staleWhileRevalidate()) && staleness <= cc.staleWhileRevalidate()) {
      return new Freshness(Freshness.State.STALE_WHILE_REVALIDATE, age, lifetime);
    }
    return new Freshness(Freshness.State.STALE, age, lifetime);
  }

  /**
   * Whether {@code stored} may be served because the upstream failed (RFC 5861 §4): a connection
   * failure or a 500, 502, 503 or 504 answer. Allowed while its staleness is within the larger of
   * the response's and the request's {@code stale-if-error}, unless serving stale is forbidden.
   */
  public static boolean mayServeStaleOnError(StoredResponse stored, CacheControl request, long nowMillis) {
    CacheControl cc = stored.cacheControl();
    if (staleForbidden(cc)) {
      return false;
    }
    long window = Math.max(cc.staleIfError(), request.staleIfError());
    if (window < 0) {
      return false;
    }
    long staleness = stored.currentAgeSeconds(nowMillis) - stored.lifetimeSeconds();
    return staleness <= window;
  }

  /** §4.2.4, RFC 5861 §4: directives under which a stale response must not be served. */
  static boolean staleForbidden(CacheControl cc) {
    return cc.mustRevalidate() || cc.proxyRevalidate() || cc.sMaxAge() != CacheControl.ABSENT || cc.noCache();
  }
}
