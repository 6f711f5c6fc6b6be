package dev.weir.snapshot;

/** How the dataplane speaks to a cluster's endpoints. */
public enum UpstreamProtocol {
  /** HTTP/1.1 over pooled keep-alive connections (the default). */
  HTTP1,
  /**
   * HTTP/2 over cleartext TCP with prior knowledge, many requests multiplexed on one connection per
   * endpoint and event loop; response trailers pass through, so gRPC works end to end.
   */
  H2C
}
