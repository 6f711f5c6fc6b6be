package dev.weir.dataplane.config;

import dev.weir.dataplane.balance.ClusterRegistry;
import dev.weir.dataplane.routing.RouteTable;
import dev.weir.dataplane.tls.CertificateSelector;
import dev.weir.dataplane.tls.ServerContextCache;
import dev.weir.dataplane.tls.TlsPolicy;
import dev.weir.dataplane.upstream.UpstreamCluster;
import dev.weir.dataplane.upstream.UpstreamTlsContext;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.LoadBalancer;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.VirtualHost;
import dev.weir.snapshot.WeightedCluster;
import io.netty.handler.ssl.SslContext;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a request needs, compiled from one snapshot and never changed afterwards. A request
 * reads the current one once, when its head arrives, and uses it to the end, so a swap never
 * changes the rules under a request in flight.
 *
 * @param snapshot the snapshot this was compiled from (its version and hash label the config)
 * @param routes the routing table
 * @param clusters upstream clusters by name
 * @param certificates SNI certificate selection; its {@code byName()} holds the SslContexts by certificate name
 * @param tlsContexts every server TLS context of this config (for the cache of the next compile)
 * @param ready false only for the placeholder used before any snapshot was applied
 */
public record RuntimeConfig(
    Snapshot snapshot,
    RouteTable routes,
    Map<String, UpstreamCluster> clusters,
    CertificateSelector certificates,
    Map<ServerContextCache.Key, SslContext> tlsContexts,
    boolean ready) {

  private static final RuntimeConfig NONE =
      new RuntimeConfig(Snapshot.empty(), RouteTable.empty(), Map.of(), CertificateSelector.none(), Map.of(), false);

  /** The placeholder before the first snapshot: routes nothing (404), not ready. */
  public static RuntimeConfig none() {
    return NONE;
  }

  /**
   * Validates and compiles. Throws {@link InvalidSnapshotException} listing every problem when the
   * snapshot cannot be applied.
   */
  public static RuntimeConfig compile(Snapshot snapshot) {
    return compile(snapshot, TlsPolicy.DEFAULT);
  }

  /** As {@link #compile(Snapshot)}, building certificates with the listener's TLS policy. */
  public static RuntimeConfig compile(Snapshot snapshot, TlsPolicy tls) {
    return compile(snapshot, new ServerContextCache(tls), NONE);
  }

  /**
   * As {@link #compile(Snapshot)}, taking the server TLS contexts that did not change from {@code contexts}
   * (the caller tells the cache once the result is in use: {@link #tlsContexts()}) and reusing the
   * upstream TLS contexts of {@code previous} (the applied config) whose settings are unchanged.
   */
  public static RuntimeConfig compile(Snapshot snapshot, ServerContextCache contexts, RuntimeConfig previous) {
    return compile(snapshot, contexts, previous, new ClusterRegistry());
  }

  /**
   * As {@link #compile(Snapshot, ServerContextCache, RuntimeConfig)}, with the endpoint states of
   * {@code registry} (the caller commits the clusters once the result is served:
   * {@link #endpointStates()}).
   */
  public static RuntimeConfig compile(Snapshot snapshot, ServerContextCache contexts, RuntimeConfig previous, ClusterRegistry registry) {
    List<String> problems = SnapshotValidator.validateStructure(snapshot);
    Map<ServerContextCache.Key, SslContext> tls = contexts.contexts(snapshot, problems);
    Map<String, UpstreamTlsContext> upstreamTls =
        SnapshotValidator.buildUpstreamTls(snapshot, previous.upstreamTlsContexts(), problems);
    if (!problems.isEmpty()) {
      throw new InvalidSnapshotException(problems);
    }
    Map<String, Set<LoadBalancer>> balancers = balancersByCluster(snapshot);
    Map<String, UpstreamCluster> clusters = new HashMap<>();
    for (Cluster c : snapshot.clusters()) {
      clusters.put(c.name(), UpstreamCluster.of(c, upstreamTls.get(c.name()), registry, balancers.getOrDefault(c.name(), Set.of())));
    }
    return new RuntimeConfig(
        snapshot, RouteTable.compile(snapshot), Map.copyOf(clusters), CertificateSelector.ofKeyed(snapshot, tls), Map.copyOf(tls), true);
  }

  /** The load balancers each cluster is picked from with: its routes' (as backend or mirror). */
  private static Map<String, Set<LoadBalancer>> balancersByCluster(Snapshot snapshot) {
    Map<String, Set<LoadBalancer>> out = new HashMap<>();
    for (VirtualHost vh : snapshot.virtualHosts()) {
      for (Route r : vh.routes()) {
        for (WeightedCluster wc : r.backends()) {
          out.computeIfAbsent(wc.cluster(), k -> new LinkedHashSet<>()).add(r.loadBalancer());
        }
        if (r.mirrorCluster() != null) {
          out.computeIfAbsent(r.mirrorCluster(), k -> new LinkedHashSet<>()).add(r.loadBalancer());
        }
      }
    }
    return out;
  }

  /** The endpoint states of every cluster, for {@link ClusterRegistry#commit}. */
  public List<dev.weir.dataplane.balance.ClusterEndpoints> endpointStates() {
    return clusters.values().stream().map(UpstreamCluster::endpointsState).toList();
  }

  public long version() {
    return snapshot.version();
  }

  public String hash() {
    return snapshot.hash();
  }

  public Map<String, SslContext> sslContexts() {
    return certificates.byName();
  }

  /** The same compiled config under another version: for a push whose content is what is already applied. */
  public RuntimeConfig withVersion(long version) {
    return new RuntimeConfig(snapshot.withVersion(version), routes, clusters, certificates, tlsContexts, ready);
  }

  /** The upstream TLS contexts in use, by what they were built from. */
  Map<UpstreamTlsContext.Key, UpstreamTlsContext> upstreamTlsContexts() {
    Map<UpstreamTlsContext.Key, UpstreamTlsContext> contexts = new HashMap<>();
    for (UpstreamCluster c : clusters.values()) {
      if (c.tls() != null) {
        contexts.put(c.tls().key(), c.tls());
      }
    }
    return contexts;
  }

  /** Whether any route compresses responses. */
  public boolean compresses() {
    return routes.compresses();
  }

  /** Whether any route caches responses. */
  public boolean caches() {
    return routes.caches();
  }

  /** The cluster by name, or null. */
  public UpstreamCluster cluster(String name) {
    return name == null ? null : clusters.get(name);
  }
}
