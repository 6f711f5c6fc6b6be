package dev.weir.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @RepeatedTest(20)
  void doublesWithJitterUpToTheCap() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    long[] ceilings = {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000};
    for (long ceiling : ceilings) {
      long ms = b.nextDelayNanos() / 1_000_000;
      assertTrue(ms >= ceiling / 2 && ms <= ceiling, ms + " not in [" + ceiling / 2 + ", " + ceiling + "]");
    }
  }

  @Test
  void resetStartsOver() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    for (int i = 0; i < 10; i++) {
      b.nextDelayNanos();
    }
    assertEquals(10, b.failures());
    b.reset();
    assertTrue(b.nextDelayNanos() <= 100_000_000);
  }

  @Test
  void neverOverflows() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    for (int i = 0; i < 200; i++) {
      assertTrue(b.nextDelayNanos() <= 5_000_000_000L);
    }
  }
}
