package dev.weir.dataplane.routing;

import dev.weir.snapshot.ClientValidation;
import dev.weir.snapshot.Route;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The routes of one virtual host, indexed as nginx orders locations: EXACT paths (hash map), then
 * REGEX routes in snapshot order (only hosts that have any pay for them), then PREFIX routes longest
 * first (segment trie).
 */
final class PathIndex {

  private record RegexRoute(Pattern pattern, RouteMatch route) {}

  private final Map<String, List<RouteMatch>> exact = new HashMap<>();
  private final List<RegexRoute> regexes = new ArrayList<>();
  private final PrefixTrie prefixes = new PrefixTrie();

  PathIndex(String virtualHost, List<Route> routes) {
    this(virtualHost, routes, null);
  }

  /** @param clientValidation the virtual host's client certificate demand, handed to every match (null: none) */
  PathIndex(String virtualHost, List<Route> routes, ClientValidation clientValidation) {
    for (Route route : routes) {
      RouteMatch compiled = new RouteMatch(virtualHost, route, clientValidation);
      String value = route.path() == null || route.path().value() == null ? "/" : route.path().value();
      switch (route.path() == null ? dev.weir.snapshot.PathMatch.Type.PREFIX : route.path().type()) {
        case EXACT -> exact.computeIfAbsent(value, v -> new ArrayList<>(1)).add(compiled);
        case REGEX -> regexes.add(new RegexRoute(Pattern.compile(value), compiled));
        case PREFIX -> prefixes.add(value, compiled);
      }
    }
  }

  RouteMatch match(String path, String method, HeaderLookup headers) {
    RouteMatch found = first(exact.get(path), method, headers);
    if (found != null) {
      return found;
    }
    for (RegexRoute r : regexes) {
      if (r.route().accepts(method, headers) && r.pattern().matcher(path).matches()) {
        return r.route();
      }
    }
    for (List<RouteMatch> candidates : prefixes.candidates(path)) {
      found = first(candidates, method, headers);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static RouteMatch first(List<RouteMatch> candidates, String method, HeaderLookup headers) {
    if (candidates != null) {
      for (RouteMatch r : candidates) {
        if (r.accepts(method, headers)) {
          return r;
        }
      }
    }
    return null;
  }
}
