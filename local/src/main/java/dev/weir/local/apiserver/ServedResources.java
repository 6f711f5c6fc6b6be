package dev.weir.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the server serves right now: the built-in types plus every served version of every CRD in the store, with
 * each CRD version's definition (schema for the OpenAPI documents, printer columns for Tables). Rebuilt from the
 * store after every CRD write (see KubectlCompatibleDispatcher#served), because CRDs come and go at any time and a
 * stale copy would make kubectl see ghosts.
 */
final class ServedResources {

  private final List<ResourceType> types;
  private final Map<ResourceType, JsonNode> crdVersions;

  private ServedResources(List<ResourceType> types, Map<ResourceType, JsonNode> crdVersions) {
    this.types = List.copyOf(types);
    this.crdVersions = Collections.unmodifiableMap(crdVersions);
  }

  /** @param crdList a List (or CustomResourceDefinitionList) of apiextensions.k8s.io/v1 CRDs, as JSON */
  static ServedResources of(JsonNode crdList) {
    List<ResourceType> types = new ArrayList<>(BuiltinResources.ALL);
    Map<ResourceType, JsonNode> versions = new HashMap<>();
    for (JsonNode crd : crdList.path("items")) {
      JsonNode spec = crd.path("spec");
      JsonNode names = spec.path("names");
      for (JsonNode version : spec.path("versions")) {
        if (!version.path("served").asBoolean(true)) {
          continue;
        }
        ResourceType type = new ResourceType(
            spec.path("group").asText(),
            version.path("name").asText(),
            names.path("plural").asText(),
            names.path("singular").asText(names.path("kind").asText().toLowerCase()),
            names.path("kind").asText(),
            !"Cluster".equals(spec.path("scope").asText()),
            strings(names.path("shortNames")),
            strings(names.path("categories")),
            version.path("subresources").has("status"));
        types.add(type);
        versions.put(type, version);
      }
    }
    return new ServedResources(types, versions);
  }

  List<ResourceType> types() {
    return types;
  }

  /** The group versions in a stable order: core first, then groups in order of first appearance. */
  Map<String, List<ResourceType>> byGroupVersion() {
    Map<String, List<ResourceType>> result = new LinkedHashMap<>();
    for (ResourceType type : types) {
      result.computeIfAbsent(type.groupVersion(), k -> new ArrayList<>()).add(type);
    }
    return result;
  }

  Optional<ResourceType> find(String group, String version, String plural) {
    return types.stream()
        .filter(t -> t.group().equals(group) && t.version().equals(version) && t.plural().equals(plural))
        .findFirst();
  }

  /** The CRD's openAPIV3Schema for this version; empty for built-ins and schemaless CRDs. */
  Optional<JsonNode> crdSchema(ResourceType type) {
    return crdVersion(type).map(v -> v.path("schema").path("openAPIV3Schema")).filter(JsonNode::isObject);
  }

  /** The CRD's spec.versions[] entry (printer columns, schema, subresources); empty for built-ins. */
  Optional<JsonNode> crdVersion(ResourceType type) {
    return Optional.ofNullable(crdVersions.get(type));
  }

  boolean isCustom(ResourceType type) {
    return crdVersions.containsKey(type);
  }

  private static List<String> strings(JsonNode array) {
    List<String> result = new ArrayList<>();
    array.forEach(n -> result.add(n.asText()));
    return result;
  }
}
