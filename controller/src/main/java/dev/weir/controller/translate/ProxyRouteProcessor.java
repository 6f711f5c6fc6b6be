package dev.weir.controller.translate;


import dev.weir.crds.conditions.Reason;
import dev.weir.crds.v1alpha1.BackendTls;
import dev.weir.crds.v1alpha1.NameValueMatch;
import dev.weir.crds.v1alpha1.ProxyRoute;
import dev.weir.crds.v1alpha1.ProxyRouteSpec;
import dev.weir.crds.v1alpha1.RouteBackend;
import dev.weir.crds.v1alpha1.RouteMatch;
import dev.weir.crds.v1alpha1.RouteRule;
import dev.weir.crds.v1alpha1.RouteTimeouts;
import dev.weir.crds.v1alpha1.RouteMirror;
import dev.weir.snapshot.CachePolicy;
import dev.weir.snapshot.ClientValidation;
import dev.weir.snapshot.CompressionPolicy;
import dev.weir.snapshot.CookieMatch;
import dev.weir.snapshot.LoadBalancer;
import dev.weir.snapshot.RetryPolicy;
import dev.weir.snapshot.PathMatch;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.RoutePolicy;
import dev.weir.snapshot.UpstreamProtocol;
import dev.weir.snapshot.WeightedCluster;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One ProxyRoute → route candidates and TLS claims.
 *
 * <p>Each rule × match becomes one snapshot route named {@code proxyroute/<ns>/<name>/r<i>/m<j>}, shared
 * by the virtual hosts of all the route's hosts. A rule without matches, or a match without a path,
 * matches PathPrefix "/". Invalid hosts and matches are dropped with Accepted=False (Invalid); the rest
 * is served. A rule's {@code timeouts} and {@code maxRequestBodySize} become the {@link RoutePolicy} of
 * each of its routes; a rule with an invalid one is not served at all (Accepted=False, Invalid): serving
 * it without the limit its author asked for would be worse. Backends whose Service or port is missing
 * are left out of the weighted list (ResolvedRefs=False); a route with none left is still programmed, and
 * the dataplane answers 503. So are backends whose {@code tls.caSecretName} is missing or invalid (they are
 * never reached unverified instead), and, with Accepted=False, backends with an invalid {@code tls}.
 *
 * <p>With {@code spec.tls}, each route's policy asks for the redirect of plain HTTP to HTTPS
 * ({@code spec.tls.redirect}, 308 by default) unless its rule says {@code permitInsecure}; see
 * {@link HttpsRedirects} for when it is kept. An unsupported {@code redirect.statusCode} (which the CRD
 * rejects) means no rule is served, for the same reason as an invalid timeout.
 *
 * <p>A rule's {@code loadBalancer} and {@code retries} ({@link ProxyRouteTraffic}) and {@code mirror} set the
 * route's {@link LoadBalancer}, {@link RetryPolicy} and mirror cluster; an invalid one means the rule is not
 * served (Accepted=False), as with timeouts. A mirror whose Service or port is missing is left out
 * (ResolvedRefs=False) and the rule served without it. Invalid {@code weir.dev/} annotations of a backend or
 * mirror Service ({@link ServiceAnnotations}) are reported on the route (ResolvedRefs=False,
 * InvalidServiceAnnotation) while the Service is used with the defaults for them.
 *
 * <p>A rule's {@code cache} and {@code compression} ({@link ProxyRouteCaching}) become the
 * {@link CachePolicy} and {@link CompressionPolicy} of each of its routes ({@code enabled: false}: none); an
 * invalid one means the rule is not served (Accepted=False), as with timeouts.
 */
final class ProxyRouteProcessor {
  private final BackendResolver backends;
  private final TlsResolver tls;
  private final Claims claims;

  ProxyRouteProcessor(BackendResolver backends, TlsResolver tls, Claims claims) {
    this.backends = backends;
    this.tls = tls;
    this.claims = claims;
  }

