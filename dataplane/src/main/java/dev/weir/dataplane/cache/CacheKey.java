package dev.weir.dataplane.cache;

import java.util.Locale;
import java.util.Objects;

/**
 * The primary cache key (RFC 9111 §2: at least the method and target URI): the route the request
 * matched, its host and its path with query. The method is not part of it because only GET
 * responses are stored and HEAD is answered from them. The route is in the key so that two routes
 * on one host with different cache settings never share entries; purge by host and path still
 * reaches every route ({@link ResponseCache#purge(String, String)}).
 *
 * <p>The scheme is part of it, as in nginx's default {@code proxy_cache_key}: one route serves both
 * listeners, and a backend may answer {@code http} and {@code https} requests differently (it sees
 * {@code X-Forwarded-Proto}); purges reach both.
 *
 * @param route the caller's route name
 * @param scheme {@code http} or {@code https}
 * @param host the request host, lower-cased here (host names are case-insensitive, RFC 9110 §4.2.3)
 * @param pathAndQuery the request target's path and query exactly as received (compared byte for byte)
 */
public record CacheKey(String route, String scheme, String host, String pathAndQuery) {

  public CacheKey {
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(scheme, "scheme");
    host = Objects.requireNonNull(host, "host").toLowerCase(Locale.ROOT);
    Objects.requireNonNull(pathAndQuery, "pathAndQuery");
  }

  /** A key for a request on the plain HTTP listener. */
  public CacheKey(String route, String host, String pathAndQuery) {
    this(route, "http", host, pathAndQuery);
  }
}
