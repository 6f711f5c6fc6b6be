package dev.weir.dataplane.routing;

import dev.weir.snapshot.Route;
import dev.weir.snapshot.Snapshot;
import dev.weir.snapshot.VirtualHost;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The compiled, immutable routing table of one snapshot.
 *
 * <p>A request first selects one virtual host (exact name, then the wildcard {@code *.rest} for its
 * first label stripped, then {@code *}); the selection is final, as in nginx's server_name and
 * Envoy's virtual hosts: when no route of that host matches, the answer is "no route" even if the
 * {@code *} host would have one. Within the host, {@link PathIndex} orders EXACT, REGEX, PREFIX.
 *
 * <p>Expects a valid snapshot (see the config package's validator): an uncompilable regex throws.
 */
public final class RouteTable {

  private static final RouteTable EMPTY = new RouteTable(Map.of(), Map.of(), null, false, false);

  private final Map<String, PathIndex> exactHosts;
  private final Map<String, PathIndex> wildcardHosts;
  private final PathIndex catchAll;
  private final boolean caches;
  private final boolean compresses;

  private RouteTable(Map<String, PathIndex> exactHosts, Map<String, PathIndex> wildcardHosts, PathIndex catchAll,
      boolean caches, boolean compresses) {
    this.exactHosts = exactHosts;
    this.wildcardHosts = wildcardHosts;
    this.catchAll = catchAll;
    this.caches = caches;
    this.compresses = compresses;
  }

  /** Whether any route has a cache: the cache handler matches requests only then. */
  public boolean caches() {
    return caches;
  }

  /** Whether any route compresses: the compression handler matches requests only then. */
  public boolean compresses() {
    return compresses;
  }

  public static RouteTable empty() {
    return EMPTY;
  }

  public static RouteTable compile(Snapshot snapshot) {
    Map<String, PathIndex> exact = new HashMap<>();
    Map<String, PathIndex> wildcard = new HashMap<>();
    PathIndex catchAll = null;
    boolean caches = false;
    boolean compresses = false;
    for (VirtualHost vh : snapshot.virtualHosts()) {
      for (Route r : vh.routes()) {
        caches |= r.cache() != null;
        compresses |= r.compression() != null;
      }
      String host = vh.host() == null ? "*" : vh.host().trim().toLowerCase(java.util.Locale.ROOT);
      if (host.equals("*")) {
        if (catchAll == null) {
          catchAll = new PathIndex(host, vh.routes(), vh.clientValidation());
        }
      } else if (host.startsWith("*.")) {
        wildcard.putIfAbsent(host, new PathIndex(host, vh.routes(), vh.clientValidation()));
      } else {
        String key = HostNames.normalize(host);
        exact.putIfAbsent(key, new PathIndex(key, vh.routes(), vh.clientValidation()));
      }
    }
    return new RouteTable(Map.copyOf(exact), Map.copyOf(wildcard), catchAll, caches, compresses);
  }

  /**
   * The route for a request, or empty when none matches.
   *
   * @param host the Host header as received (case and port do not matter); null for none
   * @param path the request target; a query string or fragment is ignored
   * @param method the request method, e.g. {@code GET}
   */
  public Optional<RouteMatch> match(String host, String path, String method, HeaderLookup headers) {
    PathIndex index = virtualHost(HostNames.normalize(host));
    if (index == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(index.match(pathOnly(path), method, headers == null ? HeaderLookup.NONE : headers));
  }

  private PathIndex virtualHost(String host) {
    PathIndex index = exactHosts.get(host);
    if (index != null) {
      return index;
    }
    if (!wildcardHosts.isEmpty()) {
      String key = HostNames.wildcardKey(host);
      if (key != null && (index = wildcardHosts.get(key)) != null) {
        return index;
      }
    }
    return catchAll;
  }

  /** The path without query or fragment; an absolute-form target ({@code http://h/p}) gives {@code /p}. */
  static String pathOnly(String target) {
    if (target == null || target.isEmpty()) {
      return "/";
    }
    String t = target;
    if (!t.startsWith("/")) {
      int scheme = t.indexOf("://");
      if (scheme > 0) {
        int slash = t.indexOf('/', scheme + 3);
        t = slash < 0 ? "/" : t.substring(slash);
      }
    }
    int end = t.length();
    int q = t.indexOf('?');
    if (q >= 0) {
      end = q;
    }
    int f = t.indexOf('#');
    if (f >= 0 && f < end) {
      end = f;
    }
    return end == t.length() ? t : t.substring(0, end);
  }
}
