package dev.weir.dataplane.balance;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One endpoint of a cluster, as every route to the cluster sees it: requests in flight, whether it is
 * ejected (passive) or failing its health check (active), and when it joined (slow start). Lives as
 * long as the endpoint stays in the cluster, across snapshots ({@link ClusterRegistry} hands the same
 * object to every snapshot's {@link ClusterEndpoints}). Thread-safe: every event loop picks and reports.
 */
public final class EndpointState {
  /** Weight of an endpoint at full weight; slow start begins at a tenth of it. */
  public static final int FULL_WEIGHT = 100;
  static final int MIN_WEIGHT = 10;

  private final InetSocketAddress address;
  /** Its ring and table name: {@code ip:port}. */
  final String key;
  private final AtomicInteger inFlight = new AtomicInteger();
  /** When it joined, for slow start; meaningless when {@link #fullWeight}. */
  private final long joinedNanos;
  private final boolean fullWeight;

  // Passive outlier detection. The counters are written on every finished attempt; the rest only
  // under the cluster's lock when ejecting.
  final AtomicInteger consecutive5xx = new AtomicInteger();
  final AtomicInteger consecutiveFailures = new AtomicInteger();
  private volatile boolean ejected;
  private volatile long ejectedUntilNanos;
  int ejections; // guarded by the ClusterEndpoints lock

  // Active health checks: written by the event loop that checks this endpoint only.
  private volatile boolean healthy = true;
  private int passes;
  private int failures;

  /** Dropped from its cluster by a later snapshot: what it reports changes nothing any more. */
  volatile boolean removed;

  /** An endpoint at full weight from the start. */
  public EndpointState(InetSocketAddress address) {
    this(address, 0, true);
  }

  EndpointState(InetSocketAddress address, long joinedNanos, boolean fullWeight) {
    this.address = address;
    this.key = Hashing.key(address);
    this.joinedNanos = joinedNanos;
    this.fullWeight = fullWeight;
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
    return healthy && !ejected(nowNanos);
  }

  /** Ejected by passive outlier detection, and the ejection not over at {@code nowNanos}. */
  public boolean ejected(long nowNanos) {
    return ejected && nowNanos - ejectedUntilNanos < 0;
  }

  /** Whether it passes its active health check (always true without one). */
  public boolean healthy() {
    return healthy;
  }

  /**
   * Its weight now, {@link #MIN_WEIGHT} to {@link #FULL_WEIGHT}: growing linearly from a tenth to
   * full over {@code slowStartNanos} after it joined (0: no slow start).
   */
  public int weight(long nowNanos, long slowStartNanos) {
    if (fullWeight || slowStartNanos <= 0) {
      return FULL_WEIGHT;
    }
    long age = nowNanos - joinedNanos;
    if (age >= slowStartNanos) {
      return FULL_WEIGHT;
    }
    if (age <= 0) {
      return MIN_WEIGHT;
    }
    return MIN_WEIGHT + (int) ((FULL_WEIGHT - MIN_WEIGHT) * (double) age / slowStartNanos);
  }

  /** Ejects until {@code untilNanos}; the caller holds the cluster's lock. */
  void eject(long untilNanos) {
    ejectedUntilNanos = untilNanos;
    ejected = true;
  }

  long ejectedUntilNanos() {
    return ejectedUntilNanos;
  }

  boolean everEjected() {
    return ejected;
  }

  /**
   * Records one active check; {@code unhealthyAfter} failures in a row take it out, {@code
   * healthyAfter} passes in a row bring it back. Called by one event loop at a time.
   *
   * @return true when this changed whether it is healthy
   */
  synchronized boolean checked(boolean passed, int unhealthyAfter, int healthyAfter) {
    if (passed) {
      failures = 0;
      passes++;
      if (!healthy && passes >= healthyAfter) {
        healthy = true;
        return true;
      }
    } else {
      passes = 0;
      failures++;
      if (healthy && failures >= unhealthyAfter) {
        healthy = false;
        return true;
      }
    }
    return false;
  }

  /** Back to healthy, as when its cluster stops being health checked. */
  synchronized void resetHealth() {
    healthy = true;
    passes = 0;
    failures = 0;
  }

  @Override
  public String toString() {
    return address.toString();
  }
}
