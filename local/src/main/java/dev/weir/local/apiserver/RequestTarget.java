package dev.weir.local.apiserver;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A request target split into its path and its decoded query parameters. The mock matches paths with the query
 * attached (so /status?fieldManager=x is not a status update to it), hence the dispatcher strips or rebuilds queries
 * before handing requests on.
 */
record RequestTarget(String path, Map<String, String> query) {

  static RequestTarget parse(String target) {
    int q = target.indexOf('?');
    if (q < 0) {
      return new RequestTarget(target, Map.of());
    }
    Map<String, String> query = new LinkedHashMap<>();
    for (String pair : target.substring(q + 1).split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      query.putIfAbsent(key, value);
    }
    return new RequestTarget(target.substring(0, q), Collections.unmodifiableMap(query));
  }

  String param(String name) {
    return query.get(name);
  }

  boolean isWatch() {
    String watch = query.get("watch");
    return "true".equals(watch) || "1".equals(watch);
  }

  boolean isDryRun() {
    return query.containsKey("dryRun");
  }

  /** The path followed by the given parameters (in their order), re-encoded. */
  static String withQuery(String path, Map<String, String> params) {
    if (params.isEmpty()) {
      return path;
    }
    return path + "?" + params.entrySet().stream()
        .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
        .collect(Collectors.joining("&"));
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
