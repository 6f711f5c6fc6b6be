package dev.weir.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One match and where matching requests go.
 *
 * @param name stable id, e.g. {@code proxyroute/web/shop/r0/m0}; used in reports, logs and metrics
 * @param owner the object this route came from, e.g. {@code ProxyRoute/web/shop} or {@code Ingress/web/shop}
 * @param headers all must match (name case-insensitive, value exact)
 * @param method HTTP method that must match, or null for any
 * @param backends weighted clusters; empty means "no usable backend" and the dataplane answers 503
 * @param policy timeouts and limits; null means {@link RoutePolicy#DEFAULT}
 * @param loadBalancer how an endpoint of the chosen cluster is picked; null means {@link LoadBalancer#DEFAULT}
 * @param retry when a failed attempt is tried again; null means {@link RetryPolicy#DEFAULT}
 * @param mirrorCluster a cluster that gets a copy of every request, fire and forget (its answers and
 *     failures never reach the client or hold the primary exchange up); null for none
 * @param cookies all must match, as {@code headers} (a canary by cookie); omitted from JSON when empty
 * @param cache the route's HTTP cache; null for none
 * @param compression the route's response compression; null for none
 */
public record Route(
    String name,
    String owner,
    PathMatch path,
    List<HeaderMatch> headers,
    String method,
    List<WeightedCluster> backends,
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = RoutePolicy.OmitDefault.class) RoutePolicy policy,
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = LoadBalancer.OmitDefault.class) LoadBalancer loadBalancer,
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = RetryPolicy.OmitDefault.class) RetryPolicy retry,
    @JsonInclude(JsonInclude.Include.NON_NULL) String mirrorCluster,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<CookieMatch> cookies,
    @JsonInclude(JsonInclude.Include.NON_NULL) CachePolicy cache,
    @JsonInclude(JsonInclude.Include.NON_NULL) CompressionPolicy compression) {
  public Route {
    headers = headers == null ? List.of() : List.copyOf(headers);
    cookies = cookies == null ? List.of() : List.copyOf(cookies);
    backends = backends == null ? List.of() : List.copyOf(backends);
    policy = policy == null ? RoutePolicy.DEFAULT : policy;
    loadBalancer = loadBalancer == null ? LoadBalancer.DEFAULT : loadBalancer;
    retry = retry == null ? RetryPolicy.DEFAULT : retry;
  }

  /** A route without cache and compression. */
  public Route(String name, String owner, PathMatch path, List<HeaderMatch> headers, String method, List<WeightedCluster> backends,
      RoutePolicy policy, LoadBalancer loadBalancer, RetryPolicy retry, String mirrorCluster, List<CookieMatch> cookies) {
    this(name, owner, path, headers, method, backends, policy, loadBalancer, retry, mirrorCluster, cookies, null, null);
  }

  /** A route that matches no cookies, without cache and compression. */
  public Route(String name, String owner, PathMatch path, List<HeaderMatch> headers, String method, List<WeightedCluster> backends,
      RoutePolicy policy, LoadBalancer loadBalancer, RetryPolicy retry, String mirrorCluster) {
    this(name, owner, path, headers, method, backends, policy, loadBalancer, retry, mirrorCluster, List.of());
  }

  /** A route with the default load balancing, retries and no mirror. */
  public Route(String name, String owner, PathMatch path, List<HeaderMatch> headers, String method, List<WeightedCluster> backends,
      RoutePolicy policy) {
    this(name, owner, path, headers, method, backends, policy, null, null, null);
  }

  /** The same route with another policy, balancer, retries and mirror (nulls: defaults, no mirror). */
  public Route withTraffic(LoadBalancer loadBalancer, RetryPolicy retry, String mirrorCluster) {
    return new Route(name, owner, path, headers, method, backends, policy, loadBalancer, retry, mirrorCluster, cookies, cache, compression);
  }

  /** The same route with another policy. */
  public Route withPolicy(RoutePolicy policy) {
    return new Route(name, owner, path, headers, method, backends, policy, loadBalancer, retry, mirrorCluster, cookies, cache, compression);
  }

  /** The same route going to other backends. */
  public Route withBackends(List<WeightedCluster> backends) {
    return new Route(name, owner, path, headers, method, backends, policy, loadBalancer, retry, mirrorCluster, cookies, cache, compression);
  }

  /** The same route with this cache and compression (nulls: none). */
  public Route withCaching(CachePolicy cache, CompressionPolicy compression) {
    return new Route(name, owner, path, headers, method, backends, policy, loadBalancer, retry, mirrorCluster, cookies, cache, compression);
  }

  /** The same route under another name and owner. */
  public Route named(String name, String owner) {
    return new Route(name, owner, path, headers, method, backends, policy, loadBalancer, retry, mirrorCluster, cookies, cache, compression);
  }

  /** The same route matching these headers instead. */
  public Route withHeaders(List<HeaderMatch> headers) {
    return new Route(name, owner, path, headers, method, backends, policy, loadBalancer, retry, mirrorCluster, cookies, cache, compression);
  }

  /** The same route matching these cookies instead. */
  public Route withCookies(List<CookieMatch> cookies) {
    return new Route(name, owner, path, headers, method, backends, policy, loadBalancer, retry, mirrorCluster, cookies, cache, compression);
  }

  /** A route with the default policy. */
  public Route(String name, String owner, PathMatch path, List<HeaderMatch> headers, String method, List<WeightedCluster> backends) {
    this(name, owner, path, headers, method, backends, RoutePolicy.DEFAULT);
  }
}
