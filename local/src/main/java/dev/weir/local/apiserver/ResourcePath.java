package dev.weir.local.apiserver;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A parsed resource URL (without its query): /api/v1[/namespaces/NS]/PLURAL[/NAME[/SUBRESOURCE]] or the same under
 * /apis/GROUP/VERSION. The mock parses paths with its own regular expression; this one exists so that the dispatcher
 * can tell collections from objects and the status subresource from the main resource before the mock sees a request.
 */
record ResourcePath(String group, String version, String namespace, String plural, String name, String subresource) {

  static Optional<ResourcePath> parse(String path) {
    List<String> segments = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    String group;
    String version;
    int rest;
    if (segments.size() >= 3 && segments.get(0).equals("api")) {
      group = "";
      version = segments.get(1);
      rest = 2;
    } else if (segments.size() >= 4 && segments.get(0).equals("apis")) {
      group = segments.get(1);
      version = segments.get(2);
      rest = 3;
    } else {
      return Optional.empty();
    }
    List<String> tail = segments.subList(rest, segments.size());
    String namespace = null;
    // /namespaces/NS/PLURAL... is a namespaced resource; /namespaces/NS and /namespaces/NS/status|finalize are the
    // Namespace object itself.
    if (tail.size() >= 3 && tail.get(0).equals("namespaces") && !isNamespaceSubresource(tail.get(2))) {
      namespace = tail.get(1);
      tail = tail.subList(2, tail.size());
    }
    if (tail.isEmpty() || tail.size() > 3) {
      return Optional.empty();
    }
    return Optional.of(new ResourcePath(group, version, namespace, tail.get(0),
        tail.size() > 1 ? tail.get(1) : null, tail.size() > 2 ? tail.get(2) : null));
  }

  private static boolean isNamespaceSubresource(String segment) {
    return segment.equals("status") || segment.equals("finalize");
  }

  boolean isCollection() {
    return name == null;
  }

  boolean isStatus() {
    return "status".equals(subresource);
  }

  /** The path of the main resource (no subresource), e.g. to GET the current object before a status patch. */
  String objectPath() {
    return collectionPath() + "/" + name;
  }

  String collectionPath() {
    String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    return prefix + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural;
  }
}
