package dev.weir.dataplane.proxy;

/** What uses an upstream connection for one request: an {@link Exchange}, or a {@link Mirror}'s copy. */
interface UpstreamUser {

  void onUpstreamMessage(Object msg);

  void onUpstreamReadComplete();

  void onUpstreamWritabilityChanged();

  /** The connection closed or failed ({@code cause} null: closed). */
  void onUpstreamClosed(Throwable cause);
}
