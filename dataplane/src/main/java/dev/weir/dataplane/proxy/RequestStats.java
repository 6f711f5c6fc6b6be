package dev.weir.dataplane.proxy;

/** Where the proxy counts what it serves; implemented by the metrics. Called on event loops, must be cheap. */
public interface RequestStats {

  RequestStats NONE = new RequestStats() {};

  default void connectionOpened() {}

  default void connectionClosed() {}

  /**
   * One response sent downstream (its head, at least).
   *
   * @param route the matched route's name, or null when no route matched
   */
  default void requestCompleted(String route, int status) {}
}
