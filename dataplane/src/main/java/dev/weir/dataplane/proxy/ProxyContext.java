package dev.weir.dataplane.proxy;

import dev.weir.dataplane.config.ConfigHolder;
import dev.weir.dataplane.upstream.UpstreamConnector;

/**
 * What every downstream connection of one listener shares.
 *
 * @param scheme {@code http} or {@code https}: what X-Forwarded-Proto says
 */
public record ProxyContext(
    ConfigHolder config, UpstreamConnector upstreams, RequestStats stats, ProxySettings settings, String scheme) {}
