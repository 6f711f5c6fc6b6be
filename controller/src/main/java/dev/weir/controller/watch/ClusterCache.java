package dev.weir.controller.watch;

import dev.weir.controller.index.ResourceIndex;
import dev.weir.crds.v1alpha1.ProxyRoute;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The informer caches the reconcilers set up, gathered in one place so that a rebuild can take an
 * immutable {@link ResourceIndex} of everything at once.
 *
 * <p>Fields are written once each, while JOSDK prepares event sources (before the operator starts),
 * and read by the rebuild thread afterwards; volatile makes that hand-over safe.
 */
public final class ClusterCache {
  private volatile Cache<ProxyRoute> proxyRoutes;
  private volatile Cache<Ingress> ingresses;
  private volatile Cache<IngressClass> ingressClasses;
  private volatile Cache<Service> services;
  private volatile Cache<EndpointSlice> endpointSlices;
  private volatile Cache<Secret> secrets;

  void proxyRoutes(Cache<ProxyRoute> cache) {
    this.proxyRoutes = cache;
  }

  void ingresses(Cache<Ingress> cache) {
    this.ingresses = cache;
  }

  void ingressClasses(Cache<IngressClass> cache) {
    this.ingressClasses = cache;
  }

  void services(Cache<Service> cache) {
    this.services = cache;
  }

  void endpointSlices(Cache<EndpointSlice> cache) {
    this.endpointSlices = cache;
  }

  void secrets(Cache<Secret> cache) {
    this.secrets = cache;
  }

  /** Everything cached right now. Informer caches hand out their own objects: translation must not mutate them. */
  public ResourceIndex index() {
    return new ResourceIndex(
        all(proxyRoutes), all(ingresses), all(ingressClasses), all(services), all(endpointSlices), all(secrets));
  }

  public List<ProxyRoute> proxyRoutes() {
    return all(proxyRoutes);
  }

  public List<Ingress> ingresses() {
    return all(ingresses);
  }

  public Optional<Service> service(String namespace, String name) {
    return all(services).stream()
        .filter(s -> namespace.equals(s.getMetadata().getNamespace()) && name.equals(s.getMetadata().getName()))
        .findFirst();
  }

  private static <T extends HasMetadata> List<T> all(Cache<T> cache) {
    return cache == null ? List.of() : cache.list().collect(Collectors.toList());
  }
}
