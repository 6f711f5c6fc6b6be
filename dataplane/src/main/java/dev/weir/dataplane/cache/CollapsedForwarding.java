package dev.weir.dataplane.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Collapsed forwarding (DESIGN.md: "concurrent misses for one key coalesced into one upstream
 * request"), the way nginx's {@code proxy_cache_lock} does it: the first miss for a key becomes the
 * {@link Leader} and goes upstream; later misses become {@link Waiter}s and are called back, on the
 * executor each gave, when the leader finishes: {@link Outcome.Kind#STORED} (look the cache up
 * again: the stored variant may not match the waiter's Vary headers) or
 * {@link Outcome.Kind#NOT_STORED} (go upstream yourself). A waiter also gives up after the lock
 * timeout ({@link Outcome.Kind#TIMED_OUT}, go upstream). A flight older than the lock timeout is
 * taken over by the next miss (nginx's {@code proxy_cache_lock_age}), so a leader that never
 * finishes cannot block a key for good. Thread-safe; no lock is held while calling back.
 */
public final class CollapsedForwarding {

  /** What a waiter is told. */
  public record Outcome(Kind kind, StoredResponse stored) {

    /** Why the wait ended. */
    public enum Kind {
      /** The leader stored a response ({@link #stored()}): look the cache up again. */
      STORED,
      /** The leader's response was not storable, or it failed or was cancelled: go upstream. */
      NOT_STORED,
      /** The lock timeout passed first: go upstream. */
      TIMED_OUT
    }
  }

  /** A request's place in the flight for its key. */
  public sealed interface Ticket permits Leader, Waiter {}

  /**
   * The request that goes upstream. It must call exactly one of {@link #stored}, {@link #notStored}
   * or {@link #close} (use try/finally or the response future's listener): {@code close} after
   * completion does nothing, so it is safe to call always.
   */
  public static final class Leader implements Ticket, AutoCloseable {
    private final CollapsedForwarding owner;
    private final CacheKey key;
    private final Flight flight;

    private Leader(CollapsedForwarding owner, CacheKey key, Flight flight) {
      this.owner = owner;
      this.key = key;
      this.flight = flight;
    }

    /** The response was stored: waiters look the cache up again. */
    public void stored(StoredResponse stored) {
      owner.finish(key, flight, new Outcome(Outcome.Kind.STORED, stored));
    }

    /** The response was not storable: waiters go upstream. */
    public void notStored() {
      owner.finish(key, flight, new Outcome(Outcome.Kind.NOT_STORED, null));
    }

    /** Failure, cancellation or plain cleanup: like {@link #notStored()} unless already completed. */
    @Override
    public void close() {
      notStored();
    }

    /** The key this leader fetches. */
    public CacheKey key() {
      return key;
    }
  }

  /** A request waiting for a leader; its callback runs exactly once. */
  public static final class Waiter implements Ticket {
    private final Executor executor;
    private final Consumer<Outcome> callback;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile Runnable cancelTimeout = () -> {};

    private Waiter(Executor executor, Consumer<Outcome> callback) {
      this.executor = executor;
      this.callback = callback;
    }

    /** Stops waiting without a callback (the client went away). Returns false if already completed. */
    public boolean cancel() {
      if (done.compareAndSet(false, true)) {
        cancelTimeout.run();
        return true;
      }
      return false;
    }

    private boolean complete(Outcome outcome) {
      if (!done.compareAndSet(false, true)) {
        return false;
      }
      cancelTimeout.run();
      try {
        executor.execute(() -> callback.accept(outcome));
      } catch (RejectedExecutionException e) {
        // the waiter's event loop is shutting down: nobody is left to answer
      }
      return true;
    }
  }

  /** The in-flight fetch of one key. Guarded by its own monitor. */
  private static final class Flight {
    final long startNanos;
    final List<Waiter> waiters = new ArrayList<>();
    boolean finished;

    Flight(long startNanos) {
      this.startNanos = startNanos;
    }
  }

  private final ConcurrentHashMap<CacheKey, Flight> flights = new ConcurrentHashMap<>();
  private final long lockTimeoutNanos;
  private final TimeoutScheduler scheduler;
  private final LongSupplier nanoTime;
  private final AtomicLong collapsed = new AtomicLong();
  private final AtomicLong timedOut = new AtomicLong();
  private final AtomicLong takenOver = new AtomicLong();

  /**
   * @param lockTimeout how long a waiter waits, and the age after which a flight may be taken over
   * @param scheduler runs waiters' timeouts
   * @param nanoTime monotonic time source ({@code System::nanoTime} in production)
   */
  public CollapsedForwarding(Duration lockTimeout, TimeoutScheduler scheduler, LongSupplier nanoTime) {
    this.lockTimeoutNanos = lockTimeout.toNanos();
    this.scheduler = scheduler;
    this.nanoTime = nanoTime;
  }

  /**
   * Joins the flight for {@code key}: returns a {@link Leader} if there is none (go upstream), or a
   * {@link Waiter} whose {@code callback} will run on {@code executor}.
   */
  public Ticket join(CacheKey key, Executor executor, Consumer<Outcome> callback) {
    while (true) {
      long now = nanoTime.getAsLong();
      Flight current = flights.get(key);
      if (current == null) {
        Flight mine = new Flight(now);
        if (flights.putIfAbsent(key, mine) == null) {
          return new Leader(this, key, mine);
        }
        continue;
      }
      if (now - current.startNanos > lockTimeoutNanos) {
        Flight mine = new Flight(now);
        if (flights.replace(key, current, mine)) {
          takenOver.incrementAndGet(); // the old flight's waiters still time out or complete on their own
          return new Leader(this, key, mine);
        }
        continue;
      }
      Waiter w = new Waiter(executor, callback);
      synchronized (current) {
        if (current.finished) {
          continue; // finished between get and here: look again
        }
        current.waiters.add(w);
      }
      collapsed.incrementAndGet();
      w.cancelTimeout = scheduler.schedule(() -> timeout(current, w), lockTimeoutNanos);
      if (w.done.get()) {
        w.cancelTimeout.run(); // completed before the timeout was installed
      }
      return w;
    }
  }

  /**
   * Leads {@code key} only if nobody is fetching it: for a background revalidation
   * (stale-while-revalidate), which never waits.
   */
  public Optional<Leader> tryLead(CacheKey key) {
    Flight mine = new Flight(nanoTime.getAsLong());
    return flights.putIfAbsent(key, mine) == null ? Optional.of(new Leader(this, key, mine)) : Optional.empty();
  }

  private void finish(CacheKey key, Flight flight, Outcome outcome) {
    List<Waiter> toComplete;
    synchronized (flight) {
      if (flight.finished) {
        return;
      }
      flight.finished = true;
      toComplete = List.copyOf(flight.waiters);
      flight.waiters.clear();
    }
    flights.remove(key, flight);
    for (Waiter w : toComplete) {
      w.complete(outcome);
    }
  }

  private void timeout(Flight flight, Waiter w) {
    synchronized (flight) {
      flight.waiters.remove(w);
    }
    if (w.complete(new Outcome(Outcome.Kind.TIMED_OUT, null))) {
      timedOut.incrementAndGet();
    }
  }

  /** Requests that waited for a leader instead of going upstream (a counter). */
  public long collapsed() {
    return collapsed.get();
  }

  /** Waiters that gave up after the lock timeout (a counter). */
  public long timedOut() {
    return timedOut.get();
  }

  /** Flights taken over because their leader ran past the lock timeout (a counter). */
  public long takenOver() {
    return takenOver.get();
  }

  /** Keys being fetched now. */
  public int inFlight() {
    return flights.size();
  }
}
