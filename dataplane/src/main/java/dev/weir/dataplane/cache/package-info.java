/**
 * The pure core of an RFC 9111 shared HTTP cache: Cache-Control parsing, storability, freshness
 * and Age, Vary keys, client conditionals, upstream revalidation, byte-bounded storage and
 * collapsed forwarding of concurrent misses. Nothing here touches a channel or a ByteBuf: the
 * proxy hands in header and body values and acts on the decisions returned.
 *
 * <p>Order of use per request: {@link dev.weir.dataplane.cache.HttpCache#lookup} (bypass, miss,
 * hit with a {@link dev.weir.dataplane.cache.Freshness}), then for a hit
 * {@link dev.weir.dataplane.cache.ClientConditionals} (304 or full); for a miss or a revalidation
 * {@link dev.weir.dataplane.cache.CollapsedForwarding#join} and
 * {@link dev.weir.dataplane.cache.Revalidation#prepareUpstreamRequest}; on the upstream answer
 * {@link dev.weir.dataplane.cache.HttpCache#store} or {@link dev.weir.dataplane.cache.HttpCache#freshen}.
 */
package dev.weir.dataplane.cache;
