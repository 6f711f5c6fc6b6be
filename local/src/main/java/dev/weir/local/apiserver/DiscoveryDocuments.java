package dev.weir.local.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The legacy (unaggregated) discovery documents kubectl reads before anything else: /api, /apis, /api/v1 and
 * /apis/GROUP/VERSION. kubectl 1.32 asks for the aggregated v2 form first; answering with plain JSON makes it fall
 * back to these, which is all the mock's store needs. Without them kubectl says "the server doesn't have a resource
 * type" for everything, because the mock answers /api and /apis with a List of stored objects.
 */
final class DiscoveryDocuments {

  private final ObjectMapper json;

  DiscoveryDocuments(ObjectMapper json) {
    this.json = json;
  }

  /** GET /api: the core group's versions. */
  String apiVersions(String serverAddress) {
    ObjectNode root = json.createObjectNode();
    root.put("kind", "APIVersions");
    root.putArray("versions").add("v1");
    ObjectNode cidr = root.putArray("serverAddressByClientCIDRs").addObject();
    cidr.put("clientCIDR", "0.0.0.0/0");
    cidr.put("serverAddress", serverAddress);
    return root.toString();
  }

  /** GET /apis: every named group with its (single) version. */
  String apiGroupList(ServedResources served) {
    ObjectNode root = json.createObjectNode();
    root.put("kind", "APIGroupList");
    root.put("apiVersion", "v1");
    ArrayNode groups = root.putArray("groups");
    Map<String, List<ResourceType>> byGroupVersion = served.byGroupVersion();
    Map<String, ObjectNode> groupNodes = new java.util.LinkedHashMap<>();
    for (List<ResourceType> types : byGroupVersion.values()) {
      ResourceType first = types.get(0);
      if (first.group().isEmpty()) {
        continue;
      }
      ObjectNode group = groupNodes.computeIfAbsent(first.group(), g -> {
        ObjectNode node = groups.addObject();
        node.put("name", g);
        node.putArray("versions");
        ObjectNode preferred = node.putObject("preferredVersion");
        preferred.put("groupVersion", first.groupVersion());
        preferred.put("version", first.version());
        return node;
      });
      ObjectNode version = ((ArrayNode) group.get("versions")).addObject();
      version.put("groupVersion", first.groupVersion());
      version.put("version", first.version());
    }
    return root.toString();
  }

  /** GET /api/v1 or /apis/GROUP/VERSION; empty when the group version is not served (a 404, as a real server). */
  Optional<String> apiResourceList(ServedResources served, String groupVersion) {
    List<ResourceType> types = served.byGroupVersion().get(groupVersion);
    if (types == null) {
      return Optional.empty();
    }
    ObjectNode root = json.createObjectNode();
    root.put("kind", "APIResourceList");
    root.put("apiVersion", "v1");
    root.put("groupVersion", groupVersion);
    ArrayNode resources = root.putArray("resources");
    for (ResourceType type : types) {
      ObjectNode resource = resources.addObject();
      resource.put("name", type.plural());
      resource.put("singularName", type.singular());
      resource.put("namespaced", type.namespaced());
      resource.put("kind", type.kind());
      ArrayNode verbs = resource.putArray("verbs");
      ResourceType.VERBS.forEach(verbs::add);
      if (!type.shortNames().isEmpty()) {
        ArrayNode shortNames = resource.putArray("shortNames");
        type.shortNames().forEach(shortNames::add);
      }
      if (!type.categories().isEmpty()) {
        ArrayNode categories = resource.putArray("categories");
        type.categories().forEach(categories::add);
      }
      if (type.statusSubresource()) {
        ObjectNode status = resources.addObject();
        status.put("name", type.plural() + "/status");
        status.put("singularName", "");
        status.put("namespaced", type.namespaced());
        status.put("kind", type.kind());
        ArrayNode statusVerbs = status.putArray("verbs");
        ResourceType.STATUS_VERBS.forEach(statusVerbs::add);
      }
    }
    return Optional.of(root.toString());
  }
}
