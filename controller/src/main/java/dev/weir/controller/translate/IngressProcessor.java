package dev.weir.controller.translate;

import dev.weir.crds.conditions.Reason;
import dev.weir.snapshot.ClientValidation;
import dev.weir.snapshot.CookieMatch;
import dev.weir.snapshot.HeaderMatch;
import dev.weir.snapshot.PathMatch;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.RoutePolicy;
import dev.weir.snapshot.UpstreamProtocol;
import dev.weir.snapshot.WeightedCluster;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressSpec;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code networking.k8s.io/v1} Ingress → route candidates and TLS claims, with the Kubernetes
 * documentation's semantics.
 *
 * <ul>
 *   <li>{@code rules[i].host} (none → {@code *}); {@code http.paths[j]} becomes route
 *       {@code ingress/<ns>/<name>/r<i>/p<j>}. pathType Exact → EXACT; Prefix and ImplementationSpecific
 *       → PREFIX (element-wise, a trailing slash normalised away except for "/"); a missing path is "/".
 *   <li>{@code spec.defaultBackend} → route {@code ingress/<ns>/<name>/default}, PathPrefix "/", on the
 *       {@code *} host and on each host of the Ingress's rules (skipped on a host where the Ingress already
 *       has a Prefix "/" path, which would shadow it).
 *   <li>{@code spec.tls[k]}: the Secret's certificate for {@code hosts} (none listed → every host of
 *       the rules); an entry without {@code secretName} is ignored. The routes on these hosts redirect
 *       plain HTTP to HTTPS (308) unless the annotations say otherwise; see {@link HttpsRedirects}.
 *   <li>Resource backends are not supported (Accepted=False, UnsupportedValue) and their path is dropped.
 *   <li>The {@link IngressAnnotations} set the policy of every route and the protocol (and TLS) of every
 *       backend; a backend whose CA Secret is missing or invalid is left out (ResolvedRefs=False). An
 *       Ingress with an invalid one is not served at all (Accepted=False names the annotation), as
 *       ingress-nginx rejects an Ingress whose annotations fail validation; it is still checked in full.
 *   <li>{@link IngressTraffic}: load balancing, affinity and retries of every route, likewise.
 *   <li>{@link IngressCaching}: the cache and compression of every route, likewise.
 *   <li>{@link IngressCanary}: a canary Ingress claims only header-matched routes of its own, and gives
 *       its weight to the primary's routes ({@link Canaries}).
 * </ul>
 */
final class IngressProcessor {
  static final String EXACT = "Exact";
  static final String PREFIX = "Prefix";
  static final String IMPLEMENTATION_SPECIFIC = "ImplementationSpecific";

  private final BackendResolver backends;
  private final TlsResolver tls;
  private final Claims claims;

  IngressProcessor(BackendResolver backends, TlsResolver tls, Claims claims) {
    this.backends = backends;
    this.tls = tls;
    this.claims = claims;
  }

