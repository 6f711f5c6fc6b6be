package dev.weir.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;

/**
 * Requests that match any of {@code matches} go to {@code backends}, with the rule's {@code timeouts},
 * {@code maxRequestBodySize}, {@code loadBalancer} and {@code retries}, and a copy to {@code mirror}; responses
 * may be cached ({@code cache}) and compressed ({@code compression}). No matches means "every path".
 * {@code permitInsecure} exempts the rule from the route's HTTP-to-HTTPS redirect.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RouteRule {
  /** A non-negative decimal with an optional decimal (k, M, G, T, P, E) or binary (Ki ... Ei) suffix. */
  public static final String MAX_BODY_SIZE_PATTERN = "^[0-9]+(\\.[0-9]+)?([kMGTPE]|[KMGTPE]i)?$";

  @Size(max = 16)
  private List<RouteMatch> matches = new ArrayList<>();

  @Required
  @Size(min = 1, max = 16)
  @ValidationRule(value = "self.exists(b, b.weight > 0)", message = "at least one backend must have a weight above 0")
  private List<RouteBackend> backends = new ArrayList<>();

  private RouteTimeouts timeouts;

  /** How an endpoint of the chosen backend is picked; omitted: LeastRequest. */
  private RouteLoadBalancer loadBalancer;

  /** When failed attempts are tried again; omitted: once more on connect failures and resets. */
  private RouteRetries retries;

  /** A Service that gets a copy of every request, its answers discarded. */
  private RouteMirror mirror;

  /** The rule's HTTP cache; omitted: not cached. */
  private RouteCache cache;

  /** The rule's response compression; omitted: not compressed. */
  private RouteCompression compression;

  /**
   * Larger request bodies are answered 413. A Kubernetes quantity of bytes ({@code 1Mi}, {@code 10M},
   * {@code 512k}, {@code 1048576}); {@code 0} or omitted: no limit. A string in Java, so that a value the
   * API server did not validate still deserialises and gets Accepted=False instead of breaking the informer.
   */
  @SchemaFrom(type = Quantity.class)
  @Pattern(MAX_BODY_SIZE_PATTERN)
  private String maxRequestBodySize;

  /**
   * true: serve this rule over plain HTTP even when the route redirects plain HTTP to HTTPS
   * ({@code spec.tls.redirect}), as Contour's {@code permitInsecure}. Omitted: false.
   */
  private Boolean permitInsecure;

  public List<RouteMatch> getMatches() {
    return matches;
  }

  public void setMatches(List<RouteMatch> matches) {
    this.matches = matches;
  }

  public List<RouteBackend> getBackends() {
    return backends;
  }

  public void setBackends(List<RouteBackend> backends) {
    this.backends = backends;
  }

  public RouteTimeouts getTimeouts() {
    return timeouts;
  }

  public void setTimeouts(RouteTimeouts timeouts) {
    this.timeouts = timeouts;
  }

  public RouteLoadBalancer getLoadBalancer() {
    return loadBalancer;
  }

  public void setLoadBalancer(RouteLoadBalancer loadBalancer) {
    this.loadBalancer = loadBalancer;
  }

  public RouteRetries getRetries() {
    return retries;
  }

  public void setRetries(RouteRetries retries) {
    this.retries = retries;
  }

  public RouteMirror getMirror() {
    return mirror;
  }

  public void setMirror(RouteMirror mirror) {
    this.mirror = mirror;
  }

  public RouteCache getCache() {
    return cache;
  }

  public void setCache(RouteCache cache) {
    this.cache = cache;
  }

  public RouteCompression getCompression() {
    return compression;
  }

  public void setCompression(RouteCompression compression) {
    this.compression = compression;
  }

  public String getMaxRequestBodySize() {
    return maxRequestBodySize;
  }

  public void setMaxRequestBodySize(String maxRequestBodySize) {
    this.maxRequestBodySize = maxRequestBodySize;
  }

  public Boolean getPermitInsecure() {
    return permitInsecure;
  }

  public void setPermitInsecure(Boolean permitInsecure) {
    this.permitInsecure = permitInsecure;
  }
}
