/**
 * The HTTP/1.1 reverse proxy: {@link dev.weir.dataplane.proxy.FrontendHandler} per downstream
 * connection, an {@code Exchange} per request relaying bodies in both directions with backpressure,
 * {@link dev.weir.dataplane.proxy.BackendHandler} on upstream connections, and the header rewriting
 * and error responses around them.
 */
package dev.weir.dataplane.proxy;
