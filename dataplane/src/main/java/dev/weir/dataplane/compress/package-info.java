/**
 * Response compression: {@code Accept-Encoding} negotiation ({@link
 * dev.weir.dataplane.compress.AcceptEncoding}), the decision whether a response is compressed and
 * the rewriting of its head ({@link dev.weir.dataplane.compress.Compression}, {@link
 * dev.weir.dataplane.compress.ResponseHeaders}), and streaming gzip, brotli and zstd encoders
 * ({@link dev.weir.dataplane.compress.ContentEncoder}) that free their native state on every path.
 * No channel types: the proxy feeds content in and writes what comes out.
 */
package dev.weir.dataplane.compress;
