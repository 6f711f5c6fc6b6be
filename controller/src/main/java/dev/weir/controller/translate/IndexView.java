package dev.weir.controller.translate;

import dev.weir.controller.index.ResourceIndex;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lookups over a {@link ResourceIndex} by namespace and name, built once per translation.
 *
 * <p>Every list is sorted first, so that the result never depends on the order the informers
 * handed the objects over (should an index ever hold two objects with one name, the same one wins).
 */
final class IndexView {
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private final Map<String, Service> services = new TreeMap<>();
  private final Map<String, Secret> secrets = new TreeMap<>();
  private final Map<String, List<EndpointSlice>> slicesByService = new TreeMap<>();

  IndexView(ResourceIndex index) {
    for (Service s : sorted(index.services())) {
      services.putIfAbsent(key(s.getMetadata()), s);
    }
    for (Secret s : sorted(index.secrets())) {
      secrets.putIfAbsent(key(s.getMetadata()), s);
    }
    for (EndpointSlice slice : sorted(index.endpointSlices())) {
      Map<String, String> labels = slice.getMetadata().getLabels();
      String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
      if (service != null) {
        String key = slice.getMetadata().getNamespace() + "/" + service;
        slicesByService.computeIfAbsent(key, k -> new ArrayList<>()).add(slice);
      }
    }
  }

  Service service(String namespace, String name) {
    return services.get(namespace + "/" + name);
  }

  Secret secret(String namespace, String name) {
    return secrets.get(namespace + "/" + name);
  }

  /** The EndpointSlices labelled {@code kubernetes.io/service-name=<service>} in the namespace. */
  List<EndpointSlice> slices(String namespace, String service) {
    return slicesByService.getOrDefault(namespace + "/" + service, List.of());
  }

  /** Objects without metadata cannot be addressed and are left out. */
  static <T extends HasMetadata> List<T> sorted(List<T> objects) {
    List<T> copy = new ArrayList<>();
    for (T o : objects) {
      if (o != null && o.getMetadata() != null && o.getMetadata().getName() != null) {
        copy.add(o);
      }
    }
    copy.sort(Comparator.comparing((T o) -> key(o.getMetadata()))
        .thenComparing(o -> nullToEmpty(o.getMetadata().getUid()))
        .thenComparing(o -> nullToEmpty(o.getMetadata().getResourceVersion())));
    return copy;
  }

  static String key(ObjectMeta meta) {
    return nullToEmpty(meta.getNamespace()) + "/" + meta.getName();
  }

  static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
