package dev.weir.controller.index;

import dev.weir.crds.v1alpha1.ProxyRoute;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import java.util.List;

/**
 * An immutable view of every watched object at one moment: the only input of translation.
 *
 * <p>The lists are copies taken from the informer caches; translation never sees a client.
 */
public record ResourceIndex(
    List<ProxyRoute> proxyRoutes,
    List<Ingress> ingresses,
    List<IngressClass> ingressClasses,
    List<Service> services,
    List<EndpointSlice> endpointSlices,
    List<Secret> secrets) {

  public ResourceIndex {
    proxyRoutes = List.copyOf(proxyRoutes);
    ingresses = List.copyOf(ingresses);
    ingressClasses = List.copyOf(ingressClasses);
    services = List.copyOf(services);
    endpointSlices = List.copyOf(endpointSlices);
    secrets = List.copyOf(secrets);
  }

  public static ResourceIndex empty() {
    return new ResourceIndex(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
  }
}