  void process(ProxyRoute route, ObjectStatus status) {
    ProxyRouteSpec spec = route.getSpec();
    if (spec == null) {
      status.problem(Reason.Invalid, "spec: must be set");
      return;
    }
    String ns = status.ref().namespace();
    List<String> hosts = hosts(spec.getHosts(), status);
    if (spec.getTls() != null && spec.getTls().getSecretName() != null && !spec.getTls().getSecretName().isEmpty()) {
      TlsResolver.Resolution cert = tls.resolve(ns, spec.getTls().getSecretName());
      Optional<ClientValidation> validation = clientValidation(ns, spec.getTls().getClientValidation(), status);
      if (!cert.ok()) {
        status.problem(cert.reason(), "spec.tls.secretName: " + cert.message());
      } else if (validation != null) {
        for (String host : hosts) {
          claims.tls(host, cert.certificateName(), validation.orElse(null), status, "spec.tls.secretName");
        }
      }
      if (validation == null || (!cert.ok() && validation.isPresent())) {
        return; // client certificates asked for but not checkable: serve nothing of the route
      }
    }
    int redirect = HttpsRedirects.forProxyRoute(spec.getTls(), status);
    List<RouteRule> rules = spec.getRules() == null ? List.of() : spec.getRules();
    if (rules.isEmpty()) {
      status.problem(Reason.Invalid, "spec.rules: at least one rule is required");
    }
    for (int i = 0; i < rules.size(); i++) {
      RouteRule rule = rules.get(i);
      String field = "spec.rules[" + i + "]";
      if (rule == null) {
        status.problem(Reason.Invalid, field + ": must be set");
        continue;
      }
      RoutePolicy policy = policy(rule, field, status);
      if (policy != null && redirect > 0 && !Boolean.TRUE.equals(rule.getPermitInsecure())) {
        policy = policy.withHttpsRedirect(redirect);
      }
      LoadBalancer balancer = ProxyRouteTraffic.loadBalancer(rule.getLoadBalancer(), field + ".loadBalancer", status);
      RetryPolicy retry = ProxyRouteTraffic.retries(rule.getRetries(), field + ".retries", status);
      Optional<String> mirror = mirror(rule.getMirror(), ns, field + ".mirror", status);
      Optional<CachePolicy> cache = ProxyRouteCaching.cache(rule.getCache(), field + ".cache", status);
      Optional<CompressionPolicy> compression =
          ProxyRouteCaching.compression(rule.getCompression(), field + ".compression", status);
      boolean servable = policy != null && balancer != null && retry != null && mirror != null
          && cache != null && compression != null;
      List<WeightedCluster> weighted = backends(rule.getBackends(), ns, field, status);
      List<RouteMatch> matches = rule.getMatches() == null || rule.getMatches().isEmpty()
          ? Collections.singletonList(null)
          : rule.getMatches();
      for (int j = 0; j < matches.size(); j++) {
        Route r = route(matches.get(j), field + ".matches[" + j + "]", status, weighted, policy, i, j);
        if (r != null && servable && redirect >= 0) {
          r = r.withTraffic(balancer, retry, mirror.orElse(null))
              .withCaching(cache.orElse(null), compression.orElse(null));
          for (String host : hosts) {
            claims.route(host, r, status, i, j);
          }
        }
      }
    }
  }

  private static List<String> hosts(List<String> hosts, ObjectStatus status) {
    if (hosts == null || hosts.isEmpty()) {
      status.problem(Reason.Invalid, "spec.hosts: at least one host is required");
      return List.of();
    }
    Set<String> valid = new LinkedHashSet<>();
    for (int i = 0; i < hosts.size(); i++) {
      String problem = MatchRules.checkHost(hosts.get(i));
      if (problem == null) {
        valid.add(hosts.get(i));
      } else {
        status.problem(Reason.Invalid, "spec.hosts[" + i + "]: " + problem);
      }
    }
    return List.copyOf(valid);
  }

  private List<WeightedCluster> backends(List<RouteBackend> list, String ns, String ruleField, ObjectStatus status) {
    if (list == null || list.isEmpty()) {
      status.problem(Reason.Invalid, ruleField + ".backends: at least one backend is required");
      return List.of();
    }
    List<WeightedCluster> weighted = new ArrayList<>();
    for (int k = 0; k < list.size(); k++) {
      RouteBackend b = list.get(k);
      String field = ruleField + ".backends[" + k + "]";
      if (b == null || b.getService() == null || b.getService().isEmpty() || b.getPort() == null) {
        status.problem(Reason.Invalid, field + ": service and port are required");
        continue;
      }
      int weight = b.getWeight() == null ? 1 : b.getWeight();
      if (weight < 0) {
        status.problem(Reason.Invalid, field + ".weight: must not be negative, got " + weight);
        continue;
      }
      UpstreamProtocol protocol = null;
      if (b.getProtocol() != null) {
        protocol = UpstreamProtocols.fromProxyRoute(b.getProtocol());
        if (protocol == null) {
          status.problem(Reason.UnsupportedValue,
              field + ".protocol: unsupported value \"" + b.getProtocol() + "\", want HTTP1, H2C or GRPC");
          continue;
        }
      }
      UpstreamTlsRequest tls = tls(b.getTls(), field + ".tls", status);
      if (tls == null) {
        continue;
      }
      BackendResolver.Resolution r = backends.byNumber(ns, b.getService(), b.getPort(), protocol, tls);
      r.serviceProblems().forEach(m -> status.problem(Reason.InvalidServiceAnnotation, m));
      if (r.ok()) {
        weighted.add(new WeightedCluster(r.clusterName(), weight));
      } else if (r.reason() == Reason.SecretNotFound || r.reason() == Reason.InvalidCertificate) {
        status.problem(r.reason(), field + ".tls.caSecretName: " + r.message());
      } else {
        status.problem(r.reason(), field + ": " + r.message());
      }
    }
    return weighted;
  }

