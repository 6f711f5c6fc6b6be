package dev.weir.dataplane.routing;

import dev.weir.dataplane.compress.Compression;
import dev.weir.dataplane.compress.CompressionSettings;
import dev.weir.dataplane.compress.ContentCoding;
import dev.weir.dataplane.compress.MediaTypes;
import dev.weir.snapshot.ClientValidation;
import dev.weir.snapshot.CompressionPolicy;
import dev.weir.snapshot.CookieMatch;
import dev.weir.snapshot.HeaderMatch;
import dev.weir.snapshot.LoadBalancer;
import dev.weir.snapshot.Route;
import dev.weir.snapshot.WeightedCluster;
import java.util.List;
import java.util.Locale;

/**
 * A route compiled for matching, and the result of a successful match: the snapshot's route, the
 * virtual host it belongs to, and a picker over its weighted cluster names.
 */
public final class RouteMatch {

  private final String virtualHost;
  private final Route route;
  private final List<HeaderMatch> headers;
  private final List<CookieMatch> cookies;
  private final String method;
  private final WeightedPicker<String> backends;
  private final ClientValidation clientValidation;
  /** Compiled once per snapshot: settings objects are shared by every request of the route. */
  private final Compression compression;

  RouteMatch(String virtualHost, Route route) {
    this(virtualHost, route, null);
  }

  RouteMatch(String virtualHost, Route route, ClientValidation clientValidation) {
    this.virtualHost = virtualHost;
    this.clientValidation = clientValidation;
    this.route = route;
    this.headers = route.headers();
    this.cookies = route.cookies();
    this.method = route.method() == null || route.method().isBlank() ? null : route.method().trim().toUpperCase(Locale.ROOT);
    this.backends =
        new WeightedPicker<>(
            route.backends().stream().map(WeightedCluster::cluster).toList(),
            route.backends().stream().map(WeightedCluster::weight).toList());
    this.compression = route.compression() == null ? null : compression(route.compression());
  }

  private static Compression compression(CompressionPolicy p) {
    List<ContentCoding> preference = p.offered().stream().map(ContentCoding::fromToken).toList();
    CompressionSettings s = CompressionSettings.defaults().withPreference(preference).withMinLength(p.minimum());
    return new Compression(p.contentTypes().isEmpty() ? s : s.withTypes(MediaTypes.of(p.contentTypes())));
  }

  /** The route's response compression, or null for none. */
  public Compression compression() {
    return compression;
  }

  public String virtualHost() {
    return virtualHost;
  }

  public Route route() {
    return route;
  }

  /** The client certificates the route's virtual host demands over HTTPS, or null for none. */
  public ClientValidation clientValidation() {
    return clientValidation;
  }

  public String name() {
    return route.name();
  }

  /** Smooth weighted round robin over the route's clusters; weight-0 clusters are never picked. */
  public WeightedPicker<String> backends() {
    return backends;
  }

  /**
   * How an endpoint of the chosen cluster is picked: the proxy takes
   * {@code config.cluster(name).picker(match.loadBalancer())}, built with the config.
   */
  public LoadBalancer loadBalancer() {
    return route.loadBalancer();
  }

  /** The next cluster name for this route, or null when it has no cluster with a positive weight. */
  public String pickCluster() {
    return backends.pick();
  }

  boolean accepts(String requestMethod, HeaderLookup requestHeaders) {
    if (method != null && !method.equals(requestMethod)) {
      return false;
    }
    for (HeaderMatch h : headers) {
      if (!requestHeaders.values(h.name()).contains(h.value())) {
        return false;
      }
    }
    if (!cookies.isEmpty()) {
      List<String> cookieHeaders = requestHeaders.values("cookie");
      for (CookieMatch c : cookies) {
        if (!c.value().equals(Cookies.value(cookieHeaders, c.name()))) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "RouteMatch[" + virtualHost + " " + route.name() + "]";
  }
}
