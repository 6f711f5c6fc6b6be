package dev.weir.controller.watch;

import dev.weir.crds.v1alpha1.ProxyRoute;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.util.List;

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
    var services = ReferenceMappedSource.of(context, Service.class, ProxyRoute.class, "pxr-services",
        (route, svc) -> References.services(route).contains(svc.getMetadata().getName()));
    var slices = ReferenceMappedSource.of(context, EndpointSlice.class, ProxyRoute.class, "pxr-endpointslices",
        (route, slice) -> References.services(route).contains(serviceOf(slice)));
    var secrets = ReferenceMappedSource.of(context, Secret.class, ProxyRoute.class, "pxr-secrets",
        (route, secret) -> References.secrets(route).contains(secret.getMetadata().getName()));
    cache.services(services);
    cache.endpointSlices(slices);
    cache.secrets(secrets);
    return List.of(services, slices, secrets);
  }

  static String serviceOf(EndpointSlice slice) {
    var labels = slice.getMetadata().getLabels();
    return labels == null ? null : labels.get("kubernetes.io/service-name");
  }
}