  void process(Ingress ingress, ObjectStatus status) {
    IngressSpec spec = ingress.getSpec();
    List<IngressRule> rules = spec == null || spec.getRules() == null ? List.of() : spec.getRules();
    IngressAnnotations.Settings settings = IngressAnnotations.parse(ingress.getMetadata().getAnnotations(), status);
    if (spec == null || (rules.isEmpty() && spec.getDefaultBackend() == null)) {
      status.problem(Reason.Invalid, "spec: needs rules or a defaultBackend");
      return;
    }
    Optional<ClientValidation> clientAuth =
        IngressClientAuth.parse(ingress.getMetadata().getAnnotations(), status.ref().namespace(), tls, status);
    IngressTraffic.Traffic traffic = IngressTraffic.parse(ingress.getMetadata().getAnnotations(), status);
    IngressCanary.Canary canary = IngressCanary.parse(ingress.getMetadata().getAnnotations(), status);
    IngressCaching.Caching caching = IngressCaching.parse(ingress.getMetadata().getAnnotations(), status);
    // Invalid annotations: check everything else too (all problems at once), but claim nothing.
    Claims out = settings != null && clientAuth != null && traffic != null && canary != null && caching != null
        ? claims : new Claims();
    if (traffic == null) {
      traffic = IngressTraffic.Traffic.DEFAULT;
    }
    if (caching == null) {
      caching = IngressCaching.Caching.NONE;
    }
    if (canary == null) {
      canary = IngressCanary.Canary.OFF;
    }
    RoutePolicy policy = settings != null ? settings.policy() : RoutePolicy.DEFAULT;
    UpstreamProtocol protocol = settings != null ? settings.protocol() : null;
    UpstreamTlsRequest upstreamTls = settings != null ? settings.tls() : UpstreamTlsRequest.INGRESS_DEFAULT;
    // Claimed once spec.tls has said which hosts redirect.
    List<Claims.RouteCandidate> candidates = new ArrayList<>();
    Set<String> ruleHosts = new LinkedHashSet<>();
    Set<String> hostsWithRootPrefix = new LinkedHashSet<>();
    for (int i = 0; i < rules.size(); i++) {
      IngressRule rule = rules.get(i);
      String field = "spec.rules[" + i + "]";
      if (rule == null) {
        status.problem(Reason.Invalid, field + ": must be set");
        continue;
      }
      String host = rule.getHost() == null || rule.getHost().isEmpty() ? MatchRules.ANY_HOST : rule.getHost();
      String problem = MatchRules.checkHost(host);
      if (problem != null) {
        status.problem(Reason.Invalid, field + ".host: " + problem);
        continue;
      }
      ruleHosts.add(host);
      if (rule.getHttp() == null || rule.getHttp().getPaths() == null) {
        continue;
      }
      List<HTTPIngressPath> paths = rule.getHttp().getPaths();
      for (int j = 0; j < paths.size(); j++) {
        Route route = pathRoute(paths.get(j), field + ".http.paths[" + j + "]", status, policy, protocol, upstreamTls, i, j);
        if (route != null) {
          candidates.add(new Claims.RouteCandidate(host, route, status, i, j));
          if (route.path().equals(PathMatch.prefix("/"))) {
            hostsWithRootPrefix.add(host);
          }
        }
      }
    }
    if (spec.getDefaultBackend() != null) {
      List<WeightedCluster> weighted = backend(spec.getDefaultBackend(), "spec.defaultBackend", status, protocol, upstreamTls);
      if (weighted != null) {
        Route route = new Route(
            name(status, "default"), status.owner(), PathMatch.prefix("/"), List.of(), null, weighted, policy);
        Set<String> hosts = new LinkedHashSet<>();
        hosts.add(MatchRules.ANY_HOST);
        hosts.addAll(ruleHosts);
        hosts.removeAll(hostsWithRootPrefix);
        for (String host : hosts) {
          candidates.add(new Claims.RouteCandidate(host, route, status, Claims.RouteCandidate.DEFAULT_RULE, 0));
        }
      }
    }
    Set<String> tlsHosts = tls(spec.getTls(), ruleHosts, clientAuth == null ? null : clientAuth.orElse(null), status, out);
    int redirect = settings != null ? settings.httpsRedirectStatus() : 0;
    for (Claims.RouteCandidate c : candidates) {
      Route route = HttpsRedirects.withStatus(c.route(), tlsHosts.contains(c.host()) ? redirect : 0)
          .withTraffic(traffic.loadBalancer(), traffic.retry(), null)
          .withCaching(caching.cache(), caching.compression());
      if (!canary.on()) {
        out.route(c.host(), route, status, c.rule(), c.match());
        continue;
      }
      List<HeaderMatch> neverHeaders = List.of();
      List<CookieMatch> neverCookies = List.of();
      if (canary.header() != null) {
        Route byHeader = route.withHeaders(List.of(new HeaderMatch(canary.header(), canary.headerValue())));
        out.route(c.host(), byHeader, status, c.rule(), c.match());
        if (canary.headerNever()) {
          neverHeaders = List.of(new HeaderMatch(canary.header(), IngressCanary.NEVER));
        }
      }
      if (canary.cookie() != null) {
        // its own name: the same path may also have the by-header route
        Route byCookie = route.named(route.name() + "/cookie", route.owner())
            .withCookies(List.of(new CookieMatch(canary.cookie(), IngressCanary.ALWAYS)));
        out.route(c.host(), byCookie, status, c.rule(), c.match());
        neverCookies = List.of(new CookieMatch(canary.cookie(), IngressCanary.NEVER));
      }
      if (canary.weight() > 0) {
        out.canary(new Claims.CanaryCandidate(c.host(), route, status, canary.weight(), canary.total(),
            neverHeaders, neverCookies));
      }
    }
  }

  private Route pathRoute(HTTPIngressPath p, String field, ObjectStatus status, RoutePolicy policy,
      UpstreamProtocol protocol, UpstreamTlsRequest upstreamTls, int rule, int index) {
    if (p == null) {
      status.problem(Reason.Invalid, field + ": must be set");
      return null;
    }
    String pathType = p.getPathType() == null ? IMPLEMENTATION_SPECIFIC : p.getPathType();
    PathMatch.Type type;
    switch (pathType) {
      case EXACT -> type = PathMatch.Type.EXACT;
      case PREFIX, IMPLEMENTATION_SPECIFIC -> type = PathMatch.Type.PREFIX;
      default -> {
        status.problem(Reason.UnsupportedValue, field + ".pathType: unsupported value \"" + pathType
            + "\", want Exact, Prefix or ImplementationSpecific");
        return null;
      }
    }
    String value = p.getPath();
    if (type == PathMatch.Type.PREFIX && (value == null || value.isEmpty())) {
      value = "/";
    }
    String problem = MatchRules.checkPath(type, value);
    if (problem != null) {
      status.problem(Reason.Invalid, field + ".path: " + problem);
      return null;
    }
    if (type == PathMatch.Type.PREFIX) {
      value = MatchRules.normalisePrefix(value);
    }
    List<WeightedCluster> weighted = backend(p.getBackend(), field + ".backend", status, protocol, upstreamTls);
    if (weighted == null) {
      return null;
    }
    return new Route(name(status, "r" + rule + "/p" + index), status.owner(), new PathMatch(type, value),
        List.of(), null, weighted, policy);
  }

