package dev.weir.dataplane.compress;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.Encoder;
import com.aayushatharva.brotli4j.encoder.EncoderJNI;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.EncoderException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Brotli (RFC 7932) through brotli4j's low-level JNI wrapper. Input is copied into the encoder's
 * native input buffer (brotli4j offers no way to compress from a caller's memory) and output is
 * copied out of brotli's own buffer, which stays valid only until the next call; two memcpys are
 * small next to brotli's own work.
 *
 * <p>At quality 4 and up brotli merges input into metablocks of up to {@code 2^(lgwin+1)} bytes
 * (1 MiB at the default window) before emitting anything, so a body shorter than that comes out
 * only at {@link #finish()}, unless {@link #flush()}ed; gzip and zstd emit every block (zstd's are
 * 128 KiB).
 *
 * <p>The wrapper's native state has no cleaner: {@link #freeNative()} is the only thing that frees it.
 */
final class BrotliEncoder extends ContentEncoder {

  /** Bound on calls for a finish that makes no progress: brotli never needs this many, a bug would. */
  private static final int MAX_IDLE_ROUNDS = 1 << 20;

  private final EncoderJNI.Wrapper wrapper;
  private final ByteBuffer input;

  /**
   * @param windowBits brotli's {@code lgwin}; reduced for a body of known smaller length, which
   *     lowers the encoder's memory without changing its output size
   * @param lengthHint the body's length when known, else -1
   */
  BrotliEncoder(ByteBufAllocator alloc, int quality, int windowBits, long lengthHint) {
    super(alloc);
    Brotli4jLoader.ensureAvailability();
    int lgwin = windowBits;
    if (lengthHint >= 0) {
      int needed = 64 - Long.numberOfLeadingZeros(Math.max(1, lengthHint - 1));
      lgwin = Math.max(10, Math.min(windowBits, needed));
    }
    int inputSize = lengthHint < 0 ? 32 * 1024 : (int) Math.max(1024, Math.min(64 * 1024, lengthHint));
    try {
      this.wrapper = new EncoderJNI.Wrapper(inputSize, quality, lgwin, Encoder.Mode.GENERIC);
    } catch (IOException e) {
      throw new EncoderException("brotli encoder could not be created", e);
    }
    this.input = wrapper.getInputBuffer();
  }

  @Override
  public ContentCoding coding() {
    return ContentCoding.BROTLI;
  }

  @Override
  void emitEncode(ByteBuffer src, EncodedOutput out) {
    while (src.hasRemaining()) {
      int n = Math.min(src.remaining(), input.capacity());
      input.clear();
      int limit = src.limit();
      src.limit(src.position() + n);
      input.put(src);
      src.limit(limit);
      wrapper.push(EncoderJNI.Operation.PROCESS, n);
      drain(EncoderJNI.Operation.PROCESS, out);
    }
  }

  @Override
  void emitFlush(EncodedOutput out) {
    wrapper.push(EncoderJNI.Operation.FLUSH, 0);
    drain(EncoderJNI.Operation.FLUSH, out);
  }

  @Override
  void emitFinish(EncodedOutput out) {
    wrapper.push(EncoderJNI.Operation.FINISH, 0);
    for (int rounds = 0; ; rounds++) {
      check();
      if (wrapper.hasMoreOutput()) {
        out.write(wrapper.pull());
      } else if (wrapper.isFinished()) {
        return;
      } else if (rounds < MAX_IDLE_ROUNDS) {
        wrapper.push(EncoderJNI.Operation.FINISH, 0);
      } else {
        throw new EncoderException("brotli encoder did not finish");
      }
    }
  }

  /** Takes out all pending output, pushing again while brotli still holds unread input. */
  private void drain(EncoderJNI.Operation op, EncodedOutput out) {
    while (true) {
      check();
      if (wrapper.hasMoreOutput()) {
        out.write(wrapper.pull());
      } else if (wrapper.hasRemainingInput()) {
        wrapper.push(op, 0);
      } else {
        return;
      }
    }
  }

  private void check() {
    if (!wrapper.isSuccess()) {
      throw new EncoderException("brotli encoding failed");
    }
  }

  @Override
  void freeNative() {
    wrapper.destroy();
  }
}
