package dev.weir.dataplane.testing;

import dev.weir.snapshot.ClientValidation;
import dev.weir.snapshot.Cluster;
import dev.weir.snapshot.Endpoint;
import dev.weir.snapshot.HeaderMatch;
import dev.weir.snapshot.PathMatch;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.RoutePolicy;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.TlsCertificate;
import dev.weir.snapshot.UpstreamProtocol;
import dev.weir.snapshot.VirtualHost;
import dev.weir.snapshot.WeightedCluster;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Snapshots for tests, fluently:
 * <pre>{@code
 * Snapshot s = new SnapshotBuilder(1)
 *     .cluster("a", backendA.endpoint())
 *     .host("a.test").prefix("r-a", "/", "a")
 *     .host("*").route(new Route(...))
 *     .build();
 * }</pre>
 * {@link #build()} sets the content hash.
 */
public final class SnapshotBuilder {

  private final long version;
  private final Map<String, List<Route>> hosts = new LinkedHashMap<>();
  private final Map<String, String> hostCertificates = new LinkedHashMap<>();
  private final List<Cluster> clusters = new ArrayList<>();
  private final List<TlsCertificate> certificates = new ArrayList<>();
  private final Map<String, ClientValidation> hostValidations = new LinkedHashMap<>();
  private String defaultCertificate;
  private String currentHost;

  public SnapshotBuilder(long version) {
    this.version = version;
  }

  public SnapshotBuilder cluster(String name, Endpoint... endpoints) {
    clusters.add(new Cluster(name, Arrays.asList(endpoints)));
    return this;
  }

  public SnapshotBuilder certificate(TlsCertificate certificate) {
    certificates.add(certificate);
    return this;
  }

  /** Starts (or continues) a virtual host; the following routes belong to it. */
  public SnapshotBuilder host(String host) {
    currentHost = host;
    hosts.computeIfAbsent(host, h -> new ArrayList<>());
    return this;
  }

  /** A virtual host that terminates TLS with the named certificate. */
  public SnapshotBuilder host(String host, String certificateName) {
    host(host);
    hostCertificates.put(host, certificateName);
    return this;
  }

  /** A virtual host that terminates TLS with the named certificate and asks for client certificates. */
  public SnapshotBuilder host(String host, String certificateName, ClientValidation validation) {
    host(host, certificateName);
    hostValidations.put(host, validation);
    return this;
  }

  /** The certificate for clients whose SNI name matches no host's. */
  public SnapshotBuilder defaultCertificate(String certificateName) {
    defaultCertificate = certificateName;
    return this;
  }

  /** A PREFIX route to one cluster (weight 1). */
  public SnapshotBuilder prefix(String name, String path, String cluster) {
    return route(new Route(name, "test", PathMatch.prefix(path), List.of(), null, List.of(new WeightedCluster(cluster, 1))));
  }

  /** A PREFIX route to one cluster (weight 1) with its own timeouts and limits. */
  public SnapshotBuilder prefix(String name, String path, String cluster, RoutePolicy policy) {
    return route(new Route(name, "test", PathMatch.prefix(path), List.of(), null, List.of(new WeightedCluster(cluster, 1)), policy));
  }

  /** A cluster whose endpoints speak {@code protocol}. */
  public SnapshotBuilder cluster(String name, UpstreamProtocol protocol, Endpoint... endpoints) {
    clusters.add(new Cluster(name, Arrays.asList(endpoints), protocol));
    return this;
  }

  /** A cluster whose endpoints speak {@code protocol} over TLS with these settings. */
  public SnapshotBuilder cluster(String name, UpstreamProtocol protocol, dev.weir.snapshot.UpstreamTls tls, Endpoint... endpoints) {
    clusters.add(new Cluster(name, Arrays.asList(endpoints), protocol, tls));
    return this;
  }

  /** An EXACT route to one cluster (weight 1). */
  public SnapshotBuilder exact(String name, String path, String cluster) {
    return route(new Route(name, "test", PathMatch.exact(path), List.of(), null, List.of(new WeightedCluster(cluster, 1))));
  }

  /** A PREFIX route with weighted clusters. */
  public SnapshotBuilder weighted(String name, String path, WeightedCluster... backends) {
    return route(new Route(name, "test", PathMatch.prefix(path), List.of(), null, List.of(backends)));
  }

  /** A PREFIX route that also needs a header. */
  public SnapshotBuilder prefixWithHeader(String name, String path, String header, String value, String cluster) {
    return route(
        new Route(name, "test", PathMatch.prefix(path), List.of(new HeaderMatch(header, value)), null, List.of(new WeightedCluster(cluster, 1))));
  }

  public SnapshotBuilder route(Route route) {
    if (currentHost == null) {
      throw new IllegalStateException("call host(...) first");
    }
    hosts.get(currentHost).add(route);
    return this;
  }

  public Snapshot build() {
    List<VirtualHost> vhosts = new ArrayList<>();
    hosts.forEach((h, routes) -> vhosts.add(new VirtualHost(h, routes, hostCertificates.get(h), hostValidations.get(h))));
    return new Snapshot(version, "", vhosts, clusters, certificates, defaultCertificate).withComputedHash();
  }
}
