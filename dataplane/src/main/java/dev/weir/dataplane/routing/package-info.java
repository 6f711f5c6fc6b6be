/**
 * Pure routing: {@link dev.weir.dataplane.routing.RouteTable} compiled from a snapshot, matched by
 * host (exact, one-label wildcard, {@code *}) and path (EXACT map, REGEX in order, PREFIX trie,
 * longest first), then headers and method. No Netty channel types, no I/O.
 */
package dev.weir.dataplane.routing;
