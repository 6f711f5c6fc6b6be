package dev.weir.dataplane.balance;

import dev.weir.snapshot.ClusterResilience.HealthCheck;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks, off the proxy's event loops: one check per endpoint per interval (fixed
 * delay, the first after a random part of the interval so checks spread out), on a small pool of
 * its own. Endpoints start healthy; {@link HealthCheck#unhealthy()} failures in a row take one out,
 * {@link HealthCheck#healthy()} passes bring it back. Clusters spoken to over TLS are not checked
 * (passive ejection still applies to them). An endpoint whose cluster stops being checked is
 * healthy again. {@link ClusterRegistry} updates it on every commit.
 */
public final class HealthChecker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

  /** One check: true when it passed. Blocking, but it must give up after {@code check.timeout()}. */
  @FunctionalInterface
  public interface Probe {
    boolean check(InetSocketAddress address, HealthCheck check) throws Exception;
  }

  /** Makes the health checker when one is first needed. */
  @FunctionalInterface
  public interface Factory {
    HealthChecker create();
  }

  private final ScheduledExecutorService executor;
  private final boolean ownsExecutor;
  private final Probe probe;
  private Map<EndpointState, Task> tasks = new IdentityHashMap<>(); // guarded by this

  /** Checks on {@code executor} (not shut down by {@link #close}). */
  public HealthChecker(ScheduledExecutorService executor, Probe probe) {
    this(executor, false, probe);
  }

  private HealthChecker(ScheduledExecutorService executor, boolean ownsExecutor, Probe probe) {
    this.executor = executor;
    this.ownsExecutor = ownsExecutor;
    this.probe = probe;
  }

  /** A checker on {@code threads} daemon threads of its own, stopped by {@link #close}. */
  public static HealthChecker start(int threads, Probe probe) {
    AtomicInteger n = new AtomicInteger();
    ScheduledExecutorService executor = Executors.newScheduledThreadPool(threads, r -> {
      Thread t = new Thread(r, "weir-health-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    return new HealthChecker(executor, true, probe);
  }

  /** Checks exactly the endpoints of {@code clusters} that have a health check (and no TLS). */
  public synchronized void update(Collection<ClusterEndpoints> clusters) {
    Map<EndpointState, Task> next = new IdentityHashMap<>();
    for (ClusterEndpoints c : clusters) {
      HealthCheck check = c.resilience().healthCheck();
      if (check == null || c.tls()) {
        continue;
      }
      for (EndpointState e : c.endpoints()) {
        Task t = tasks.remove(e);
        if (t != null && t.check.equals(check)) {
          t.cluster = c;
        } else {
          if (t != null) {
            t.cancel();
          }
          t = new Task(e, c, check);
          long interval = check.interval();
          t.future = executor.scheduleWithFixedDelay(
              t, ThreadLocalRandom.current().nextLong(interval) + 1, interval, TimeUnit.MILLISECONDS);
        }
        next.put(e, t);
      }
    }
    for (Task t : tasks.values()) {
      t.cancel();
      t.state.resetHealth();
    }
    tasks = next;
  }

  /** How many endpoints are being checked. */
  public synchronized int checking() {
    return tasks.size();
  }

  @Override
  public synchronized void close() {
    for (Task t : tasks.values()) {
      t.cancel();
    }
    tasks = new HashMap<>();
    if (ownsExecutor) {
      executor.shutdownNow();
    }
  }

  private final class Task implements Runnable {
    final EndpointState state;
    final HealthCheck check;
    volatile ClusterEndpoints cluster;
    volatile ScheduledFuture<?> future;
    private volatile boolean cancelled;

    Task(EndpointState state, ClusterEndpoints cluster, HealthCheck check) {
      this.state = state;
      this.cluster = cluster;
      this.check = check;
    }

    void cancel() {
      cancelled = true;
      ScheduledFuture<?> f = future;
      if (f != null) {
        f.cancel(false);
      }
    }

    @Override
    public void run() {
      boolean passed;
      try {
        passed = probe.check(state.address(), check);
      } catch (Exception e) {
        passed = false;
      } catch (Throwable t) {
        log.warn("health check of {} failed unexpectedly", state.address(), t);
        passed = false;
      }
      if (cancelled) {
        return;
      }
      ClusterEndpoints c = cluster;
      if (state.checked(passed, check.unhealthy(), check.healthy())) {
        log.info("cluster {} endpoint {} is {} (active health check {})", c.cluster(), state.address(),
            passed ? "healthy again" : "unhealthy", check.path());
      }
      c.listener().healthChecked(c.cluster(), state.address(), passed);
    }
  }
}
