package dev.weir.controller.translate;

import dev.weir.controller.translate.Claims.RouteCandidate;
import dev.weir.snapshot.PathMatch;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.VirtualHost;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Groups the surviving route candidates into one {@link VirtualHost} per host name and orders each
 * host's routes by priority ({@link #ROUTE_ORDER}); virtual hosts are sorted by host, {@code *} last.
 * Records on each owner the names of the routes that made it into the snapshot. On a host without a
 * certificate, routes do not redirect to HTTPS ({@link HttpsRedirects#onHost}).
 */
final class VirtualHostBuilder {

  /** Sorted by name, except that the catch-all {@code *} comes last. */
  static final Comparator<String> HOST_ORDER =
      Comparator.comparing((String h) -> MatchRules.ANY_HOST.equals(h)).thenComparing(Comparator.naturalOrder());

  /**
   * Route priority within a virtual host, first wins:
   * <ol>
   *   <li>path kind: EXACT, then REGEX, then PREFIX (the dataplane's own lookup order);
   *   <li>PREFIX: longer value first; EXACT and PREFIX: then by value, which only groups equal paths
   *       (distinct exact or prefix paths never compete); REGEX keep the order below, which the
   *       dataplane follows;
   *   <li>more header matches first, then more cookie matches (so an ingress-nginx style canary by
   *       header wins over one by cookie, which wins over the weighted split), then a method before none;
   *   <li>owner precedence ({@link OwnerAge}: older first, then namespace/name, then kind);
   *   <li>rule index, then match index (an Ingress defaultBackend last), then route name.
   * </ol>
   */
  static final Comparator<RouteCandidate> ROUTE_ORDER =
      Comparator.comparingInt((RouteCandidate c) -> kindRank(c.route().path().type()))
          .thenComparingInt(c -> c.route().path().type() == PathMatch.Type.PREFIX ? -pathLength(c) : 0)
          .thenComparing(c -> c.route().path().type() == PathMatch.Type.REGEX ? "" : c.route().path().value())
          .thenComparingInt(c -> -c.route().headers().size())
          .thenComparingInt(c -> -c.route().cookies().size())
          .thenComparingInt(c -> c.route().method() == null ? 1 : 0)
          .thenComparing(c -> c.owner().age())
          .thenComparingInt(RouteCandidate::rule)
          .thenComparingInt(RouteCandidate::match)
          .thenComparing(c -> c.route().name());

  private VirtualHostBuilder() {}

  /**
   * @param tls the winning TLS claim (certificate, client validation) per host (hosts without routes get no virtual host)
   */
  static List<VirtualHost> build(List<RouteCandidate> candidates, Map<String, Claims.TlsClaim> tls) {
    Map<String, List<RouteCandidate>> byHost = new TreeMap<>(HOST_ORDER);
    for (RouteCandidate c : candidates) {
      byHost.computeIfAbsent(c.host(), k -> new ArrayList<>()).add(c);
    }
    List<VirtualHost> hosts = new ArrayList<>();
    for (Map.Entry<String, List<RouteCandidate>> e : byHost.entrySet()) {
      List<RouteCandidate> group = e.getValue();
      group.sort(ROUTE_ORDER);
      Claims.TlsClaim claim = tls.get(e.getKey());
      String certificate = claim == null ? null : claim.certificateName();
      List<Route> routes = new ArrayList<>();
      for (RouteCandidate c : group) {
        routes.add(HttpsRedirects.onHost(c.route(), certificate));
        c.owner().programmed(c.route().name());
      }
      hosts.add(new VirtualHost(e.getKey(), routes, certificate, claim == null ? null : claim.clientValidation()));
    }
    return hosts;
  }

  private static int pathLength(RouteCandidate c) {
    return c.route().path().value().length();
  }

  static int kindRank(PathMatch.Type type) {
    return switch (type) {
      case EXACT -> 0;
      case REGEX -> 1;
      case PREFIX -> 2;
    };
  }
}
