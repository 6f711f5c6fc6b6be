package dev.weir.dataplane.config;

import dev.weir.dataplane.routing.HostNames;
import dev.weir.dataplane.tls.ServerContextCache;
import dev.weir.dataplane.tls.TlsPolicy;
import dev.weir.dataplane.upstream.UpstreamCluster;
import dev.weir.dataplane.upstream.UpstreamTlsContext;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.CookieMatch;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.HeaderMatch;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.TlsCertificate;
import dev.weir.snapshot.VirtualHost;
import dev.weir.snapshot.WeightedCluster;
import io.netty.handler.ssl.SslContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Everything that would stop a snapshot from being applied, as human-readable problems (one line
 * each, naming the virtual host, route, cluster or certificate), TLS material included: a certificate or
 * an upstream CA bundle that does not parse is a NACK, never a cluster silently spoken to unverified. All problems are collected, not
 * only the first, so one NACK tells the controller everything that is wrong.
 */
public final class SnapshotValidator {

  private static final Pattern HOST = Pattern.compile("(\\*|(\\*\\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*)");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private SnapshotValidator() {}

  /**
   * All problems of {@code snapshot}, including certificates that do not parse or match their key and
   * upstream CA bundles that do not parse; empty when it can be applied.
   */
  public static List<String> validate(Snapshot snapshot) {
    List<String> problems = validateStructure(snapshot);
    buildCertificates(snapshot, problems);
    buildUpstreamTls(snapshot, Map.of(), problems);
    return problems;
  }

  /** Problems other than TLS material (which {@link #buildCertificates} checks while building). */
  static List<String> validateStructure(Snapshot snapshot) {
    List<String> problems = new ArrayList<>();
    Set<String> clusters = new HashSet<>();
    for (Cluster c : snapshot.clusters()) {
      checkCluster(c, clusters, problems);
    }
    Set<String> certificates = new HashSet<>();
    for (TlsCertificate cert : snapshot.certificates()) {
      if (cert.name() == null || cert.name().isBlank()) {
        problems.add("certificate with no name");
      } else if (!certificates.add(cert.name())) {
        problems.add("certificate " + cert.name() + ": duplicate name");
      }
    }
    if (snapshot.defaultCertificate() != null && !certificates.contains(snapshot.defaultCertificate())) {
      problems.add("default certificate " + snapshot.defaultCertificate() + " is not among the certificates");
    }
    Set<String> hosts = new HashSet<>();
    for (VirtualHost vh : snapshot.virtualHosts()) {
      checkVirtualHost(vh, hosts, clusters, certificates, problems);
    }
    return problems;
  }

  /**
   * Builds the context of every certificate, adding a problem for each that fails. The result
   * holds the ones that were built, by name.
   */
  static Map<String, SslContext> buildCertificates(Snapshot snapshot, List<String> problems) {
    return buildCertificates(snapshot, TlsPolicy.DEFAULT, problems);
  }

  static Map<String, SslContext> buildCertificates(Snapshot snapshot, TlsPolicy policy, List<String> problems) {
    Map<String, SslContext> built = new LinkedHashMap<>();
    new ServerContextCache(policy).contexts(snapshot, problems).forEach((key, ctx) -> {
      if (key.validation() == null) {
        built.put(key.certificate().name(), ctx);
      }
    });
    return built;
  }

  /**
   * Builds the client TLS context of every cluster with {@code tls}, adding a problem naming the cluster
   * for each that fails. Contexts of {@code previous} (the applied config's) with equal settings are
   * reused, so that an unchanged cluster neither rebuilds its context nor loses its pooled connections;
   * clusters with equal settings share one. The result is by cluster name.
   */
  static Map<String, UpstreamTlsContext> buildUpstreamTls(
      Snapshot snapshot, Map<UpstreamTlsContext.Key, UpstreamTlsContext> previous, List<String> problems) {
    Map<UpstreamTlsContext.Key, UpstreamTlsContext> known = new HashMap<>(previous);
    Map<String, UpstreamTlsContext> byCluster = new HashMap<>();
    for (Cluster c : snapshot.clusters()) {
      if (c.tls() == null || c.name() == null) {
        continue;
      }
      UpstreamTlsContext.Key key = new UpstreamTlsContext.Key(c.tls(), c.protocol());
      UpstreamTlsContext context = known.get(key);
      if (context == null) {
        try {
          context = UpstreamTlsContext.build(key);
        } catch (IllegalArgumentException e) {
          problems.add("cluster " + c.name() + ": " + e.getMessage());
          continue;
        }
        known.put(key, context);
      }
      byCluster.put(c.name(), context);
    }
    return byCluster;
  }

