package dev.weir.dataplane.config;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential reconnect delays with jitter: attempt n waits a random time in [d/2, d] where d is
 * {@code initial * 2^n} capped at {@code max}, so many replicas that lost the controller together
 * do not all come back in the same instant. Not thread-safe; one per client, used on its event loop.
 */
final class Backoff {

  private final long initialNanos;
  private final long maxNanos;
  private int failures;

  Backoff(Duration initial, Duration max) {
    this.initialNanos = Math.max(1, initial.toNanos());
    this.maxNanos = Math.max(initialNanos, max.toNanos());
  }

  /** The delay before the next attempt; each call counts one more failure. */
  long nextDelayNanos() {
    long d = initialNanos << Math.min(failures, 30);
    if (d <= 0 || d > maxNanos) {
      d = maxNanos;
    }
    failures++;
    long half = d / 2;
    return half + ThreadLocalRandom.current().nextLong(d - half + 1);
  }

  /** After a connection that the controller accepted: start over from the initial delay. */
  void reset() {
    failures = 0;
  }

  int failures() {
    return failures;
  }
}
