/**
 * The JSON access log: {@link dev.weir.dataplane.accesslog.AccessLogFormat} makes one line per
 * request on the event loop, {@link dev.weir.dataplane.accesslog.AccessLogWriter} writes the lines in
 * batches from a thread of its own, and {@link dev.weir.dataplane.accesslog.AccessLog} joins them to
 * the proxy's {@link dev.weir.dataplane.proxy.RequestStats}.
 */
package dev.weir.dataplane.accesslog;
