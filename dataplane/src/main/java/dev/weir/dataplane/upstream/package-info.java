/**
 * Upstream endpoints and connections: round robin over a cluster's endpoints, and keep-alive
 * connection pools kept per event loop, so a request and its upstream connection share a thread; and
 * the active health checks' probe, which speaks to a cluster as the proxy does (TLS, HTTP/2).
 */
package dev.weir.dataplane.upstream;
