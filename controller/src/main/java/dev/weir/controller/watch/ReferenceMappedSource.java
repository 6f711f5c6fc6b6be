package dev.weir.controller.watch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An informer on a secondary type (Service, EndpointSlice, Secret) whose events trigger a rebuild when
 * any route object (ProxyRoute or Ingress) references the changed object, and nothing otherwise.
 *
 * <p>The rebuild is requested here, from the very informer whose cache the rebuild reads: a second
 * informer of the same type would see the change at another moment, and a rebuild triggered by one
 * but reading the other could miss it for good.
 */
final class ReferenceMappedSource {
  private ReferenceMappedSource() {}

  /**
   * @param referenced whether any route object references this object (consulted on every event)
   */
  static <R extends HasMetadata, P extends HasMetadata> InformerEventSource<R, P> of(
      EventSourceContext<P> context, Class<R> type, Class<P> primaryType, String name, Predicate<R> referenced,
      RebuildTrigger rebuild) {
    var config = InformerEventSourceConfiguration.from(type, primaryType)
        .withName(name)
        .withNamespacesInheritedFromController()
        .withSecondaryToPrimaryMapper((R obj) -> {
          if (referenced.test(obj)) {
            rebuild.request(type.getSimpleName() + " " + obj.getMetadata().getNamespace() + "/" + obj.getMetadata().getName());
          }
          // The rebuild is global; no primary needs its own reconcile.
          return Set.<ResourceID>of();
        })
        .build();
    return new InformerEventSource<>(config, context);
  }
}
