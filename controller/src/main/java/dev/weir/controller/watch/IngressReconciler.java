package dev.weir.controller.watch;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The Ingress side of {@link ProxyRouteReconciler}: events only request a rebuild. IngressClass changes
 * can change which Ingresses are ours, so they map to every Ingress.
 *
 * <p>It keeps its own Service/EndpointSlice/Secret informers for the mapping (JOSDK ties an event source
 * to one primary type); the index reads those objects from the ProxyRoute side's caches.
 */
@ControllerConfiguration(name = "ingresses", triggerReconcilerOnAllEvents = true)
public final class IngressReconciler implements Reconciler<Ingress> {
  private final ClusterCache cache;
  private final RebuildTrigger rebuild;

  public IngressReconciler(ClusterCache cache, RebuildTrigger rebuild) {
    this.cache = cache;
    this.rebuild = rebuild;
  }

  @Override
  public UpdateControl<Ingress> reconcile(Ingress ingress, Context<Ingress> context) {
    rebuild.request("Ingress " + ingress.getMetadata().getNamespace() + "/" + ingress.getMetadata().getName());
    return UpdateControl.noUpdate();
  }

  @Override
  public List<EventSource<?, Ingress>> prepareEventSources(EventSourceContext<Ingress> context) {
    IndexerResourceCache<Ingress> primaries = context.getPrimaryCache();
    cache.ingresses(primaries);
    var classes = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(IngressClass.class, Ingress.class)
            .withName("ingress-classes")
            .withSecondaryToPrimaryMapper(c -> primaries.list().map(ResourceID::fromResource).collect(Collectors.toSet()))
            .build(),
        context);
    cache.ingressClasses(classes);
    var services = ReferenceMappedSource.of(context, Service.class, Ingress.class, "ing-services",
        (ing, svc) -> References.services(ing).contains(svc.getMetadata().getName()));
    var slices = ReferenceMappedSource.of(context, EndpointSlice.class, Ingress.class, "ing-endpointslices",
        (ing, slice) -> References.services(ing).contains(ProxyRouteReconciler.serviceOf(slice)));
    var secrets = ReferenceMappedSource.of(context, Secret.class, Ingress.class, "ing-secrets",
        (ing, secret) -> References.secrets(ing).contains(secret.getMetadata().getName()));
    return List.of(classes, services, slices, secrets);
  }
}
