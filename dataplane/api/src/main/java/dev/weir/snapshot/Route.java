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
 */
public record Route(
    String name,
    String owner,
    PathMatch path,
    List<HeaderMatch> headers,
    String method,
    List<WeightedCluster> backends,
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = RoutePolicy.OmitDefault.class) RoutePolicy policy) {
  public Route {
    headers = headers == null ? List.of() : List.copyOf(headers);
    backends = backends == null ? List.of() : List.copyOf(backends);
    policy = policy == null ? RoutePolicy.DEFAULT : policy;
  }

  /** A route with the default policy. */
  public Route(String name, String owner, PathMatch path, List<HeaderMatch> headers, String method, List<WeightedCluster> backends) {
    this(name, owner, path, headers, method, backends, RoutePolicy.DEFAULT);
  }
}