  /**
   * The rule's mirror cluster: empty for none, or when its Service or port is missing (ResolvedRefs=False;
   * the rule is served without the copy, which never decides a client's answer); null when invalid.
   */
  private Optional<String> mirror(RouteMirror mirror, String ns, String field, ObjectStatus status) {
    if (mirror == null) {
      return Optional.empty();
    }
    if (mirror.getService() == null || mirror.getService().isEmpty() || mirror.getPort() == null) {
      status.problem(Reason.Invalid, field + ": service and port are required");
      return null;
    }
    BackendResolver.Resolution r =
        backends.byNumber(ns, mirror.getService(), mirror.getPort(), null, UpstreamTlsRequest.PROXY_ROUTE_DEFAULT);
    r.serviceProblems().forEach(m -> status.problem(Reason.InvalidServiceAnnotation, m));
    if (!r.ok()) {
      status.problem(r.reason(), field + ": " + r.message());
      return Optional.empty();
    }
    return Optional.of(r.clusterName());
  }

  /**
   * A backend's {@code tls} as a request: absent, the Service port's appProtocol decides (and then
   * verifies against the default trust store); present, TLS. Null (with problems recorded) when invalid.
   */
  private static UpstreamTlsRequest tls(BackendTls tls, String field, ObjectStatus status) {
    if (tls == null) {
      return UpstreamTlsRequest.PROXY_ROUTE_DEFAULT;
    }
    boolean valid = true;
    boolean insecure = Boolean.TRUE.equals(tls.getInsecureSkipVerify());
    if (tls.getCaSecretName() != null) {
      String problem = UpstreamTlsRequest.checkSecretName(tls.getCaSecretName());
      if (problem != null) {
        status.problem(Reason.Invalid, field + ".caSecretName: " + problem);
        valid = false;
      } else if (insecure) {
        status.problem(Reason.Invalid, field + ": caSecretName and insecureSkipVerify: true exclude each other");
        valid = false;
      }
    }
    if (tls.getServerName() != null) {
      String problem = UpstreamTlsRequest.checkServerName(tls.getServerName());
      if (problem != null) {
        status.problem(Reason.Invalid, field + ".serverName: " + problem);
        valid = false;
      }
    }
    return valid
        ? new UpstreamTlsRequest(UpstreamTlsRequest.Mode.ON, tls.getCaSecretName(), tls.getServerName(), !insecure)
        : null;
  }

  /**
   * The rule's timeouts and body size limit, or null (with problems recorded) when one of them is invalid.
   * A {@code request} timeout of 0 means "none", as does a size of 0; {@code backendConnect} and
   * {@code idle} must be above 0 (omitted means the dataplane's default, which the snapshot says with 0).
   */
  private static RoutePolicy policy(RouteRule rule, String ruleField, ObjectStatus status) {
    boolean valid = true;
    long request = 0;
    long connect = 0;
    long idle = 0;
    long body = 0;
    RouteTimeouts t = rule.getTimeouts();
    if (t != null) {
      String field = ruleField + ".timeouts";
      Parsed p;
      if (t.getRequest() != null) {
        p = Durations.parse(t.getRequest());
        valid &= check(p, t.getRequest(), false, field + ".request", status);
        request = p.value();
      }
      if (t.getBackendConnect() != null) {
        p = Durations.parse(t.getBackendConnect());
        valid &= check(p, t.getBackendConnect(), true, field + ".backendConnect", status);
        connect = p.value();
      }
      if (t.getIdle() != null) {
        p = Durations.parse(t.getIdle());
        valid &= check(p, t.getIdle(), true, field + ".idle", status);
        idle = p.value();
      }
    }
    if (rule.getMaxRequestBodySize() != null) {
      Parsed p = Quantities.parseBytes(rule.getMaxRequestBodySize());
      valid &= check(p, rule.getMaxRequestBodySize(), false, ruleField + ".maxRequestBodySize", status);
      body = p.value();
    }
    return valid ? new RoutePolicy(request, connect, idle, body) : null;
  }

  private static boolean check(Parsed p, String text, boolean positive, String field, ObjectStatus status) {
    if (!p.ok()) {
      status.problem(Reason.Invalid, field + ": " + p.problem());
      return false;
    }
    if (positive && p.value() == 0) {
      status.problem(Reason.Invalid,
          field + ": \"" + text + "\" must be above 0 (omit the field for the dataplane's default)");
      return false;
    }
    return true;
  }

