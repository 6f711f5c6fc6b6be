package dev.weir.dataplane.balance;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One endpoint of a cluster, as every route to the cluster sees it: requests in flight, whether it is
 * ejected (passive) or failing its health check (active), and when it joined (slow start). Lives as
 * long as the endpoint stays in the cluster, across snapshots. Thread-safe: every event loop picks
 * and reports.
 */
public final class EndpointState {
  private final InetSocketAddress address;
  private final AtomicInteger inFlight = new AtomicInteger();

  public EndpointState(InetSocketAddress address) {
    this.address = address;
  }

  public InetSocketAddress address() {
    return address;
  }

  public int inFlight() {
    return inFlight.get();
  }

  void started() {
    inFlight.incrementAndGet();
  }

  void finished() {
    inFlight.decrementAndGet();
  }

  /** Whether new requests may go here now (not ejected, not failing its health check). */
  public boolean available(long nowNanos) {
    return true;
  }

  @Override
  public String toString() {
    return address.toString();
  }
}