  /**
   * The weighted list for one Ingress backend: one cluster, or empty when the Service or port is
   * missing, or its CA Secret (the route is still served, with 503). Null when the backend cannot be served at all.
   */
  private List<WeightedCluster> backend(IngressBackend backend, String field, ObjectStatus status,
      UpstreamProtocol protocol, UpstreamTlsRequest upstreamTls) {
    if (backend == null) {
      status.problem(Reason.Invalid, field + ": must be set");
      return null;
    }
    if (backend.getResource() != null) {
      status.problem(Reason.UnsupportedValue, field + ".resource: resource backends are not supported");
      return null;
    }
    IngressServiceBackend svc = backend.getService();
    if (svc == null || svc.getName() == null || svc.getName().isEmpty()) {
      status.problem(Reason.Invalid, field + ".service.name: must be set");
      return null;
    }
    String ns = status.ref().namespace();
    BackendResolver.Resolution r;
    String portField;
    if (svc.getPort() != null && svc.getPort().getNumber() != null) {
      r = backends.byNumber(ns, svc.getName(), svc.getPort().getNumber(), protocol, upstreamTls);
      portField = ".service.port.number";
    } else if (svc.getPort() != null && svc.getPort().getName() != null && !svc.getPort().getName().isEmpty()) {
      r = backends.byName(ns, svc.getName(), svc.getPort().getName(), protocol, upstreamTls);
      portField = ".service.port.name";
    } else {
      status.problem(Reason.Invalid, field + ".service.port: number or name is required");
      return null;
    }
    r.serviceProblems().forEach(m -> status.problem(Reason.InvalidServiceAnnotation, m));
    if (r.ok()) {
      return List.of(new WeightedCluster(r.clusterName(), 1));
    }
    if (r.reason() == Reason.SecretNotFound || r.reason() == Reason.InvalidCertificate) {
      // Every backend names the same Secret; one message for all of them.
      status.problem(r.reason(), IngressAnnotations.field(IngressAnnotations.PROXY_SSL_SECRET) + ": " + r.message());
      return List.of();
    }
    String where = r.reason() == Reason.PortNotFound ? portField : ".service.name";
    status.problem(r.reason(), field + where + ": " + r.message());
    return r.reason() == Reason.UnsupportedValue ? null : List.of();
  }

  /** Claims the certificates; returns the hosts that {@code spec.tls} lists (with a Secret, usable or not). */
  /** @param clientValidation what the TLS hosts ask of clients (the auth-tls annotations), or null */
  private Set<String> tls(List<IngressTLS> entries, Set<String> ruleHosts, ClientValidation clientValidation, ObjectStatus status, Claims out) {
    Set<String> tlsHosts = new LinkedHashSet<>();
    if (entries == null) {
      return tlsHosts;
    }
    for (int k = 0; k < entries.size(); k++) {
      IngressTLS entry = entries.get(k);
      String field = "spec.tls[" + k + "]";
      if (entry == null || entry.getSecretName() == null || entry.getSecretName().isEmpty()) {
        continue;
      }
      List<String> hosts = new ArrayList<>();
      if (entry.getHosts() == null || entry.getHosts().isEmpty()) {
        ruleHosts.stream().filter(h -> !MatchRules.ANY_HOST.equals(h)).forEach(hosts::add);
      } else {
        for (int m = 0; m < entry.getHosts().size(); m++) {
          String problem = MatchRules.checkHost(entry.getHosts().get(m));
          if (problem == null) {
            hosts.add(entry.getHosts().get(m));
          } else {
            status.problem(Reason.Invalid, field + ".hosts[" + m + "]: " + problem);
          }
        }
      }
      tlsHosts.addAll(hosts);
      TlsResolver.Resolution cert = tls.resolve(status.ref().namespace(), entry.getSecretName());
      if (!cert.ok()) {
        status.problem(cert.reason(), field + ".secretName: " + cert.message());
        continue;
      }
      for (String host : hosts) {
        out.tls(host, cert.certificateName(), clientValidation, status, field + ".secretName");
      }
    }
    return tlsHosts;
  }

  private static String name(ObjectStatus status, String suffix) {
    return "ingress/" + status.ref().namespace() + "/" + status.ref().name() + "/" + suffix;
  }
}
