package dev.weir.dataplane.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * PREFIX routes keyed by whole path elements. {@code /foo} lives at node {@code [foo]} and so
 * matches {@code /foo}, {@code /foo/} and {@code /foo/bar} but never {@code /foobar}; {@code /} lives
 * at the root and matches every path. A lookup walks one node per path element, so its cost depends
 * on the depth of the path, not on the number of routes.
 */
final class PrefixTrie {

  private static final class Node {
    final Map<String, Node> children = new HashMap<>(4);
    final List<RouteMatch> routes = new ArrayList<>(1);
  }

  private final Node root = new Node();

  void add(String prefix, RouteMatch route) {
    Node node = root;
    for (String segment : segments(prefix)) {
      node = node.children.computeIfAbsent(segment, s -> new Node());
    }
    node.routes.add(route);
  }

  /**
   * Route lists of every prefix that matches {@code path}, longest prefix first; each list is in
   * snapshot order.
   */
  List<List<RouteMatch>> candidates(String path) {
    List<List<RouteMatch>> found = new ArrayList<>(4);
    Node node = root;
    if (!node.routes.isEmpty()) {
      found.add(node.routes);
    }
    int i = 0;
    int n = path.length();
    while (i < n && node != null) {
      while (i < n && path.charAt(i) == '/') {
        i++;
      }
      if (i >= n) {
        break;
      }
      int end = path.indexOf('/', i);
      if (end < 0) {
        end = n;
      }
      node = node.children.get(path.substring(i, end));
      if (node != null && !node.routes.isEmpty()) {
        found.add(node.routes);
      }
      i = end;
    }
    java.util.Collections.reverse(found);
    return found;
  }

  /** Path elements without empty ones: a trailing slash on a prefix value is ignored. */
  static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }
}
