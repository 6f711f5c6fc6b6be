package dev.weir.controller.watch;

import dev.weir.controller.logs.ObjectLog;
import dev.weir.controller.metrics.ControllerMetrics;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The Ingress side of {@link ProxyRouteReconciler}: events only request a rebuild. Service,
 * EndpointSlice and Secret changes that Ingresses care about arrive through the ProxyRoute side's
 * informers (one informer per type, so the cache a rebuild reads is the one that saw the event).
 *
 * <p>Not generation-aware: an Ingress's annotations ({@code weir.dev/proxy-read-timeout}, the legacy
 * {@code kubernetes.io/ingress.class}) matter as much as its spec, and changing them does not bump
 * {@code metadata.generation}. Updates that change neither (our own status writes) are filtered out.
 */
@ControllerConfiguration(
    name = "ingresses",
    triggerReconcilerOnAllEvents = true,
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = IngressReconciler.SpecOrAnnotationsChanged.class))
public final class IngressReconciler implements Reconciler<Ingress> {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(IngressReconciler.class);

  /** Passes an update when the generation (the spec) or the annotations changed. */
  public static final class SpecOrAnnotationsChanged implements OnUpdateFilter<Ingress> {
    @Override
    public boolean accept(Ingress updated, Ingress old) {
      return !Objects.equals(updated.getMetadata().getGeneration(), old.getMetadata().getGeneration())
          || !Objects.equals(updated.getMetadata().getAnnotations(), old.getMetadata().getAnnotations());
    }
  }

  private final ClusterCache cache;
  private final RebuildTrigger rebuild;
  private final ControllerMetrics metrics;

  public IngressReconciler(ClusterCache cache, RebuildTrigger rebuild, ControllerMetrics metrics) {
    this.cache = cache;
    this.rebuild = rebuild;
    this.metrics = metrics;
  }

  @Override
  public UpdateControl<Ingress> reconcile(Ingress ingress, Context<Ingress> context) {
    long start = System.nanoTime();
    boolean ok = false;
    try {
      String namespace = ingress.getMetadata().getNamespace();
      String name = ingress.getMetadata().getName();
      ObjectLog.about(log.atDebug(), ControllerMetrics.INGRESS, namespace, name).log("reconcile: rebuild requested");
      rebuild.request("Ingress " + namespace + "/" + name);
      ok = true;
      return UpdateControl.noUpdate();
    } finally {
      metrics.reconciled(ControllerMetrics.INGRESS, start, ok);
    }
  }

  @Override
  public List<EventSource<?, Ingress>> prepareEventSources(EventSourceContext<Ingress> context) {
    cache.ingresses(context.getPrimaryCache());
    // Which IngressClass is the default decides which Ingresses and ProxyRoutes are ours: every change rebuilds.
    var classes = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(IngressClass.class, Ingress.class)
            .withName("ingress-classes")
            .withSecondaryToPrimaryMapper(c -> {
              rebuild.request("IngressClass " + c.getMetadata().getName());
              return Set.<ResourceID>of();
            })
            .build(),
        context);
    cache.ingressClasses(classes);
    return List.of(classes);
  }
}
