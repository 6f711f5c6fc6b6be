package dev.weir.controller.translate;

import dev.weir.snapshot.ClientValidation;
import dev.weir.snapshot.CookieMatch;
import dev.weir.snapshot.HeaderMatch;
import dev.weir.snapshot.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What the processors produce before objects are merged: route candidates per host and TLS claims
 * per host. Conflicts between objects are settled afterwards, by {@link ConflictResolver}.
 */
final class Claims {

  /**
   * One route offered for one host by one object.
   *
   * @param rule index of the rule (Ingress: of {@code spec.rules}); {@link #DEFAULT_RULE} for an Ingress defaultBackend
   * @param match index of the match within the rule (Ingress: of {@code http.paths})
   */
  record RouteCandidate(String host, Route route, ObjectStatus owner, int rule, int match) {
    static final int DEFAULT_RULE = Integer.MAX_VALUE;

    /**
     * Two candidates with equal keys match exactly the same requests: same host, path kind and value,
     * header set (names are already lowercase and sorted) and method.
     */
    String matchKey() {
      return host + "\n" + route.path().type() + "\n" + route.path().value() + "\n" + route.headers() + "\n"
          + route.cookies() + "\n" + (route.method() == null ? "" : route.method());
    }

    /** E.g. {@code host shop.example.com PathPrefix /api with headers x-canary=1 and method GET}. */
    String describe() {
      StringBuilder s = new StringBuilder("host ").append(host).append(' ').append(MatchRules.describe(route.path()));
      if (!route.headers().isEmpty()) {
        s.append(" with header").append(route.headers().size() > 1 ? "s " : " ")
            .append(route.headers().stream().map(h -> h.name() + "=" + h.value()).collect(Collectors.joining(", ")));
      }
      if (!route.cookies().isEmpty()) {
        s.append(route.headers().isEmpty() ? " with cookie" : " and cookie").append(route.cookies().size() > 1 ? "s " : " ")
            .append(route.cookies().stream().map(c -> c.name() + "=" + c.value()).collect(Collectors.joining(", ")));
      }
      if (route.method() != null) {
        s.append(route.headers().isEmpty() && route.cookies().isEmpty() ? " with method " : " and method ").append(route.method());
      }
      return s.toString();
    }
  }

  /** An object asks for {@code certificateName} on {@code host}; {@code field} names where it asked. */
  /** @param clientValidation client certificates the host asks for, or null */
  record TlsClaim(String host, String certificateName, ClientValidation clientValidation, ObjectStatus owner, String field) {}

  /**
   * A canary Ingress's route (its host, path and backends) whose traffic share goes into the primary's
   * route ({@link Canaries}): {@code weight} out of {@code total}. Requests with one of the
   * {@code never} header or cookie values keep to the primary's own backends.
   */
  record CanaryCandidate(String host, Route route, ObjectStatus owner, int weight, int total,
      List<HeaderMatch> neverHeaders, List<CookieMatch> neverCookies) {}

  private final List<RouteCandidate> routes = new ArrayList<>();
  private final List<CanaryCandidate> canaries = new ArrayList<>();
  private final List<TlsClaim> tls = new ArrayList<>();

  void route(String host, Route route, ObjectStatus owner, int rule, int match) {
    routes.add(new RouteCandidate(host, route, owner, rule, match));
  }

  void tls(String host, String certificateName, ObjectStatus owner, String field) {
    tls(host, certificateName, null, owner, field);
  }

  void tls(String host, String certificateName, ClientValidation clientValidation, ObjectStatus owner, String field) {
    tls.add(new TlsClaim(host, certificateName, clientValidation, owner, field));
  }

  void canary(CanaryCandidate canary) {
    canaries.add(canary);
  }

  List<CanaryCandidate> canaries() {
    return canaries;
  }

  List<RouteCandidate> routes() {
    return routes;
  }

  List<TlsClaim> tls() {
    return tls;
  }

  static List<CookieMatch> canonicalCookies(List<CookieMatch> cookies) {
    return cookies.stream()
        .distinct()
        .sorted(java.util.Comparator.comparing(CookieMatch::name).thenComparing(CookieMatch::value))
        .toList();
  }

  static List<HeaderMatch> canonicalHeaders(List<HeaderMatch> headers) {
    return headers.stream()
        .distinct()
        .sorted(java.util.Comparator.comparing(HeaderMatch::name).thenComparing(HeaderMatch::value))
        .toList();
  }
}
