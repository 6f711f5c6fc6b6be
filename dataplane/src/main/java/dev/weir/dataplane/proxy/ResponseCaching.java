package dev.weir.dataplane.proxy;

import dev.weir.dataplane.cache.CollapsedForwarding;
import dev.weir.dataplane.cache.HttpCache;

/**
 * A dataplane replica's HTTP cache and its flights of collapsed misses, shared by every connection of
 * every listener (one byte bound for all routes, as the replica's {@code --cache-size}).
 */
public record ResponseCaching(HttpCache cache, CollapsedForwarding flights) {}
