package dev.weir.dataplane.cache;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Clock;
import java.util.Optional;

/**
 * The shared cache's decisions in the order the proxy needs them, over one {@link ResponseCache}:
 * {@link #lookup} when a request head arrives, {@link #storability} when a response head arrives,
 * {@link #store} when its body is complete, {@link #freshen} when a revalidation gets 304. Every
 * time comes from the injected {@link Clock}; request and response times given to
 * {@link #store}/{@link #freshen} must be read from {@link #nowMillis()}. Thread-safe.
 */
public final class HttpCache {

  private final CacheSettings settings;
  private final Clock clock;
  private final ResponseCache storage;
  private final StoragePolicy policy;

  public HttpCache(CacheSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.storage =
        new ResponseCache(settings.maxBytes(), settings.maxObjectBytes(), settings.maxVariantsPerKey(),
            settings.varyKeys());
    this.policy = new StoragePolicy(settings.heuristicCap(), clock);
  }

  /** The cache's clock in epoch milliseconds: use it for request_time and response_time. */
  public long nowMillis() {
    return clock.millis();
  }

  /** The storage, for purges and metrics. */
  public ResponseCache storage() {
    return storage;
  }

  /**
   * Classifies a request: bypass, miss, hit (with its {@link Freshness}), or 504 for
   * only-if-cached. HEAD is looked up like GET; serve the hit's headers without a body.
   */
  public Lookup lookup(CacheKey key, HttpMethod method, HttpHeaders request) {
    CacheControl cc = CacheControl.of(request);
    if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
      return new Lookup(Lookup.Kind.BYPASS_METHOD, null, null, cc);
    }
    if (request.contains(HttpHeaderNames.IF_MATCH) || request.contains(HttpHeaderNames.IF_UNMODIFIED_SINCE)) {
      return new Lookup(Lookup.Kind.BYPASS_PRECONDITION, null, null, cc);
    }
    Optional<StoredResponse> hit = storage.get(key, request);
    if (hit.isEmpty()) {
      return new Lookup(cc.onlyIfCached() ? Lookup.Kind.ONLY_IF_CACHED_MISS : Lookup.Kind.MISS, null, null, cc);
    }
    Freshness f = FreshnessPolicy.evaluate(hit.get(), cc, clock.millis());
    if (cc.onlyIfCached() && !f.servable()) {
      return new Lookup(Lookup.Kind.ONLY_IF_CACHED_MISS, null, null, cc);
    }
    return new Lookup(Lookup.Kind.HIT, hit.get(), f, cc);
  }

  /**
   * Whether the response whose head just arrived may be stored; call before buffering its body.
   * {@code contentLength} is the declared length, or -1 if unknown (then the caller stops buffering
   * past {@link ResponseCache#maxObjectBytes()}).
   */
  public Storability storability(
      HttpMethod method, HttpHeaders request, int status, HttpHeaders response, long contentLength) {
    Storability s = policy.decide(method, request, status, response);
    if (s.storable() && contentLength >= 0 && !storage.fits(contentLength)) {
      return Storability.TOO_LARGE;
    }
    return s;
  }

  /**
   * Stores a complete response (the rules are checked again, so a caller may call this alone).
   *
   * @param request the client's request headers (its Vary-named values make the secondary key)
   * @param requestTimeMillis {@link #nowMillis()} when the request went upstream
   * @param responseTimeMillis {@link #nowMillis()} when the response head arrived
   */
  public StoreResult store(
      CacheKey key, HttpMethod method, HttpHeaders request, int status, HttpHeaders response, byte[] body,
      long requestTimeMillis, long responseTimeMillis) {
    Storability s = storability(method, request, status, response, body.length);
    if (!s.storable()) {
      return new StoreResult(s, null);
    }
    var varyNames = VaryKeys.varyNames(response);
    StoredResponse stored =
        StoredResponse.create(status, response, body, requestTimeMillis, responseTimeMillis, varyNames,
            settings.varyKeys().secondaryKey(varyNames, request), settings.heuristicCap());
    if (!storage.put(key, stored)) {
      return new StoreResult(Storability.TOO_LARGE, null);
    }
    return new StoreResult(Storability.STORABLE, stored);
  }

  /**
   * Applies a 304 from a revalidation of {@code stored} (§4.3.4). Returns the freshened response,
   * now stored in its place; or empty when the 304 is about another representation
   * ({@link Revalidation#refersTo} false: fetch again without validators) or when the updated
   * headers are no longer storable (then the old entry is removed, and the caller should relay
   * the upstream's answer instead of the cached one).
   */
  public Optional<StoredResponse> freshen(
      CacheKey key, StoredResponse stored, HttpHeaders request, HttpHeaders notModified,
      long requestTimeMillis, long responseTimeMillis) {
    if (!Revalidation.refersTo(notModified, stored)) {
      return Optional.empty();
    }
    // Vary may change with the 304; the request matched the old variant, so its key under the new
    // Vary is the right one either way.
    var varyNames = VaryKeys.varyNames(notModified.contains(HttpHeaderNames.VARY) ? notModified : stored.toHttpHeaders());
    StoredResponse updated =
        stored.freshen(notModified, requestTimeMillis, responseTimeMillis, varyNames,
            settings.varyKeys().secondaryKey(varyNames, request), settings.heuristicCap());
    Storability s = policy.decide(HttpMethod.GET, request, updated.status(), updated.toHttpHeaders());
    if (!s.storable() && s != Storability.NOT_REUSABLE) {
      storage.remove(key, stored);
      return Optional.empty();
    }
    storage.replace(key, stored, updated);
    return Optional.of(updated);
  }

  /** Whether {@code stored} may be served because the upstream failed (RFC 5861 §4), now. */
  public boolean mayServeStaleOnError(StoredResponse stored, CacheControl request) {
    return FreshnessPolicy.mayServeStaleOnError(stored, request, clock.millis());
  }

  /**
   * The headers of a full response served from {@code stored}, with Age set. The caller adds its
   * own (X-Cache, Via) and, for HEAD, sends no body.
   */
  public static HttpHeaders responseHeaders(StoredResponse stored, long ageSeconds) {
    HttpHeaders h = stored.toHttpHeaders();
    h.set(HttpHeaderNames.AGE, ageSeconds);
    return h;
  }
}
