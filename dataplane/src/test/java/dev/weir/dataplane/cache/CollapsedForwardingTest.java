package dev.weir.dataplane.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weir.dataplane.cache.CollapsedForwarding.Leader;
import dev.weir.dataplane.cache.CollapsedForwarding.Outcome;
import dev.weir.dataplane.cache.CollapsedForwarding.Ticket;
import dev.weir.dataplane.cache.CollapsedForwarding.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CollapsedForwardingTest {

  private static final CacheKey KEY = new CacheKey("r", "h.test", "/x");

  /** Timeouts that fire only when the test says so. */
  private static final class ManualTimeouts implements TimeoutScheduler {
    final List<Runnable> pending = new CopyOnWriteArrayList<>();

    @Override
    public Runnable schedule(Runnable task, long delayNanos) {
      pending.add(task);
      return () -> pending.remove(task);
    }

    void fireAll() {
      for (Runnable r : List.copyOf(pending)) {
        pending.remove(r);
        r.run();
      }
    }
  }

  private final ManualTimeouts timeouts = new ManualTimeouts();
  private final AtomicLong nanos = new AtomicLong();
  private final CollapsedForwarding flights = new CollapsedForwarding(Duration.ofSeconds(5), timeouts, nanos::get);

  @Test
  void hundredConcurrentWaitersOnSeveralThreadsShareOneLeader() throws Exception {
    int waiters = 100;
    int loops = 4;
    List<ExecutorService> eventLoops = new ArrayList<>();
    for (int i = 0; i < loops; i++) {
      String name = "loop-" + i;
      eventLoops.add(Executors.newSingleThreadExecutor(r -> new Thread(r, name)));
    }
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      CountDownLatch called = new CountDownLatch(waiters);
      Map<Integer, String> calledOn = new ConcurrentHashMap<>();
      Map<Integer, Outcome> outcomes = new ConcurrentHashMap<>();
      List<Future<Ticket>> tickets = new ArrayList<>();
      for (int i = 0; i < waiters + 1; i++) {
        int id = i;
        ExecutorService loop = eventLoops.get(i % loops);
        tickets.add(callers.submit(() -> {
          start.await();
          return flights.join(KEY, loop, outcome -> {
            calledOn.put(id, Thread.currentThread().getName());
            outcomes.put(id, outcome);
            called.countDown();
          });
        }));
      }
      start.countDown();
      Leader leader = null;
      int leaders = 0;
      for (Future<Ticket> f : tickets) {
        Ticket t = f.get(10, TimeUnit.SECONDS);
        if (t instanceof Leader l) {
          leader = l;
          leaders++;
        }
      }
      assertEquals(1, leaders);
      assertEquals(waiters, flights.collapsed());
      StoredResponse stored = CacheFixtures.stored("Cache-Control: max-age=60");
      leader.stored(stored);
      assertTrue(called.await(10, TimeUnit.SECONDS));
      assertEquals(waiters, outcomes.size());
      for (Map.Entry<Integer, Outcome> e : outcomes.entrySet()) {
        assertEquals(Outcome.Kind.STORED, e.getValue().kind());
        assertSame(stored, e.getValue().stored());
        assertEquals("loop-" + (e.getKey() % loops), calledOn.get(e.getKey()), "called back on its own executor");
      }
      assertEquals(0, flights.inFlight());
      assertTrue(timeouts.pending.isEmpty(), "completed waiters cancel their timeouts");
    } finally {
      callers.shutdownNow();
      eventLoops.forEach(ExecutorService::shutdownNow);
    }
  }

  @Test
  void aWaiterGivesUpAfterTheLockTimeoutAndIsCalledOnlyOnce() {
    Leader leader = assertInstanceOf(Leader.class, flights.join(KEY, Runnable::run, o -> {}));
    List<Outcome> got = new ArrayList<>();
    assertInstanceOf(Waiter.class, flights.join(KEY, Runnable::run, got::add));
    assertEquals(1, timeouts.pending.size());
    timeouts.fireAll();
    assertEquals(List.of(new Outcome(Outcome.Kind.TIMED_OUT, null)), got);
    assertEquals(1, flights.timedOut());
    leader.stored(CacheFixtures.stored("Cache-Control: max-age=60"));
    assertEquals(1, got.size());
  }

  @Test
  void aLeaderThatFailsStillReleasesItsWaiters() {
    List<Outcome> got = new ArrayList<>();
    assertThrows(IllegalStateException.class, () -> {
      try (Leader leader = (Leader) flights.join(KEY, Runnable::run, o -> {})) {
        flights.join(KEY, Runnable::run, got::add);
        flights.join(KEY, Runnable::run, got::add);
        throw new IllegalStateException("upstream reset");
      }
    });
    assertEquals(2, got.size());
    got.forEach(o -> assertEquals(Outcome.Kind.NOT_STORED, o.kind()));
    assertEquals(0, flights.inFlight());
    assertInstanceOf(Leader.class, flights.join(KEY, Runnable::run, o -> {}), "the next miss leads again");
  }

  @Test
  void notStoredSendsWaitersUpstreamAndCloseAfterwardsDoesNothing() {
    Leader leader = (Leader) flights.join(KEY, Runnable::run, o -> {});
    List<Outcome> got = new ArrayList<>();
    flights.join(KEY, Runnable::run, got::add);
    leader.notStored();
    leader.close();
    leader.stored(CacheFixtures.stored("Cache-Control: max-age=60"));
    assertEquals(List.of(new Outcome(Outcome.Kind.NOT_STORED, null)), got);
  }

  @Test
  void aCancelledWaiterIsNeverCalled() {
    Leader leader = (Leader) flights.join(KEY, Runnable::run, o -> {});
    List<Outcome> got = new ArrayList<>();
    Waiter w = (Waiter) flights.join(KEY, Runnable::run, got::add);
    assertTrue(w.cancel());
    assertTrue(timeouts.pending.isEmpty());
    leader.notStored();
    assertTrue(got.isEmpty());
  }

  @Test
  void aFlightOlderThanTheLockTimeoutIsTakenOver() {
    Leader stuck = (Leader) flights.join(KEY, Runnable::run, o -> {});
    nanos.addAndGet(Duration.ofSeconds(5).toNanos());
    assertInstanceOf(Waiter.class, flights.join(KEY, Runnable::run, o -> {}), "not older than the timeout yet");
    nanos.addAndGet(1);
    Leader fresh = assertInstanceOf(Leader.class, flights.join(KEY, Runnable::run, o -> {}));
    assertEquals(1, flights.takenOver());
    stuck.close(); // late completion of the old flight must not end the new one
    assertEquals(1, flights.inFlight());
    assertInstanceOf(Waiter.class, flights.join(KEY, Runnable::run, o -> {}));
    fresh.close();
    assertEquals(0, flights.inFlight());
  }

  @Test
  void tryLeadNeverWaits() {
    Leader bg = flights.tryLead(KEY).orElseThrow();
    assertTrue(flights.tryLead(KEY).isEmpty());
    assertInstanceOf(Waiter.class, flights.join(KEY, Runnable::run, o -> {}));
    bg.close();
    assertNotNull(flights.tryLead(KEY).orElseThrow());
  }

  @Test
  void timeoutsOnARealScheduledExecutor() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      CollapsedForwarding real =
          new CollapsedForwarding(Duration.ofMillis(50), TimeoutScheduler.of(timer), System::nanoTime);
      Leader leader = (Leader) real.join(KEY, Runnable::run, o -> {});
      CountDownLatch done = new CountDownLatch(1);
      List<Outcome> got = new CopyOnWriteArrayList<>();
      real.join(KEY, Runnable::run, o -> {
        got.add(o);
        done.countDown();
      });
      assertTrue(done.await(10, TimeUnit.SECONDS));
      assertEquals(Outcome.Kind.TIMED_OUT, got.get(0).kind());
      leader.close();
    } finally {
      timer.shutdownNow();
    }
  }
}
