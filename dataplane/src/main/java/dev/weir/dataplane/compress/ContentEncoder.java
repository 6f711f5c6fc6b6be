package dev.weir.dataplane.compress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.EncoderException;
import java.nio.ByteBuffer;

/**
 * Compresses one response body as it streams: {@link #encode} each piece of content as it arrives,
 * {@link #flush()} when what was fed so far must reach the client now, {@link #finish()} at the end;
 * {@link #close()} in a {@code finally} (or when the exchange fails) frees everything, whatever state
 * the encoder is in. Not thread-safe: one exchange, one event loop.
 *
 * <p>Buffer ownership: every method that takes a buffer <b>always releases it</b>, on success and on
 * failure, including after the encoder was closed. Every buffer returned belongs to the caller (write
 * it, or release it); it is empty (readable bytes 0, and releasing it is harmless) when the codec had
 * nothing to emit yet, as codecs buffer input until they have a block's worth.
 *
 * <p>Native memory: zlib's, brotli's and zstd's state lives outside the heap and is not reclaimed by
 * the collector in time (zstd's and brotli's not at all), so it is freed explicitly: by
 * {@link #finish()} when the body is complete, or by {@link #close()} otherwise. A failure inside the
 * codec closes the encoder before the {@link EncoderException} propagates.
 */
public abstract class ContentEncoder implements AutoCloseable {

  /** Open, finished (the stream is complete) or closed (abandoned); after either, no more input. */
  private enum State {
    OPEN,
    FINISHED,
    CLOSED
  }

  private final ByteBufAllocator alloc;
  private final EncodedOutput out;
  private State state = State.OPEN;
  private long bytesIn;
  private long bytesOut;

  ContentEncoder(ByteBufAllocator alloc) {
    this.alloc = alloc;
    this.out = new EncodedOutput(alloc);
  }

  /** The coding this encoder produces (what {@code Content-Encoding} says). */
  public abstract ContentCoding coding();

  /**
   * Compresses {@code in} and releases it. Returns what the codec emitted (often nothing until it has
   * a block's worth of input).
   *
   * @throws IllegalStateException after {@link #finish()} or {@link #close()} (and {@code in} is released)
   * @throws EncoderException when the codec fails (and the encoder is closed)
   */
  public final ByteBuf encode(ByteBuf in) {
    try {
      ensureOpen();
      feed(in);
      return take();
    } catch (RuntimeException | Error e) {
      throw fail(e);
    } finally {
      in.release();
    }
  }

  /**
   * Emits everything fed so far in a form the client can decode now (zlib's sync flush, brotli's and
   * zstd's flush), at some cost in ratio: for streams whose pieces must arrive promptly (call it when
   * the upstream has nothing more to read for the moment), not after every piece of a fast body.
   */
  public final ByteBuf flush() {
    try {
      ensureOpen();
      emitFlush(out);
      return take();
    } catch (RuntimeException | Error e) {
      throw fail(e);
    }
  }

  /** Ends the stream: returns its last bytes (trailer included) and frees the codec's native state. */
  public final ByteBuf finish() {
    try {
      ensureOpen();
      emitFinish(out);
      ByteBuf last = take();
      state = State.FINISHED;
      freeNative();
      return last;
    } catch (RuntimeException | Error e) {
      throw fail(e);
    }
  }

  /**
   * {@link #encode} and {@link #finish()} in one: for the last piece of content (an HTTP
   * {@code LastHttpContent} with data, or a whole body at once), giving one buffer instead of two.
   * Releases {@code last}.
   */
  public final ByteBuf finish(ByteBuf last) {
    try {
      ensureOpen();
      feed(last);
      emitFinish(out);
      ByteBuf tail = take();
      state = State.FINISHED;
      freeNative();
      return tail;
    } catch (RuntimeException | Error e) {
      throw fail(e);
    } finally {
      last.release();
    }
  }

  /**
   * Abandons the stream, if it is not finished: frees native state and any output not yet handed
   * out. Idempotent; harmless after {@link #finish()}.
   */
  @Override
  public final void close() {
    if (state == State.OPEN) {
      state = State.CLOSED;
      out.discard();
      freeNative();
    }
  }

  /** Whether {@link #finish()} completed the stream. */
  public final boolean finished() {
    return state == State.FINISHED;
  }

  /** Whether more input is accepted (neither finished nor closed). */
  public final boolean open() {
    return state == State.OPEN;
  }

  /** Body bytes fed in so far. */
  public final long bytesIn() {
    return bytesIn;
  }

  /** Encoded bytes handed out so far. */
  public final long bytesOut() {
    return bytesOut;
  }

  private void ensureOpen() {
    if (state != State.OPEN) {
      throw new IllegalStateException(coding().token() + " encoder is " + state.name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  private void feed(ByteBuf in) {
    int n = in.readableBytes();
    if (n == 0) {
      return;
    }
    if (needsDirectInput() && !in.isDirect()) {
      // zstd reads straight from native addresses: a heap buffer is copied once, and only here.
      ByteBuf direct = alloc.directBuffer(n);
      try {
        direct.writeBytes(in, in.readerIndex(), n);
        consume(direct);
      } finally {
        direct.release();
      }
    } else {
      consume(in);
    }
    bytesIn += n;
  }

  private void consume(ByteBuf in) {
    int count = in.nioBufferCount();
    if (count == 1) {
      emitEncode(in.nioBuffer(), out);
    } else {
      for (ByteBuffer piece : in.nioBuffers()) {
        emitEncode(piece, out);
      }
    }
  }

  private ByteBuf take() {
    ByteBuf b = out.take();
    bytesOut += b.readableBytes();
    return b;
  }

  private RuntimeException fail(Throwable e) {
    if (e instanceof IllegalStateException && state != State.OPEN) {
      return (IllegalStateException) e; // misuse after the end: nothing to clean up
    }
    close();
    if (e instanceof Error) {
      throw (Error) e;
    }
    return e instanceof EncoderException ? (EncoderException) e : new EncoderException(coding().token() + " encoding failed", e);
  }

  /** Whether the codec needs input in direct memory. */
  boolean needsDirectInput() {
    return false;
  }

  /** Compresses all of {@code src} (consuming it), writing whatever the codec emits to {@code out}. */
  abstract void emitEncode(ByteBuffer src, EncodedOutput out);

  abstract void emitFlush(EncodedOutput out);

  abstract void emitFinish(EncodedOutput out);

  /** Frees the codec's native state; called exactly once. */
  abstract void freeNative();
}
