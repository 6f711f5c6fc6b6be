package dev.weir.dataplane.accesslog;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes access log lines without ever making an event loop wait: {@link #offer} puts a line in a
 * bounded queue, or drops it (and counts it) when the queue is full; one daemon thread takes what is
 * queued and writes it as one batch (one {@code write} per batch), flushing whenever the queue has
 * run dry.
 *
 * <p>The queue is Netty's lock-free multi-producer single-consumer array queue, and the writer does
 * not block on it: it sleeps {@link #IDLE_MILLIS} whenever it finds the queue empty. So offering a
 * line is a CAS, never a lock nor the wake-up of a parked thread (a futex call per request, which cost
 * a third of the proxy's CPU on small requests when the writer waited on a blocking queue). {@link #close} writes what is still queued, flushes, and closes the stream (unless it is
 * stdout). Lines offered before {@link #start} wait in the queue.
 */
public final class AccessLogWriter implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AccessLogWriter.class);

  /** Lines the queue holds; at a few hundred bytes a line, about a few MiB. */
  public static final int DEFAULT_CAPACITY = 16_384;
  /** Most lines in one write. */
  static final int MAX_BATCH = 512;
  /** How long the writer sleeps when it finds the queue empty: lines reach the log at most this late. */
  static final long IDLE_MILLIS = 20;

  private final OutputStream out;
  private final boolean closeStream;
  private final Queue<String> queue;
  private final Runnable onDrop;
  private final LongAdder dropped = new LongAdder();
  private final LongAdder batches = new LongAdder();
  private final Thread thread;
  private volatile boolean closing;
  private boolean writeFailed;

  /**
   * @param closeStream close {@code out} on {@link #close} (a file; not stdout)
   * @param onDrop told about every dropped line (the metric); called on the offering thread
   */
  public AccessLogWriter(OutputStream out, boolean closeStream, int capacity, Runnable onDrop) {
    this.out = out;
    this.closeStream = closeStream;
    this.queue = PlatformDependent.newFixedMpscQueue(capacity);
    this.onDrop = onDrop;
    this.thread = new Thread(this::run, "weir-access-log");
    thread.setDaemon(true);
  }

  /** Starts the writing thread. */
  public void start() {
    thread.start();
  }

  /** Queues one line (without its newline); never blocks. False (and counted) when the queue is full. */
  public boolean offer(String line) {
    if (closing || !queue.offer(line)) {
      dropped.increment();
      onDrop.run();
      return false;
    }
    return true;
  }

  /** Lines dropped so far. */
  public long dropped() {
    return dropped.sum();
  }

  /** Writes made so far (one per batch). */
  public long batches() {
    return batches.sum();
  }

  private void run() {
    List<String> batch = new ArrayList<>(MAX_BATCH);
    StringBuilder text = new StringBuilder(64 * 1024);
    try {
      while (true) {
        boolean last = closing; // read before polling: a line offered before close() is written
        for (String line; batch.size() < MAX_BATCH && (line = queue.poll()) != null; ) {
          batch.add(line);
        }
        if (batch.isEmpty()) {
          if (last) {
            return;
          }
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS));
          if (Thread.interrupted()) {
            closing = true;
          }
          continue;
        }
        text.setLength(0);
        for (String line : batch) {
          text.append(line).append('\n');
        }
        batch.clear();
        write(text, queue.isEmpty());
      }
    } finally {
      flush();
    }
  }

  private void write(StringBuilder text, boolean flush) {
    try {
      out.write(text.toString().getBytes(StandardCharsets.UTF_8));
      batches.increment();
      if (flush) {
        out.flush();
      }
    } catch (IOException e) {
      if (!writeFailed) {
        writeFailed = true; // once: a full disk would otherwise log a warning per batch
        log.warn("access log: write failed, lines are lost until it works again: {}", e.toString());
      }
    }
  }

  private void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      log.warn("access log: flush failed: {}", e.toString());
    }
  }

  /** Writes what is queued, then stops; waits up to {@code timeoutMillis} for that. Idempotent. */
  public void close(long timeoutMillis) {
    closing = true;
    if (thread.isAlive()) {
      try {
        thread.join(timeoutMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else if (thread.getState() == Thread.State.NEW) {
      run(); // never started: write what was queued from here
    }
    if (closeStream) {
      try {
        out.close();
      } catch (IOException e) {
        log.warn("access log: close failed: {}", e.toString());
      }
    }
  }

  @Override
  public void close() {
    close(5_000);
  }
}
