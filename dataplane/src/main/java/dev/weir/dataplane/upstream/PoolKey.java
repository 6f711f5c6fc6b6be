package dev.weir.dataplane.upstream;

import java.net.InetSocketAddress;

/**
 * What pooled connections are shared by: the endpoint and the TLS settings (null: plain TCP), so that a
 * TLS and a plain connection to one address, or TLS connections with different settings, never mix.
 */
record PoolKey(InetSocketAddress endpoint, UpstreamTlsContext tls) {}
