package dev.weir.dataplane.balance;

import dev.weir.snapshot.ClusterResilience;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The endpoints of one cluster and what is known about them, shared by every route to the cluster.
 * {@link #started} and {@link #finished} are called for every attempt (retries included) on any
 * event loop; they keep the in-flight counts that least-request reads and feed outlier ejection.
 *
 * <p><b>Passive outlier ejection.</b> {@link ClusterResilience#ejectAfter5xx()} 5xx answers in a
 * row, or {@link ClusterResilience#ejectAfterConnectFailures()} connect failures, resets or timeouts
 * in a row, eject an endpoint for n times {@link ClusterResilience#baseEjection()} (n: how often it
 * was ejected, the ejection lasting at most {@link ClusterResilience#maxEjection()}); a success
 * resets both counts, a cancelled attempt changes nothing. An endpoint that stayed in for
 * {@code maxEjection} after its last ejection ended starts counting ejections from one again. Never
 * more than {@link ClusterResilience#maxEjectedPercent()} of the endpoints are ejected at once,
 * and never the last available one. The ejection ends by itself when its time is up
 * ({@link EndpointState#available}); no timer runs.
 *
 * <p><b>Panic mode</b> (Envoy's term): when no endpoint is available (all ejected or failing health
 * checks, e.g. every health check failing because the check itself is wrong), the pickers ignore
 * availability and spread over all endpoints rather than fail every request.
 */
public final class ClusterEndpoints {
  private final String cluster;
  private final List<EndpointState> endpoints;
  private final ClusterResilience resilience;
  private final HealthChecker.Probe healthProbe;
  private final LongSupplier nanoTime;
  private final EndpointListener listener;
  private final long slowStartNanos;
  private final long baseEjectionNanos;
  private final long maxEjectionNanos;

  /** Endpoints at full weight with the default resilience settings and the system clock. */
  public ClusterEndpoints(String cluster, List<InetSocketAddress> addresses) {
    this(cluster, addresses, ClusterResilience.DEFAULT, System::nanoTime);
  }

  /** Endpoints at full weight (no slow start: they are all new) with {@code resilience}, on {@code nanoTime}. */
  public ClusterEndpoints(String cluster, List<InetSocketAddress> addresses, ClusterResilience resilience, LongSupplier nanoTime) {
    this(cluster, fresh(addresses), resilience, null, nanoTime, EndpointListener.NONE);
  }

  /**
   * Over existing endpoint states (kept across snapshots by {@link ClusterRegistry}).
   *
   * @param healthProbe how its endpoints are health checked (as the proxy speaks to them); null: never actively checked
   */
  public ClusterEndpoints(String cluster, List<EndpointState> endpoints, ClusterResilience resilience, HealthChecker.Probe healthProbe,
      LongSupplier nanoTime, EndpointListener listener) {
    this.cluster = cluster;
    this.endpoints = List.copyOf(endpoints);
    this.resilience = resilience == null ? ClusterResilience.DEFAULT : resilience;
    this.healthProbe = healthProbe;
    this.nanoTime = nanoTime;
    this.listener = listener;
    this.slowStartNanos = TimeUnit.MILLISECONDS.toNanos(this.resilience.slowStartMillis());
    this.baseEjectionNanos = TimeUnit.MILLISECONDS.toNanos(this.resilience.baseEjection());
    this.maxEjectionNanos = TimeUnit.MILLISECONDS.toNanos(this.resilience.maxEjection());
  }

  private static List<EndpointState> fresh(List<InetSocketAddress> addresses) {
    List<EndpointState> list = new ArrayList<>(addresses.size());
    for (InetSocketAddress a : addresses) {
      list.add(new EndpointState(a));
    }
    return list;
  }

  public String cluster() {
    return cluster;
  }

  /** Every endpoint, available or not, in snapshot order. */
  public List<EndpointState> endpoints() {
    return endpoints;
  }

  public ClusterResilience resilience() {
    return resilience;
  }

  /** How its endpoints are health checked when it has a health check; null: never actively checked. */
  public HealthChecker.Probe healthProbe() {
    return healthProbe;
  }

  /** The clock everything here reads (System::nanoTime but in tests). */
  public long nanoTime() {
    return nanoTime.getAsLong();
  }

  LongSupplier clock() {
    return nanoTime;
  }

  EndpointListener listener() {
    return listener;
  }

  /** Slow start duration, 0 for none. */
  long slowStartNanos() {
    return slowStartNanos;
  }

  /** An attempt to {@code e} begins. */
  public void started(EndpointState e) {
    e.started();
  }

  /**
   * The attempt begun with {@link #started} ended so; call exactly once per start. Harmless for an
   * endpoint a later snapshot dropped (only its in-flight count changes).
   */
  public void finished(EndpointState e, Outcome outcome) {
    e.finished();
    if (e.removed || outcome == null) {
      return;
    }
    switch (outcome) {
      case SUCCESS -> {
        // Read first: a plain read keeps the cache line shared on the common path.
        if (e.consecutive5xx.get() != 0) {
          e.consecutive5xx.set(0);
        }
        if (e.consecutiveFailures.get() != 0) {
          e.consecutiveFailures.set(0);
        }
      }
      case HTTP_5XX -> failed(e, e.consecutive5xx, resilience.ejectAfter5xx());
      case CONNECT_FAILURE, RESET, TIMEOUT -> failed(e, e.consecutiveFailures, resilience.ejectAfterConnectFailures());
      case CANCELLED -> {}
    }
  }

  private void failed(EndpointState e, AtomicInteger consecutive, int threshold) {
    if (threshold > 0 && consecutive.incrementAndGet() >= threshold) {
      eject(e);
    }
  }

  /** Ejects {@code e} unless that would eject too many; the failure counts go on otherwise, so the next failure tries again. */
  private synchronized void eject(EndpointState e) {
    long now = nanoTime.getAsLong();
    if (e.ejected(now)) {
      return;
    }
    int ejected = 0;
    int othersAvailable = 0;
    for (int i = 0; i < endpoints.size(); i++) {
      EndpointState x = endpoints.get(i);
      if (x.ejected(now)) {
        ejected++;
      } else if (x != e && x.available(now)) {
        othersAvailable++;
      }
    }
    if ((ejected + 1) * 100L > (long) endpoints.size() * resilience.maxEjectedPercent() || othersAvailable == 0) {
      return;
    }
    if (e.everEjected() && now - e.ejectedUntilNanos() >= maxEjectionNanos) {
      e.ejections = 0; // it behaved for a whole maximum ejection: forget the earlier ones
    }
    if (e.ejections < Integer.MAX_VALUE) {
      e.ejections++;
    }
    long duration = Math.min(maxEjectionNanos, baseEjectionNanos * Math.min(e.ejections, 1_000_000L));
    e.eject(now + duration);
    e.consecutive5xx.set(0);
    e.consecutiveFailures.set(0);
    listener.ejected(cluster, e.address());
  }

  /** How many endpoints are ejected now (for the gauge). */
  public int ejectedCount() {
    long now = nanoTime.getAsLong();
    int n = 0;
    for (int i = 0; i < endpoints.size(); i++) {
      if (endpoints.get(i).ejected(now)) {
        n++;
      }
    }
    return n;
  }

  /** How many endpoints fail their active health check now (for the gauge). */
  public int unhealthyCount() {
    int n = 0;
    for (int i = 0; i < endpoints.size(); i++) {
      if (!endpoints.get(i).healthy()) {
        n++;
      }
    }
    return n;
  }
}
