package dev.weir.dataplane.compress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;

/**
 * Collects what one encoder call produces. The codec writes into a window of a direct buffer (no
 * copy for zlib and zstd, which write there themselves); when a window is full the next one is a new
 * buffer rather than a grown one, so that nothing already written is copied again, and
 * {@link #take()} hands them over as one buffer (a composite when there are several).
 *
 * <p>Owns its buffers until {@link #take()}; {@link #discard()} releases them (on a failure).
 */
final class EncodedOutput {

  /** Windows after the first: large enough that a megabyte of output is a handful of buffers. */
  static final int CHUNK = 64 * 1024;

  private final ByteBufAllocator alloc;
  private ByteBuf current;
  private CompositeByteBuf full;
  /** Where the current window starts in {@link #current} (its writer index when handed out). */
  private int windowStart;

  EncodedOutput(ByteBufAllocator alloc) {
    this.alloc = alloc;
  }

  /**
   * A window of at least {@code min} bytes to write into at its position; report what was written
   * with {@link #commit(ByteBuffer)}. {@code sizeHint} sizes a new buffer when one is needed.
   */
  ByteBuffer window(int min, int sizeHint) {
    if (current == null || current.writableBytes() < min) {
      retire();
      current = alloc.directBuffer(Math.max(min, sizeHint));
    }
    windowStart = current.writerIndex();
    return current.nioBuffer(windowStart, current.writableBytes());
  }

  /** Advances past what the codec wrote into the last window; returns whether the window is full. */
  boolean commit(ByteBuffer window) {
    current.writerIndex(windowStart + window.position());
    return !window.hasRemaining();
  }

  /** Copies bytes the codec produced in its own memory (brotli). */
  void write(ByteBuffer src) {
    while (src.hasRemaining()) {
      if (current == null || !current.isWritable()) {
        retire();
        current = alloc.directBuffer(Math.max(src.remaining(), 256), Math.max(src.remaining(), CHUNK));
      }
      int n = Math.min(src.remaining(), current.maxWritableBytes());
      int limit = src.limit();
      src.limit(src.position() + n);
      current.writeBytes(src);
      src.limit(limit);
    }
  }

  void write(byte[] bytes) {
    if (current == null || current.writableBytes() < bytes.length) {
      retire();
      current = alloc.directBuffer(Math.max(bytes.length, 256));
    }
    current.writeBytes(bytes);
  }

  private void retire() {
    if (current == null) {
      return;
    }
    if (current.isReadable()) {
      if (full == null) {
        full = alloc.compositeDirectBuffer(Integer.MAX_VALUE);
      }
      full.addComponent(true, current);
    } else {
      current.release();
    }
    current = null;
  }

  /** Everything written since the last take, owned by the caller; an empty buffer when nothing was. */
  ByteBuf take() {
    ByteBuf out;
    if (full == null) {
      if (current == null || !current.isReadable()) {
        if (current != null) {
          current.release();
        }
        out = Unpooled.EMPTY_BUFFER;
      } else {
        out = current;
      }
    } else {
      retire();
      out = full;
    }
    current = null;
    full = null;
    return out;
  }

  /** Releases whatever was written and not taken. */
  void discard() {
    if (current != null) {
      current.release();
      current = null;
    }
    if (full != null) {
      full.release();
      full = null;
    }
  }
}