  /** The snapshot route for one match, or null (with a problem recorded) when the match is invalid. */
  private static Route route(RouteMatch match, String field, ObjectStatus status, List<WeightedCluster> weighted,
      RoutePolicy policy, int rule, int index) {
    PathMatch path = PathMatch.prefix("/");
    List<dev.weir.snapshot.HeaderMatch> headers = new ArrayList<>();
    String method = null;
    boolean valid = true;
    if (match != null && match.getPath() != null) {
      path = path(match.getPath(), field + ".path", status);
      valid = path != null;
    }
    if (match != null) {
      valid &= pairs(match.getHeaders(), field + ".headers", status, MatchRules::checkHeaderName,
          h -> new dev.weir.snapshot.HeaderMatch(h.getName().toLowerCase(Locale.ROOT), h.getValue()), headers);
    }
    List<CookieMatch> cookies = new ArrayList<>();
    if (match != null) {
      valid &= pairs(match.getCookies(), field + ".cookies", status, MatchRules::checkCookieName,
          c -> new CookieMatch(c.getName(), c.getValue()), cookies);
    }
    if (match != null && match.getMethod() != null) {
      method = match.getMethod();
      String problem = MatchRules.checkMethod(method);
      if (problem != null) {
        status.problem(Reason.Invalid, field + ".method: " + problem);
        valid = false;
      }
    }
    if (!valid) {
      return null;
    }
    String name = "proxyroute/" + status.ref().namespace() + "/" + status.ref().name() + "/r" + rule + "/m" + index;
    return new Route(name, status.owner(), path, Claims.canonicalHeaders(headers), method, weighted, policy)
        .withCookies(Claims.canonicalCookies(cookies));
  }

  /**
   * Header or cookie matches: each needs a valid name ({@code checkName} gives the problem, or null) and
   * a value; the valid ones go to {@code out}. False when any is invalid (each problem recorded).
   */
  private static <M extends NameValueMatch, T> boolean pairs(List<M> given, String field, ObjectStatus status,
      Function<String, String> checkName, Function<M, T> convert, List<T> out) {
    boolean valid = true;
    for (int k = 0; given != null && k < given.size(); k++) {
      M m = given.get(k);
      String problem = m == null ? "name and value are required" : checkName.apply(m.getName());
      if (problem == null && m.getValue() == null) {
        problem = "value is required";
      }
      if (problem != null) {
        status.problem(Reason.Invalid, field + "[" + k + "]: " + problem);
        valid = false;
      } else {
        out.add(convert.apply(m));
      }
    }
    return valid;
  }

  private static PathMatch path(dev.weir.crds.v1alpha1.PathMatch p, String field, ObjectStatus status) {
    dev.weir.crds.v1alpha1.PathMatch.Type given =
        p.getType() == null ? dev.weir.crds.v1alpha1.PathMatch.Type.PathPrefix : p.getType();
    PathMatch.Type type = switch (given) {
      case Exact -> PathMatch.Type.EXACT;
      case PathPrefix -> PathMatch.Type.PREFIX;
      case RegularExpression -> PathMatch.Type.REGEX;
    };
    String problem = MatchRules.checkPath(type, p.getValue());
    if (problem != null) {
      status.problem(Reason.Invalid, field + ".value: " + problem);
      return null;
    }
    String value = type == PathMatch.Type.PREFIX ? MatchRules.normalisePrefix(p.getValue()) : p.getValue();
    return new PathMatch(type, value);
  }

  /**
   * The route's client validation: empty for none, null when it names a CA that cannot be used.
   * Then nothing of the route is served (fail closed: neither TLS without the client check it asks
   * for, nor plain HTTP); the reason is in ResolvedRefs.
   */
  private Optional<ClientValidation> clientValidation(String ns, dev.weir.crds.v1alpha1.ClientValidation spec, ObjectStatus status) {
    if (spec == null) {
      return Optional.empty();
    }
    if (spec.getCaSecretName() == null || spec.getCaSecretName().isBlank()) {
      status.problem(Reason.Invalid, "spec.tls.clientValidation.caSecretName: must be set");
      return null;
    }
    TlsResolver.CaResolution ca = tls.resolveCa(ns, spec.getCaSecretName());
    if (!ca.ok()) {
      status.problem(ca.reason(), "spec.tls.clientValidation.caSecretName: " + ca.message());
      return null;
    }
    return Optional.of(new ClientValidation(ca.pem(), Boolean.TRUE.equals(spec.getOptional())));
  }
}
