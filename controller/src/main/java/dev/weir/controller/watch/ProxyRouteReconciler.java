package dev.weir.controller.watch;

import dev.weir.controller.logs.ObjectLog;
import dev.weir.controller.metrics.ControllerMetrics;
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
 * deletes, and every change to a Service, EndpointSlice or Secret that a ProxyRoute or an Ingress
 * names only asks for a debounced rebuild. It owns the only informers of those three types. Translation then looks at the whole cluster at once, because routes from many
 * objects merge into one table and conflicts are decided across objects.
 */
@ControllerConfiguration(name = "proxyroutes", triggerReconcilerOnAllEvents = true)
public final class ProxyRouteReconciler implements Reconciler<ProxyRoute> {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ProxyRouteReconciler.class);

  private final ClusterCache cache;
  private final RebuildTrigger rebuild;
  private final ControllerMetrics metrics;

  /** {@code namespace/name} of the default certificate's Secret (its changes rebuild too), or null. */
  private final String defaultCertificate;

  public ProxyRouteReconciler(ClusterCache cache, RebuildTrigger rebuild, ControllerMetrics metrics) {
    this(cache, rebuild, metrics, null);
  }

  public ProxyRouteReconciler(ClusterCache cache, RebuildTrigger rebuild, ControllerMetrics metrics,
      String defaultCertificate) {
    this.cache = cache;
    this.rebuild = rebuild;
    this.metrics = metrics;
    this.defaultCertificate = defaultCertificate;
  }

  @Override
  public UpdateControl<ProxyRoute> reconcile(ProxyRoute route, Context<ProxyRoute> context) {
    long start = System.nanoTime();
    boolean ok = false;
    try {
      String namespace = route.getMetadata().getNamespace();
      String name = route.getMetadata().getName();
      ObjectLog.about(log.atDebug(), ControllerMetrics.PROXY_ROUTE, namespace, name).log("reconcile: rebuild requested");
      rebuild.request("ProxyRoute " + namespace + "/" + name);
      ok = true;
      return UpdateControl.noUpdate();
    } finally {
      metrics.reconciled(ControllerMetrics.PROXY_ROUTE, start, ok);
    }
  }

  @Override
  public List<EventSource<?, ProxyRoute>> prepareEventSources(EventSourceContext<ProxyRoute> context) {
    IndexerResourceCache<ProxyRoute> primaries = context.getPrimaryCache();
    cache.proxyRoutes(primaries);
    // The one informer per secondary type: both ProxyRoutes and Ingresses are checked for references.
    var services = ReferenceMappedSource.of(context, Service.class, ProxyRoute.class, "services",
        svc -> referencesService(svc.getMetadata().getNamespace(), svc.getMetadata().getName()), rebuild);
    var slices = ReferenceMappedSource.of(context, EndpointSlice.class, ProxyRoute.class, "endpointslices",
        slice -> referencesService(slice.getMetadata().getNamespace(), serviceOf(slice)), rebuild);
    var secrets = ReferenceMappedSource.of(context, Secret.class, ProxyRoute.class, "secrets",
        secret -> referencesSecret(secret.getMetadata().getNamespace(), secret.getMetadata().getName()), rebuild);
    cache.services(services);
    cache.endpointSlices(slices);
    cache.secrets(secrets);
    return List.of(services, slices, secrets);
  }

  private boolean referencesService(String namespace, String name) {
    if (name == null) return false;
    return cache.proxyRoutes().stream().anyMatch(r -> namespace.equals(r.getMetadata().getNamespace())
            && References.services(r).contains(name))
        || cache.ingresses().stream().anyMatch(i -> namespace.equals(i.getMetadata().getNamespace())
            && References.services(i).contains(name));
  }

  private boolean referencesSecret(String namespace, String name) {
    return (namespace + "/" + name).equals(defaultCertificate)
        || cache.proxyRoutes().stream().anyMatch(r -> namespace.equals(r.getMetadata().getNamespace())
            && References.secrets(r).contains(name))
        || cache.ingresses().stream().anyMatch(i -> namespace.equals(i.getMetadata().getNamespace())
            && References.secrets(i).contains(name));
  }

  static String serviceOf(EndpointSlice slice) {
    var labels = slice.getMetadata().getLabels();
    return labels == null ? null : labels.get("kubernetes.io/service-name");
  }
}
