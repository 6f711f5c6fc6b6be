package dev.weir.dataplane.cache;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Clock;
import java.time.Duration;

/**
 * Decides whether a shared cache may store a response (RFC 9111 §3, §3.5), before its body is read,
 * so that the proxy only buffers bodies it will keep.
 *
 * <p>Only GET responses are stored. A HEAD request is looked up under the same {@link CacheKey} and
 * answered from the stored GET response's status and headers without its body (RFC 9110 §9.3.2:
 * HEAD gets the headers GET would); a HEAD that misses is forwarded as HEAD and not stored.
 *
 * <p>Responses with {@code no-cache} are storable; {@link FreshnessPolicy} then makes every use
 * revalidate.
 */
public final class StoragePolicy {

  private final Duration heuristicCap;
  private final Clock clock;

  /**
   * @param heuristicCap the cap on heuristic freshness, see {@link FreshnessLifetime}
   * @param clock the cache's clock, standing in for a missing Date
   */
  public StoragePolicy(Duration heuristicCap, Clock clock) {
    this.heuristicCap = heuristicCap;
    this.clock = clock;
  }

  /**
   * The first rule that forbids storing, in the order of RFC 9111 §3, or {@link Storability#STORABLE}.
   *
   * @param method the request method
   * @param request the request headers as the client sent them (Authorization, Cache-Control)
   * @param status the response status code
   * @param response the response headers as the upstream sent them
   */
  public Storability decide(HttpMethod method, HttpHeaders request, int status, HttpHeaders response) {
    if (!HttpMethod.GET.equals(method)) {
      return Storability.METHOD;
    }
    if (status < 200 || status == 304) {
      return Storability.STATUS; // not final, or not a complete response to store
    }
    if (status == 206) {
      return Storability.PARTIAL_CONTENT;
    }
    CacheControl req = CacheControl.of(request);
    if (req.noStore()) {
      return Storability.REQUEST_NO_STORE;
    }
    CacheControl cc = CacheControl.of(response);
    if (cc.noStore()) {
      return Storability.RESPONSE_NO_STORE;
    }
    if (cc.isPrivate()) {
      return Storability.PRIVATE;
    }
    if (request.contains(HttpHeaderNames.AUTHORIZATION)
        && !(cc.isPublic() || cc.mustRevalidate() || cc.sMaxAge() != CacheControl.ABSENT)) {
      return Storability.AUTHORIZATION;
    }
    if (response.contains(HttpHeaderNames.SET_COOKIE)) {
      return Storability.SET_COOKIE;
    }
    if (VaryKeys.isVaryAny(response)) {
      return Storability.VARY_ANY;
    }
    long expires = HttpDates.parse(response.getAll(HttpHeaderNames.EXPIRES));
    boolean explicit = FreshnessLifetime.hasExplicitExpiry(cc, expires);
    if (!explicit && !cc.isPublic() && !FreshnessLifetime.HEURISTICALLY_CACHEABLE.contains(status)) {
      return Storability.STATUS;
    }
    if (!reusable(status, cc, expires, response)) {
      return Storability.NOT_REUSABLE;
    }
    return Storability.STORABLE;
  }

  private boolean reusable(int status, CacheControl cc, long expires, HttpHeaders response) {
    if (response.contains(HttpHeaderNames.ETAG)
        || HttpDates.valid(HttpDates.parse(response.getAll(HttpHeaderNames.LAST_MODIFIED)))) {
      return true; // a revalidation can be answered with a 304
    }
    if (cc.staleWhileRevalidate() > 0 || cc.staleIfError() > 0) {
      return true;
    }
    long date = HttpDates.parse(response.getAll(HttpHeaderNames.DATE));
    if (!HttpDates.valid(date)) {
      date = clock.millis(); // what StoredResponse will set as its Date
    }
    // Last-Modified is absent here, so the heuristic gives 0: only explicit freshness counts.
    return FreshnessLifetime.seconds(status, cc, expires, date, HttpDates.ABSENT, heuristicCap) > 0;
  }
}
