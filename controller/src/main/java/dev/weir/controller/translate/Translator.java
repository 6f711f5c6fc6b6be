package dev.weir.controller.translate;

import dev.weir.controller.index.ResourceIndex;
import dev.weir.crds.v1alpha1.ProxyRoute;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.VirtualHost;
import dev.weir.snapshot.WeightedCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Kubernetes objects → {@link Snapshot} + a {@link Verdict} per object of our class: a pure function.
 *
 * <p>No client, clock, randomness, threads or I/O (the instant certificates must be valid at is an
 * argument); every collection is sorted, so equal input gives a
 * byte-equal snapshot whatever the order of the index's lists. The steps, each in its own class:
 * <ol>
 *   <li>{@link ClassSelector}: which Ingresses and ProxyRoutes are ours (the others contribute nothing
 *       and get no verdict);
 *   <li>{@link ProxyRouteProcessor} and {@link IngressProcessor}: each object on its own → route
 *       candidates per host and TLS claims, resolving Services ({@link BackendResolver}) and Secrets
 *       ({@link TlsResolver}); user errors become problems on the object's {@link ObjectStatus};
 *   <li>{@link Canaries}: the weighted canary Ingresses' shares merged into their primaries' routes;
 *   <li>{@link ConflictResolver}: identical matches and competing certificates across objects, the
 *       older owner wins;
 *   <li>{@link VirtualHostBuilder}: one virtual host per host name, routes in priority order;
 *   <li>only the clusters and certificates that programmed routes use are emitted.
 * </ol>
 * The snapshot has version 0 and its content hash set; the publisher assigns versions.
 */
public final class Translator {
  private Translator() {}

  /** @param now the instant TLS certificates must be valid at (expired ones are refused) */
  public static TranslationResult translate(ResourceIndex index, TranslateOptions options, Instant now) {
    ClassSelector selector = ClassSelector.of(index.ingressClasses(), options);
    IndexView view = new IndexView(index);
    TlsResolver tls = new TlsResolver(view, now);
    BackendResolver backends = new BackendResolver(view, tls);
    Claims claims = new Claims();
    // Hash maps: order does not matter here (verdicts are keyed), and this runs for every object on every rebuild.
    Map<ObjectRef, ObjectStatus> statuses = new HashMap<>();

    ProxyRouteProcessor proxyRoutes = new ProxyRouteProcessor(backends, tls, claims);
    for (ProxyRoute route : IndexView.sorted(index.proxyRoutes())) {
      if (selector.owns(route)) {
        ObjectStatus status = status(ObjectRef.PROXY_ROUTE, route, statuses);
        if (status != null) {
          proxyRoutes.process(route, status);
        }
      }
    }
    IngressProcessor ingresses = new IngressProcessor(backends, tls, claims);
    for (Ingress ingress : IndexView.sorted(index.ingresses())) {
      if (selector.owns(ingress)) {
        ObjectStatus status = status(ObjectRef.INGRESS, ingress, statuses);
        if (status != null) {
          ingresses.process(ingress, status);
        }
      }
    }

    Canaries.merge(claims);
    List<VirtualHost> virtualHosts =
        VirtualHostBuilder.build(ConflictResolver.routes(claims.routes()), ConflictResolver.tls(claims.tls()));
    TreeSet<String> clusterNames = new TreeSet<>();
    TreeSet<String> certificateNames = new TreeSet<>();
    for (VirtualHost vh : virtualHosts) {
      for (Route r : vh.routes()) {
        r.backends().stream().map(WeightedCluster::cluster).forEach(clusterNames::add);
        if (r.mirrorCluster() != null) {
          clusterNames.add(r.mirrorCluster());
        }
      }
      if (vh.tlsCertificate() != null) {
        certificateNames.add(vh.tlsCertificate());
      }
    }
    List<TranslationResult.Problem> problems = new ArrayList<>();
    String defaultCertificate = defaultCertificate(options, tls, problems);
    if (defaultCertificate != null) {
      certificateNames.add(defaultCertificate);
    }
    Snapshot snapshot =
        new Snapshot(0, null, virtualHosts, backends.clusters(clusterNames), tls.certificates(certificateNames), defaultCertificate)
            .withComputedHash();

    Map<ObjectRef, Verdict> verdicts = new HashMap<>();
    statuses.forEach((ref, status) -> verdicts.put(ref, status.toVerdict()));
    return new TranslationResult(snapshot, verdicts, problems);
  }

  /** The default certificate's name, or null when none is configured or it cannot be used (a problem then). */
  private static String defaultCertificate(TranslateOptions options, TlsResolver tls,
      List<TranslationResult.Problem> problems) {
    String ref = options.defaultCertificate();
    if (ref == null || ref.isBlank()) {
      return null;
    }
    int slash = ref.indexOf('/');
    if (slash <= 0 || slash == ref.length() - 1) {
      problems.add(new TranslationResult.Problem("Secret", null, ref, "default certificate " + ref + ": want NAMESPACE/NAME"));
      return null;
    }
    String namespace = ref.substring(0, slash);
    String name = ref.substring(slash + 1);
    TlsResolver.Resolution r = tls.resolve(namespace, name);
    if (!r.ok()) {
      problems.add(new TranslationResult.Problem("Secret", namespace, name, "default certificate: " + r.message()));
      return null;
    }
    return r.certificateName();
  }

  /** A fresh status for the object, or null for a second object with the same kind/namespace/name. */
  private static ObjectStatus status(String kind, HasMetadata o, Map<ObjectRef, ObjectStatus> statuses) {
    String namespace = IndexView.nullToEmpty(o.getMetadata().getNamespace());
    ObjectRef ref = new ObjectRef(kind, namespace, o.getMetadata().getName());
    if (statuses.containsKey(ref)) {
      return null;
    }
    ObjectStatus status = new ObjectStatus(OwnerAge.of(ref, o.getMetadata()), o.getMetadata().getGeneration());
    statuses.put(ref, status);
    return status;
  }
}
