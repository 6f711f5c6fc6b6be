package dev.weir.dataplane.proxy;

import dev.weir.dataplane.config.ConfigHolder;
import dev.weir.dataplane.upstream.UpstreamConnector;

/**
 * What every downstream connection of one listener shares.
 *
 * @param scheme {@code http} or {@code https}: what X-Forwarded-Proto says
 * @param traffic the dataplane's per-cluster load (circuit breakers, retry budgets), shared by its listeners
 * @param caching the replica's HTTP cache, or null when caching is off ({@code --cache-size 0})
 */
public record ProxyContext(
    ConfigHolder config, UpstreamConnector upstreams, RequestStats stats, ProxySettings settings, String scheme, TrafficState traffic,
    ResponseCaching caching) {

  /** Without a cache. */
  public ProxyContext(ConfigHolder config, UpstreamConnector upstreams, RequestStats stats, ProxySettings settings, String scheme,
      TrafficState traffic) {
    this(config, upstreams, stats, settings, scheme, traffic, null);
  }

  /** With the traffic state of the dataplane that serves {@code config}. */
  public ProxyContext(ConfigHolder config, UpstreamConnector upstreams, RequestStats stats, ProxySettings settings, String scheme) {
    this(config, upstreams, stats, settings, scheme, new TrafficState());
  }
}
