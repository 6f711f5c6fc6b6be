package dev.weir.local.apiserver;

import java.util.List;

/**
 * One resource type the embedded API server serves: what discovery advertises, what OpenAPI documents, and what the
 * dispatcher needs to know to behave like a real server (is there a status subresource to protect?).
 */
record ResourceType(
    String group,
    String version,
    String plural,
    String singular,
    String kind,
    boolean namespaced,
    List<String> shortNames,
    List<String> categories,
    boolean statusSubresource) {

  static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
  static final List<String> STATUS_VERBS = List.of("get", "patch", "update");

  /** "v1" for the core group, "group/version" otherwise, as in apiVersion fields. */
  String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** The URL prefix of the group version: /api/v1 or /apis/group/version. */
  String apiPrefix() {
    return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
  }

  /** The key OpenAPI v3 uses for the group version in its index: api/v1 or apis/group/version. */
  String openApiKey() {
    return apiPrefix().substring(1);
  }
}
