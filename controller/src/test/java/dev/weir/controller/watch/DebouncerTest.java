package dev.weir.controller.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DebouncerTest {
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void aBurstOfAThousandChangesYieldsAFewRebuilds() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Debouncer d = new Debouncer("test", executor, runs::incrementAndGet, 5, 200);
    d.enable();
    Thread.sleep(50);
    runs.set(0);
    for (int i = 0; i < 1000; i++) {
      d.request("change " + i);
      if (i % 100 == 0) Thread.sleep(1); // a burst spread over ~10 ms, as informer events arrive
    }
    Thread.sleep(300);
    assertTrue(runs.get() >= 1 && runs.get() <= 5, "runs: " + runs.get());
  }

  @Test
  void aSteadyStreamIsStillRebuiltWithinTheMaximumDelay() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Debouncer d = new Debouncer("test", executor, runs::incrementAndGet, 20, 100);
    d.enable();
    Thread.sleep(60);
    runs.set(0);
    // A request every 5 ms for 500 ms never leaves a 20 ms quiet gap: only the 100 ms cap makes rebuilds happen.
    for (int i = 0; i < 100; i++) {
      d.request("tick");
      Thread.sleep(5);
    }
    assertTrue(runs.get() >= 3, "the max delay bounds staleness under constant churn; runs: " + runs.get());
  }

  @Test
  void nothingRunsBeforeEnableButTheRequestIsRemembered() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Debouncer d = new Debouncer("test", executor, runs::incrementAndGet, 1, 10);
    d.request("early");
    Thread.sleep(50);
    assertEquals(0, runs.get());
    d.enable();
    Thread.sleep(50);
    assertEquals(1, runs.get());
  }
}
