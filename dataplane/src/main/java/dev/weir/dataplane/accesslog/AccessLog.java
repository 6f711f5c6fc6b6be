package dev.weir.dataplane.accesslog;

import dev.weir.dataplane.proxy.RequestRecord;
import dev.weir.dataplane.proxy.RequestStats;
import dev.weir.dataplane.proxy.UpstreamError;

/**
 * The proxy's {@link RequestStats} with an access log: passes everything on to the meters, and
 * formats every finished request into a line for the {@link AccessLogWriter} (on the event loop; the
 * writer does the I/O on its own thread).
 */
public final class AccessLog implements RequestStats {

  private final RequestStats inner;
  private final AccessLogWriter writer;

  public AccessLog(RequestStats inner, AccessLogWriter writer) {
    this.inner = inner;
    this.writer = writer;
  }

  @Override
  public void requestFinished(RequestRecord record) {
    inner.requestFinished(record);
    writer.offer(AccessLogFormat.format(record, System.currentTimeMillis()));
  }

  @Override
  public boolean wantsRequestDetails() {
    return true;
  }

  @Override
  public void connectionOpened() {
    inner.connectionOpened();
  }

  @Override
  public void connectionClosed() {
    inner.connectionClosed();
  }

  @Override
  public void requestCompleted(String route, int status) {
    inner.requestCompleted(route, status);
  }

  @Override
  public void upstreamError(String route, UpstreamError kind) {
    inner.upstreamError(route, kind);
  }

  @Override
  public void upstreamConnected(String cluster, long nanos) {
    inner.upstreamConnected(cluster, nanos);
  }

  @Override
  public void tlsHandshake(boolean success) {
    inner.tlsHandshake(success);
  }

  @Override
  public void connectionAccepted(String listener) {
    inner.connectionAccepted(listener);
  }

  @Override
  public void upstreamRetry(String route, String reason) {
    inner.upstreamRetry(route, reason);
  }

  @Override
  public void retryBudgetExhausted(String cluster) {
    inner.retryBudgetExhausted(cluster);
  }

  @Override
  public void circuitBreakerTrip(String cluster, String kind) {
    inner.circuitBreakerTrip(cluster, kind);
  }

  @Override
  public void mirrorRequest(String cluster, String result) {
    inner.mirrorRequest(cluster, result);
  }

  @Override
  public void responseCompressed(String encoding) {
    inner.responseCompressed(encoding);
  }

  @Override
  public void cacheResult(String route, String result) {
    inner.cacheResult(route, result);
  }
}
