package dev.weir.dataplane.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AccessLogWriterTest {

  /** Counts writes and flushes; the first write can be held back to let the queue fill. */
  static final class RecordingStream extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger flushes = new AtomicInteger();
    final CountDownLatch gate;
    final CountDownLatch firstWrite = new CountDownLatch(1);
    volatile boolean closed;

    RecordingStream(boolean gated) {
      gate = new CountDownLatch(gated ? 1 : 0);
    }

    @Override
    public void write(int b) {
      throw new AssertionError("lines are written a batch at a time");
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      firstWrite.countDown();
      try {
        gate.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      writes.incrementAndGet();
      bytes.write(b, off, len);
    }

    @Override
    public void flush() {
      flushes.incrementAndGet();
    }

    @Override
    public void close() {
      closed = true;
    }

    synchronized List<String> lines() {
      return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }
  }

  @Test
  void linesQueuedBeforeStartGoOutInOneBatchAndAreFlushed() {
    RecordingStream out = new RecordingStream(false);
    AccessLogWriter w = new AccessLogWriter(out, true, 100, () -> {});
    for (int i = 0; i < 10; i++) {
      assertTrue(w.offer("line " + i));
    }
    w.start();
    w.close();
    assertEquals(10, out.lines().size());
    assertEquals("line 0", out.lines().get(0));
    assertEquals("line 9", out.lines().get(9));
    assertEquals(1, out.writes.get(), "one write for what was queued together");
    assertTrue(out.flushes.get() >= 1);
    assertTrue(out.closed, "a file is closed");
  }

  @Test
  void aFullQueueDropsAndCounts() throws Exception {
    RecordingStream out = new RecordingStream(true);
    AtomicInteger dropped = new AtomicInteger();
    AccessLogWriter w = new AccessLogWriter(out, false, 4, dropped::incrementAndGet);
    w.start();
    assertTrue(w.offer("first"));
    assertTrue(out.firstWrite.await(5, TimeUnit.SECONDS)); // the writer holds "first" and is stuck writing it
    for (int i = 0; i < 4; i++) {
      assertTrue(w.offer("queued " + i));
    }
    assertFalse(w.offer("one too many"));
    assertFalse(w.offer("two too many"));
    assertEquals(2, dropped.get());
    assertEquals(2, w.dropped());
    out.gate.countDown();
    w.close();
    assertEquals(List.of("first", "queued 0", "queued 1", "queued 2", "queued 3"), out.lines());
    assertEquals(2, out.writes.get(), "the four queued behind the first went out as one batch");
    assertFalse(out.closed, "stdout is not closed");
  }

  @Test
  void closeWithoutStartWritesWhatIsQueuedAndLaterLinesAreDropped() {
    RecordingStream out = new RecordingStream(false);
    AccessLogWriter w = new AccessLogWriter(out, true, 10, () -> {});
    w.offer("a");
    w.offer("b");
    w.close();
    assertEquals(List.of("a", "b"), out.lines());
    assertFalse(w.offer("late"));
    w.close(); // idempotent
    assertEquals(List.of("a", "b"), out.lines());
  }
}
