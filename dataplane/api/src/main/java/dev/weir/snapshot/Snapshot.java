package dev.weir.snapshot;

import java.util.List;

/**
 * The whole configuration of a dataplane replica at one version: immutable, and applied atomically.
 *
 * <p>{@code version} is assigned by the controller when it publishes (monotonic, survives controller
 * restarts); {@code hash} is the content hash of everything but the version, so two translations
 * that produce the same routing table are recognised as equal and not pushed again.
 *
 * @param defaultCertificate name of an entry in {@code certificates} served to TLS clients whose SNI
 *     name matches no virtual host's certificate (or that send none); null: the first certificate
 */
public record Snapshot(
    long version,
    String hash,
    List<VirtualHost> virtualHosts,
    List<Cluster> clusters,
    List<TlsCertificate> certificates,
    String defaultCertificate) {

  public Snapshot {
    hash = hash == null ? "" : hash;
    virtualHosts = virtualHosts == null ? List.of() : List.copyOf(virtualHosts);
    clusters = clusters == null ? List.of() : List.copyOf(clusters);
    certificates = certificates == null ? List.of() : List.copyOf(certificates);
  }

  /** A snapshot without a designated default certificate. */
  public Snapshot(long version, String hash, List<VirtualHost> virtualHosts, List<Cluster> clusters, List<TlsCertificate> certificates) {
    this(version, hash, virtualHosts, clusters, certificates, null);
  }

  public static Snapshot empty() {
    return new Snapshot(0, "", List.of(), List.of(), List.of()).withComputedHash();
  }

  public Snapshot withVersion(long newVersion) {
    return new Snapshot(newVersion, hash, virtualHosts, clusters, certificates, defaultCertificate);
  }

  /** The same content with {@code hash} set from it (the version is not part of the hash). */
  public Snapshot withComputedHash() {
    return new Snapshot(version, SnapshotJson.contentHash(this), virtualHosts, clusters, certificates, defaultCertificate);
  }
}
