package dev.weir.snapshot;

import java.util.List;

/**
 * The routes for one host name.
 *
 * @param host an exact name ({@code shop.example.com}), a wildcard that matches exactly one extra
 *     leading label ({@code *.example.com}), or {@code *} for requests whose host matches nothing else
 * @param routes in priority order: the dataplane tries them in this order within each path bucket
 *     (exact paths, then prefixes longest first, then regular expressions)
 * @param tlsCertificate name of an entry in {@link Snapshot#certificates()}, or null for plain HTTP only
 */
public record VirtualHost(String host, List<Route> routes, String tlsCertificate) {
  public VirtualHost {
    routes = routes == null ? List.of() : List.copyOf(routes);
  }
}