  private static void checkCluster(Cluster c, Set<String> names, List<String> problems) {
    if (c.name() == null || c.name().isBlank()) {
      problems.add("cluster with no name");
      return;
    }
    if (!names.add(c.name())) {
      problems.add("cluster " + c.name() + ": duplicate name");
    }
    for (Endpoint e : c.endpoints()) {
      if (UpstreamCluster.literal(e.address()) == null) {
        problems.add("cluster " + c.name() + ": endpoint address " + quote(e.address()) + " is not an IPv4 or IPv6 literal");
      }
      if (e.port() < 1 || e.port() > 65535) {
        problems.add("cluster " + c.name() + ": endpoint " + e.address() + " port " + e.port() + " is out of range 1..65535");
      }
    }
  }

  private static void checkVirtualHost(
      VirtualHost vh, Set<String> hosts, Set<String> clusters, Set<String> certificates, List<String> problems) {
    if (vh.host() == null || vh.host().isBlank()) {
      problems.add("virtual host with no host name");
      return;
    }
    String host = HostNames.normalize(vh.host());
    String where = "virtual host " + vh.host();
    if (!HOST.matcher(host).matches()) {
      problems.add(where + ": not a valid host name (a wildcard must be a whole leading label, as in *.example.com)");
    }
    if (!hosts.add(host)) {
      problems.add(where + ": duplicate virtual host");
    }
    if (vh.tlsCertificate() != null && !certificates.contains(vh.tlsCertificate())) {
      problems.add(where + ": refers to unknown certificate " + vh.tlsCertificate());
    }
    if (vh.clientValidation() != null && vh.tlsCertificate() == null) {
      problems.add(where + ": client validation needs a TLS certificate");
    }
    for (Route r : vh.routes()) {
      checkRoute(where + ": route " + r.name(), r, clusters, problems);
    }
  }

  private static void checkRoute(String where, Route r, Set<String> clusters, List<String> problems) {
    if (r.name() == null || r.name().isBlank()) {
      problems.add(where + ": has no name");
    }
    if (r.path() == null || r.path().type() == null || r.path().value() == null) {
      problems.add(where + ": has no path match");
    } else {
      switch (r.path().type()) {
        case EXACT, PREFIX -> {
          if (!r.path().value().startsWith("/")) {
            problems.add(where + ": path " + quote(r.path().value()) + " must start with /");
          }
        }
        case REGEX -> {
          try {
            Pattern.compile(r.path().value());
          } catch (PatternSyntaxException e) {
            problems.add(where + ": regex " + quote(r.path().value()) + " does not compile: " + e.getDescription()
                + " near index " + e.getIndex());
          }
        }
      }
    }
    if (r.method() != null && !TOKEN.matcher(r.method()).matches()) {
      problems.add(where + ": method " + quote(r.method()) + " is not an HTTP method token");
    }
    for (HeaderMatch h : r.headers()) {
      if (h.name() == null || !TOKEN.matcher(h.name()).matches()) {
        problems.add(where + ": header match name " + quote(h.name()) + " is not a header name");
      }
      if (h.value() == null) {
        problems.add(where + ": header match " + h.name() + " has no value");
      }
    }
    for (CookieMatch c : r.cookies()) {
      if (c.name() == null || !TOKEN.matcher(c.name()).matches()) {
        problems.add(where + ": cookie match name " + quote(c.name()) + " is not a cookie name");
      }
      if (c.value() == null) {
        problems.add(where + ": cookie match " + c.name() + " has no value");
      }
    }
    for (WeightedCluster wc : r.backends()) {
      if (!clusters.contains(wc.cluster())) {
        problems.add(where + ": refers to unknown cluster " + wc.cluster());
      }
      if (wc.weight() < 0) {
        problems.add(where + ": cluster " + wc.cluster() + " has negative weight " + wc.weight());
      }
    }
  }

  private static String quote(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }
}
