/**
 * Upstream endpoints and connections: round robin over a cluster's endpoints, and keep-alive
 * connection pools kept per event loop, so a request and its upstream connection share a thread.
 */
package dev.weir.dataplane.upstream;
