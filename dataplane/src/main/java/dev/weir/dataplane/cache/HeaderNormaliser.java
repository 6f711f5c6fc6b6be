package dev.weir.dataplane.cache;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * Turns a request into the value one Vary-named header contributes to the secondary key
 * (RFC 9111 §4.1 allows normalising). Example: the proxy compresses responses itself, so it keys
 * {@code Accept-Encoding} by the encoding it will choose ("br", "gzip", "identity") rather than by
 * the raw header, and clients with equivalent headers share one variant.
 */
@FunctionalInterface
public interface HeaderNormaliser {

  /** The normalised value, or null when the request should count as not having the header. */
  String normalise(HttpHeaders request);
}
