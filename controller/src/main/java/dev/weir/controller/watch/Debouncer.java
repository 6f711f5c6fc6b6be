package dev.weir.controller.watch;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces bursts of change events into few rebuilds (Contour's holdoff): a rebuild runs
 * {@code holdoffMillis} after the last request, but never later than {@code maxDelayMillis} after the
 * first one of a burst. A burst of 1,000 object changes thus yields a handful of snapshots, while a single
 * change is translated after a few milliseconds.
 */
public final class Debouncer implements RebuildTrigger {
  private static final Logger log = LoggerFactory.getLogger(Debouncer.class);

  private final ScheduledExecutorService executor;
  private final String name;
  private final Runnable rebuild;
  private final long holdoffNanos;
  private final long maxDelayNanos;

  // Guarded by this.
  private long firstRequestNanos = -1;
  private ScheduledFuture<?> pending;
  private volatile boolean enabled;

  public Debouncer(String name, ScheduledExecutorService executor, Runnable rebuild, long holdoffMillis, long maxDelayMillis) {
    this.name = name;
    this.executor = executor;
    this.rebuild = rebuild;
    this.holdoffNanos = TimeUnit.MILLISECONDS.toNanos(holdoffMillis);
    this.maxDelayNanos = TimeUnit.MILLISECONDS.toNanos(maxDelayMillis);
  }

  /** Until enabled (informer caches synced), requests are remembered but nothing runs: a rebuild from a
   * half-filled cache would push a snapshot missing routes and cause an outage. */
  public synchronized void enable() {
    enabled = true;
    request("caches synced");
  }

  @Override
  public synchronized void request(String why) {
    log.debug("{} requested: {}", name, why);
    long now = System.nanoTime();
    if (firstRequestNanos < 0) firstRequestNanos = now;
    if (!enabled) return;
    if (pending != null) pending.cancel(false);
    long deadline = Math.min(now + holdoffNanos, firstRequestNanos + maxDelayNanos);
    try {
      pending = executor.schedule(this::run, Math.max(0, deadline - now), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // Shutting down: informer threads may still deliver a last event; there is nothing left to do.
      pending = null;
    }
  }

  private void run() {
    synchronized (this) {
      firstRequestNanos = -1;
      pending = null;
    }
    try {
      rebuild.run();
    } catch (RuntimeException e) {
      // A bug in translation must not kill the scheduler thread; the next event retries.
      log.error("{} failed", name, e);
    }
  }
}
