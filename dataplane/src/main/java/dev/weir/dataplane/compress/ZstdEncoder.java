package dev.weir.dataplane.compress;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;

/**
 * Zstandard (RFC 8878) as one streaming frame through zstd-jni's {@link ZstdCompressCtx}, reading
 * from and writing to direct buffers in place.
 *
 * <p>When the body's length is known it is pledged to the context: zstd then sizes its window and
 * tables to the body (a 1 KiB body needs kilobytes of state, not the level's megabytes, which also
 * saves clearing them) and records the size in the frame. The body must then be exactly that long,
 * which HTTP framing guarantees (a shorter one is a failed exchange, abandoned anyway).
 */
final class ZstdEncoder extends ContentEncoder {

  private static final ByteBuffer NO_INPUT = ByteBuffer.allocateDirect(0);

  private final ZstdCompressCtx ctx;
  private final int sizeHint;

  ZstdEncoder(ByteBufAllocator alloc, int level, long lengthHint) {
    super(alloc);
    ZstdCompressCtx c = new ZstdCompressCtx();
    try {
      c.setLevel(level);
      c.setChecksum(false);
      if (lengthHint >= 0) {
        c.setPledgedSrcSize(lengthHint);
      }
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
    this.ctx = c;
    this.sizeHint = lengthHint < 0 ? 8 * 1024 : (int) Math.min(EncodedOutput.CHUNK, Math.max(256, lengthHint / 3 + 64));
  }

  @Override
  public ContentCoding coding() {
    return ContentCoding.ZSTD;
  }

  @Override
  boolean needsDirectInput() {
    return true;
  }

  @Override
  void emitEncode(ByteBuffer src, EncodedOutput out) {
    while (src.hasRemaining()) {
      ByteBuffer w = out.window(1, sizeHint);
      ctx.compressDirectByteBufferStream(w, src, EndDirective.CONTINUE);
      out.commit(w);
    }
  }

  @Override
  void emitFlush(EncodedOutput out) {
    end(EndDirective.FLUSH, out);
  }

  @Override
  void emitFinish(EncodedOutput out) {
    end(EndDirective.END, out);
  }

  /** FLUSH and END: repeat until zstd reports nothing left to write. */
  private void end(EndDirective directive, EncodedOutput out) {
    boolean done;
    do {
      ByteBuffer w = out.window(64, sizeHint);
      done = ctx.compressDirectByteBufferStream(w, NO_INPUT.duplicate(), directive);
      out.commit(w);
    } while (!done);
  }

  @Override
  void freeNative() {
    ctx.close();
  }
}
