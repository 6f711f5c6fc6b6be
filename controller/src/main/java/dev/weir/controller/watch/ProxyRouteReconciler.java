package dev.weir.controller.watch;

import dev.weir.crds.v1alpha1.ProxyRoute;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
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
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;

/**
 * Thin on purpose (Contour's handler, not a per-object reconcile): every ProxyRoute event, including
 * deletes, and every change to a Service, EndpointSlice or Secret a route names only asks for a
 * debounced rebuild. Translation then looks at the whole cluster at once, because routes from many
 * objects merge into one table and conflicts are decided across objects.
 */
@ControllerConfiguration(name = "proxyroutes", triggerReconcilerOnAllEvents = true)
public final class ProxyRouteReconciler implements Reconciler<ProxyRoute> {
  private final ClusterCache cache;
  private final RebuildTrigger rebuild;

  public ProxyRouteReconciler(ClusterCache cache, RebuildTrigger rebuild) {
    this.cache = cache;
    this.rebuild = rebuild;
  }

  @Override
  public UpdateControl<ProxyRoute> reconcile(ProxyRoute route, Context<ProxyRoute> context) {
    rebuild.request("ProxyRoute " + route.getMetadata().getNamespace() + "/" + route.getMetadata().getName());
    return UpdateControl.noUpdate();
  }

  @Override
  public List<EventSource<?, ProxyRoute>> prepareEventSources(EventSourceContext<ProxyRoute> context) {
    IndexerResourceCache<ProxyRoute> primaries = context.getPrimaryCache();
    cache.proxyRoutes(primaries);
    var services = source(context, Service.class, "pxr-services",
        (route, svc) -> References.services(route).contains(svc.getMetadata().getName()), primaries);
    var slices = source(context, EndpointSlice.class, "pxr-endpointslices",
        (route, slice) -> References.services(route).contains(serviceOf(slice)), primaries);
    var secrets = source(context, Secret.class, "pxr-secrets",
        (route, secret) -> References.secrets(route).contains(secret.getMetadata().getName()), primaries);
    cache.services(services);
    cache.endpointSlices(slices);
    cache.secrets(secrets);
    return List.of(services, slices, secrets);
  }

  static String serviceOf(EndpointSlice slice) {
    var labels = slice.getMetadata().getLabels();
    return labels == null ? null : labels.get("kubernetes.io/service-name");
  }

  /** An informer on {@code type} whose events map to the routes in the same namespace that reference it. */
  private static <R extends HasMetadata> InformerEventSource<R, ProxyRoute> source(
      EventSourceContext<ProxyRoute> context, Class<R> type, String name,
      BiPredicate<ProxyRoute, R> references, IndexerResourceCache<ProxyRoute> primaries) {
    var config = InformerEventSourceConfiguration.from(type, ProxyRoute.class)
        .withName(name)
        .withNamespacesInheritedFromController()
        .withSecondaryToPrimaryMapper(obj -> referencing(primaries, obj, references))
        .build();
    return new InformerEventSource<>(config, context);
  }

  private static <R extends HasMetadata> Set<ResourceID> referencing(
      IndexerResourceCache<ProxyRoute> primaries, R obj, BiPredicate<ProxyRoute, R> references) {
    return primaries.list(obj.getMetadata().getNamespace(), route -> references.test(route, obj))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }
}
