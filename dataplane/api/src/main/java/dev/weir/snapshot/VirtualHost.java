package dev.weir.snapshot;

import java.util.List;

/**
 * The routes for one host name.
 *
 * @param host an exact name ({@code shop.example.com}), a wildcard that matches exactly one extra
 *     leading label ({@code *.example.com}), or {@code *} for requests whose host matches nothing else
 * @param routes in priority order. Path kinds are tried as nginx tries locations: EXACT matches first,
 *     then REGEX routes in list order, then PREFIX routes longest first. Among routes with the same path
 *     (or, for regexes, in list order) the first whose headers and method also match wins; when none
 *     does, the search goes on to the next candidate path.
 * @param tlsCertificate name of an entry in {@link Snapshot#certificates()}, or null for plain HTTP only
 * @param clientValidation client certificates demanded over HTTPS (only with a certificate), or null for none.
 *     Requests for such a host are served only on connections whose handshake was made for it (SNI), and
 *     never over plain HTTP, so a client cannot skip the check by naming another host in SNI.
 */
public record VirtualHost(String host, List<Route> routes, String tlsCertificate, ClientValidation clientValidation) {
  public VirtualHost {
    routes = routes == null ? List.of() : List.copyOf(routes);
  }

  /** A virtual host without client certificate validation. */
  public VirtualHost(String host, List<Route> routes, String tlsCertificate) {
    this(host, routes, tlsCertificate, null);
  }
}
