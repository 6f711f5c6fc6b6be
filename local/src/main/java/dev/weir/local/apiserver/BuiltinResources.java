package dev.weir.local.apiserver;

import java.util.List;

/**
 * The built-in Kubernetes types the embedded server advertises. The mock's CRUD store would accept any path, but kubectl
 * only talks to what discovery lists, and Weir needs exactly these (plus its CRD, which is read from the store).
 */
final class BuiltinResources {

  static final List<ResourceType> ALL = List.of(
      core("namespaces", "namespace", "Namespace", false, List.of("ns"), List.of(), true),
      core("services", "service", "Service", true, List.of("svc"), List.of("all"), true),
      core("secrets", "secret", "Secret", true, List.of(), List.of(), false),
      core("configmaps", "configmap", "ConfigMap", true, List.of("cm"), List.of(), false),
      core("events", "event", "Event", true, List.of("ev"), List.of(), false),
      core("pods", "pod", "Pod", true, List.of("po"), List.of("all"), true),
      core("endpoints", "endpoints", "Endpoints", true, List.of("ep"), List.of(), false),
      core("serviceaccounts", "serviceaccount", "ServiceAccount", true, List.of("sa"), List.of(), false),
      new ResourceType("networking.k8s.io", "v1", "ingresses", "ingress", "Ingress", true, List.of("ing"),
          List.of(), true),
      new ResourceType("networking.k8s.io", "v1", "ingressclasses", "ingressclass", "IngressClass", false,
          List.of(), List.of(), false),
      new ResourceType("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", true,
          List.of(), List.of(), false),
      new ResourceType("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, List.of(), List.of(), false),
      new ResourceType("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
          "CustomResourceDefinition", false, List.of("crd", "crds"), List.of("api-extensions"), true),
      new ResourceType("events.k8s.io", "v1", "events", "event", "Event", true, List.of("ev"), List.of(), false));

  private BuiltinResources() {}

  private static ResourceType core(
      String plural, String singular, String kind, boolean namespaced, List<String> shortNames,
      List<String> categories, boolean status) {
    return new ResourceType("", "v1", plural, singular, kind, namespaced, shortNames, categories, status);
  }
}
