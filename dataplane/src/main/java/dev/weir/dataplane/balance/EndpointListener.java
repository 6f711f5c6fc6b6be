package dev.weir.dataplane.balance;

import java.net.InetSocketAddress;

/**
 * What load balancing tells the outside (the metrics) about endpoints; implemented by
 * {@code DataplaneMetrics}, so this package depends on no meter library. Called on event loops
 * (ejections, and active health checks): must be cheap, thread-safe and never block.
 */
public interface EndpointListener {

  EndpointListener NONE = new EndpointListener() {};

  /** {@code endpoint} of {@code cluster} was just ejected (passive outlier detection). */
  default void ejected(String cluster, InetSocketAddress endpoint) {}

  /** An active health check of {@code endpoint} passed or failed. */
  default void healthChecked(String cluster, InetSocketAddress endpoint, boolean success) {}
}
