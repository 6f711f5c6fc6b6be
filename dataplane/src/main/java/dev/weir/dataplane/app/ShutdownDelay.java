package dev.weir.dataplane.app;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The first phase of a drain: readiness fails at once, while the listeners keep accepting and
 * serving for the configured delay, so that Service endpoints and load balancers stop sending new
 * connections before any listener closes. A connection that arrives in that window is served, not
 * refused: that is the whole point of the delay.
 *
 * <p>Started by SIGTERM (through {@link Dataplane#close}) or by the admin {@code /drain} endpoint
 * (a Kubernetes {@code preStop} hook), whichever comes first; the delay counts from then, once.
 */
final class ShutdownDelay {

  private final Duration delay;
  private final ScheduledExecutorService timer;
  private final AtomicBoolean begun = new AtomicBoolean();
  private final CompletableFuture<Void> elapsed = new CompletableFuture<>();
  private final Runnable onBegin;

  /**
   * @param timer where the end of the delay is scheduled
   * @param onBegin runs once, when the drain begins (e.g. to set a gauge)
   */
  ShutdownDelay(Duration delay, ScheduledExecutorService timer, Runnable onBegin) {
    this.delay = delay;
    this.timer = timer;
    this.onBegin = onBegin;
  }

  /** Begins the drain if it has not begun yet; returns what completes when the delay is over. */
  CompletableFuture<Void> begin() {
    if (begun.compareAndSet(false, true)) {
      onBegin.run();
      if (delay.isZero() || delay.isNegative()) {
        elapsed.complete(null);
      } else {
        timer.schedule(() -> elapsed.complete(null), delay.toNanos(), TimeUnit.NANOSECONDS);
      }
    }
    return elapsed;
  }

  boolean begun() {
    return begun.get();
  }

  /** Blocks until the delay, begun by {@link #begin}, is over (or this thread is interrupted). */
  void await() {
    try {
      // Bounded in case the timer was shut down under us: never wait past the delay itself.
      elapsed.get(delay.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // the delay is over either way
    }
  }

  Duration delay() {
    return delay;
  }
}
