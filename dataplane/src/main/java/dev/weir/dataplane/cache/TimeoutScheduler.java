package dev.weir.dataplane.cache;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Runs a task after a delay and lets it be cancelled; a seam so that lock timeouts are testable without sleeping. */
@FunctionalInterface
public interface TimeoutScheduler {

  /** Schedules {@code task} after {@code delayNanos}; the returned action cancels it. */
  Runnable schedule(Runnable task, long delayNanos);

  /** On a scheduled executor, e.g. a Netty event loop group. */
  static TimeoutScheduler of(ScheduledExecutorService executor) {
    return (task, delayNanos) -> {
      ScheduledFuture<?> f = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    };
  }
}
