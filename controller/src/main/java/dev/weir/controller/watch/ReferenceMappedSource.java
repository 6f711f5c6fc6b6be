package dev.weir.controller.watch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;

/**
 * An informer on a secondary type (Service, EndpointSlice, Secret) whose events reach only the route
 * objects in the same namespace that reference the changed object: unrelated changes trigger nothing.
 */
final class ReferenceMappedSource {
  private ReferenceMappedSource() {}

  static <R extends HasMetadata, P extends HasMetadata> InformerEventSource<R, P> of(
      EventSourceContext<P> context, Class<R> type, Class<P> primaryType, String name, BiPredicate<P, R> references) {
    var primaries = context.getPrimaryCache();
    var config = InformerEventSourceConfiguration.from(type, primaryType)
        .withName(name)
        .withNamespacesInheritedFromController()
        .withSecondaryToPrimaryMapper((R obj) -> primaries
            .list(obj.getMetadata().getNamespace(), p -> references.test(p, obj))
            .map(ResourceID::fromResource)
            .collect(Collectors.toSet()))
        .build();
    return new InformerEventSource<>(config, context);
  }
}
